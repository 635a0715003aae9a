"""``traceready history`` output: trends per target and requirement as table, Markdown, JSON or HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape as html_escape
from io import StringIO

import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from traceready.findings import Status
from traceready.regressions import Outcome
from traceready.trends import RequirementTrend, TargetTrend

_BLOCKS = "▁▂▃▄▅▆▇█"
_COLOUR = {
    Status.PRESENT: "#1a7f37",
    Status.PARTIAL: "#bf8700",
    Status.ABSENT: "#cf222e",
    Status.UNKNOWN: "#8c959f",
}
_STYLE = {Status.PRESENT: "green", Status.PARTIAL: "yellow", Status.ABSENT: "red", Status.UNKNOWN: "dim"}


def sparkline(scores: tuple[float, ...] | list[float]) -> str:
    """Scores 0 to 1 as block characters, oldest first: ``▁▄█``."""
    return "".join(_BLOCKS[min(len(_BLOCKS) - 1, max(0, int(s * len(_BLOCKS))))] for s in scores)


def _coloured_sparkline(trend: RequirementTrend) -> str:
    """The sparkline with each audit's block in its status colour (rich markup): changes stand out."""
    return "".join(f"[{_STYLE[p.status]}]{sparkline([p.score])}[/]" for p in trend.points)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _last_change(trend: RequirementTrend) -> str:
    change = trend.last_change
    if change is None:
        return "no change"
    return f"{change.before.value} -> {change.after.value} on {_when(change.audited_at)}"


def _mark(outcome: Outcome | None) -> str:
    if outcome is None:
        return ""
    parts = [r.describe() for r in outcome.regressions]
    parts += [w.describe() for w in outcome.waivers]
    parts += [f"waiver expired {w.expires.isoformat()}" for w in outcome.expired]
    return "; ".join(parts)


def _outcomes(trend: TargetTrend) -> dict[str, Outcome]:
    return {o.finding.requirement: o for o in trend.latest.outcomes}


def _regression_lines(trend: TargetTrend) -> list[str]:
    previous = trend.latest.previous
    if previous is None:
        return ["First audit of this target: nothing to compare yet."]
    found = [o for o in trend.latest.outcomes if o.regressions]
    if not found:
        return [f"No regression since the previous audit ({_when(previous.audited_at)})."]
    lines = [f"Regressions since the previous audit ({_when(previous.audited_at)}):"]
    for outcome in found:
        waived = " (waived)" if outcome.waived else ""
        lines += [f"- {r.describe()}{waived}" for r in outcome.regressions]
    return lines


def render_trends_table(trends: list[TargetTrend], colour: bool) -> str:
    """The trends as rich tables, one per target."""
    buffer = StringIO()
    console = Console(file=buffer, force_terminal=colour, no_color=not colour, width=140, highlight=False)
    if not trends:
        console.print("No audit recorded in this period.")
    for trend in trends:
        outcomes = _outcomes(trend)
        console.print(
            escape(
                f"{trend.target}: {trend.audits} audits, {_when(trend.first)} to {_when(trend.last)}; "
                f"overall {sparkline(trend.scores)} {trend.scores[-1]:.2f}"
            )
        )
        table = Table(expand=True)
        for name in ("req", "requirement", "trend", "now", "score", "last change", "regressed / waived"):
            table.add_column(name, no_wrap=name in ("req", "trend", "now"))
        for req in trend.requirements:
            now = req.points[-1]
            table.add_row(
                req.requirement,
                escape(req.title),
                _coloured_sparkline(req),
                f"[{_STYLE[now.status]}]{now.status.value}[/]",
                f"{now.score:.2f}",
                _last_change(req),
                escape(_mark(outcomes.get(req.requirement))),
            )
        console.print(table)
        for line in _regression_lines(trend):
            console.print(escape(line))
        console.print()
    return buffer.getvalue()


