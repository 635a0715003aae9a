"""The HTML report: one self-contained file (inline CSS and SVG, no script, no request at view time).

Rendered from the Jinja2 templates beside this module (``templates/``) with autoescaping on, so
every value a source supplied (span ids, names, reasons) reaches the page as text, never as markup.
Status is always written out (an icon and the word), colour only repeats it; sections are headed
landmarks reached from a contents list, and print CSS keeps the report readable on paper.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from traceready.findings import Ratio, Status
from traceready.report.model import Report, describe_inventory

STATUS_ICONS = {
    Status.PRESENT: "\u2714",  # heavy check mark
    Status.PARTIAL: "\u25d0",  # circle with left half black
    Status.ABSENT: "\u2718",  # heavy ballot x
    Status.UNKNOWN: "?",
}
"""A shape per status, so a report printed in grey or read without colour still says it."""


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a reader can open, else None (no ``javascript:`` links)."""
    if url and url.startswith(("https://", "http://")):
        return url
    return None


def criterion_state(ratio: Ratio) -> str:
    """Where a criterion stands: "meets bar", "below bar", "informational" or "not measured"."""
    if not ratio.applies:
        return "not measured"
    if ratio.threshold is None or not ratio.scored:
        return "informational"
    return "meets bar" if (ratio.value or 0.0) >= ratio.threshold else "below bar"


@cache
def environment() -> Environment:
    """The template environment: autoescape on for every template, undefined names are errors."""
    env = Environment(
        loader=PackageLoader("traceready.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        icon=lambda status: STATUS_ICONS[Status(status)],
        safe_link=safe_link,
        criterion_state=criterion_state,
        describe_inventory=describe_inventory,
    )
    return env


def render_page(template: str, **context: Any) -> str:
    """Render one of the page templates (``audit.html.j2``, ``compare.html.j2``)."""
    return environment().get_template(template).render(**context)


def render_html(report: Report) -> str:
    """One audit as a self-contained HTML page."""
    return render_page(
        "audit.html.j2",
        report=report,
        title=f"traceready audit: {report.vendor}",
        tool_version=report.tool_version,
    )
