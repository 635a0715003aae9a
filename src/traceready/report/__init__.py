"""Report renderers: terminal (rich), Markdown, JSON and HTML, registered by format name."""

from __future__ import annotations

from collections.abc import Callable

from traceready.report.html import render_html
from traceready.report.json import render_json
from traceready.report.markdown import render_markdown
from traceready.report.model import Report
from traceready.report.terminal import render_terminal

Renderer = Callable[[Report, bool], str]

RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, renderer: Renderer) -> None:
    """Make ``renderer`` available as ``--format name``."""
    if not callable(renderer):
        raise TypeError(f"renderer {name!r} is not callable")
    RENDERERS[name] = renderer


register_renderer("html", lambda report, colour: render_html(report))
register_renderer("json", lambda report, colour: render_json(report))
register_renderer("md", lambda report, colour: render_markdown(report))
register_renderer("table", render_terminal)

__all__ = ["RENDERERS", "Report", "register_renderer"]