def render_trends_markdown(trends: list[TargetTrend]) -> str:
    """The trends as GitHub-flavoured Markdown."""
    lines = ["# traceready history", ""]
    if not trends:
        lines.append("No audit recorded in this period.")
    for trend in trends:
        outcomes = _outcomes(trend)
        lines += [
            f"## {trend.target}",
            "",
            f"{trend.audits} audits, {_when(trend.first)} to {_when(trend.last)}; overall "
            f"`{sparkline(trend.scores)}` {trend.scores[-1]:.2f}",
            "",
            "| req | requirement | trend | now | score | last change | regressed / waived |",
            "|---|---|---|---|---|---|---|",
        ]
        for req in trend.requirements:
            now = req.points[-1]
            mark = _mark(outcomes.get(req.requirement)).replace("|", "\\|")
            lines.append(
                f"| {req.requirement} | {req.title} | `{sparkline([p.score for p in req.points])}` "
                f"| {now.status.value} | {now.score:.2f} | {_last_change(req)} | {mark} |"
            )
        lines += ["", *_regression_lines(trend), ""]
    return "\n".join(lines) + "\n"


def render_trends_json(trends: list[TargetTrend]) -> str:
    """The trends as JSON (sorted keys)."""
    data = [t.model_dump(mode="json", exclude={"latest": {"record", "previous"}}) for t in trends]
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"


_W, _H, _PAD = 260, 48, 6


def _chart(points: list[tuple[float, Status | None]], label: str) -> str:
    """An inline SVG line chart of scores 0 to 1, one dot per audit coloured by status."""
    n = len(points)
    step = (_W - 2 * _PAD) / max(1, n - 1)
    xy = [(_PAD + i * step, _H - _PAD - score * (_H - 2 * _PAD)) for i, (score, _) in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_COLOUR[status] if status else "#0969da"}">'
        f"<title>{score:.2f}{' ' + status.value if status else ''}</title></circle>"
        for (x, y), (score, status) in zip(xy, points, strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" role="img" '
        f'aria-label="{html_escape(label)}"><rect width="{_W}" height="{_H}" fill="#f6f8fa"/>'
        f'<polyline points="{line}" fill="none" stroke="#57606a" stroke-width="1.5"/>{dots}</svg>'
    )


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>traceready history</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
td, th {{ border-bottom: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: middle; }}
.PRESENT {{ color: #1a7f37; }} .PARTIAL {{ color: #bf8700; }} .ABSENT {{ color: #cf222e; }}
.UNKNOWN {{ color: #8c959f; }} .regressed {{ color: #cf222e; font-weight: 600; }}
</style></head><body>
<h1>traceready history</h1>
{body}
</body></html>
"""


def render_trends_html(trends: list[TargetTrend]) -> str:
    """A self-contained HTML page: one chart per requirement (inline SVG), no script, no network."""
    body: list[str] = []
    if not trends:
        body.append("<p>No audit recorded in this period.</p>")
    for trend in trends:
        e: Callable[[str], str] = html_escape
        outcomes = _outcomes(trend)
        body += [
            f"<h2>{e(trend.target)}</h2>",
            f"<p>{trend.audits} audits, {_when(trend.first)} to {_when(trend.last)}; overall score "
            f"{trend.scores[-1]:.2f}</p>",
            _chart([(s, None) for s in trend.scores], f"{trend.target} overall score"),
            "<table><tr><th>req</th><th>requirement</th><th>trend</th><th>now</th><th>score</th>"
            "<th>last change</th><th>regressed / waived</th></tr>",
        ]
        for req in trend.requirements:
            now = req.points[-1]
            outcome = outcomes.get(req.requirement)
            css = ' class="regressed"' if outcome and outcome.regressions else ""
            body.append(
                f"<tr><td>{e(req.requirement)}</td><td>{e(req.title)}</td>"
                f"<td>{_chart([(p.score, p.status) for p in req.points], req.title)}</td>"
                f'<td class="{now.status.value}">{now.status.value}</td><td>{now.score:.2f}</td>'
                f"<td>{e(_last_change(req))}</td><td{css}>{e(_mark(outcome))}</td></tr>"
            )
        body.append("</table>")
        body += [f"<p>{e(line)}</p>" for line in _regression_lines(trend)]
    return _PAGE.format(body="\n".join(body))


TREND_RENDERERS: dict[str, Callable[[list[TargetTrend], bool], str]] = {
    "table": render_trends_table,
    "md": lambda trends, colour: render_trends_markdown(trends),
    "json": lambda trends, colour: render_trends_json(trends),
    "html": lambda trends, colour: render_trends_html(trends),
}
"""``traceready history --format`` choices."""
