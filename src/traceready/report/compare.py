"""Renderers of the compare report: terminal table, Markdown, JSON and HTML, by format name."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from io import StringIO
from types import TracebackType

import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from traceready.compare import Cell, CompareReport, Lack, TargetResult, catalog_of
from traceready.findings import Recommendation, Status
from traceready.report.html import STATUS_ICONS, render_page
from traceready.report.model import Report, describe_inventory

CompareRenderer = Callable[[CompareReport, bool], str]

_STYLE = {
    Status.PRESENT: "green",
    Status.PARTIAL: "yellow",
    Status.ABSENT: "red",
    Status.UNKNOWN: "dim",
}


class CompareProgress:
    """One live line per target on stderr while the audits run (nothing when stderr is no terminal)."""

    def __init__(self, labels: Sequence[str]) -> None:
        console = Console(stderr=True)
        self.live = console.is_terminal
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        self.progress = Progress(*columns, console=console, transient=True, disable=not self.live)
        self.tasks: dict[str, TaskID] = {
            label: self.progress.add_task(f"{label}: connecting", total=None) for label in labels
        }
        self.lock = threading.Lock()

    def update(self, label: str, spans: int, state: str) -> None:
        """Show how far ``label`` got (called from the target's thread)."""
        with self.lock:
            self.progress.update(self.tasks[label], description=f"{label}: {state}, {spans} spans mapped")
            if state != "pulling":
                self.progress.stop_task(self.tasks[label])

    def wait(self, label: str, delay: float, reason: str) -> None:
        """Say that ``label`` waits before a retry (``Pull.on_wait``: rate limit, 5xx backoff)."""
        why = "rate limit (429)" if reason == "429" else reason
        with self.lock:
            self.progress.update(self.tasks[label], description=f"{label}: {why}, waiting {delay:.0f}s")

    def __enter__(self) -> CompareProgress:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.progress.stop()


def target_header(result: TargetResult) -> list[str]:
    """Source, window, pulled = mapped + rejected and inventory of one target, or its error."""
    if result.report is None:
        assert result.error is not None
        return [f"error (exit {result.error.exit_code}): {result.error.message}"]
    report = result.report
    counts = report.counts
    lines = [
        f"source: {report.vendor} ({report.connector}"
        + (f", read as {report.maps_as}" if report.maps_as else "")
        + f"), {report.target}",
        f"window: {report.window}",
        f"records: {counts.accounting()}",
    ]
    if counts.rejections:
        lines.append("rejected: " + ", ".join(f"{k} {v}" for k, v in counts.rejections.items()))
    inventory = describe_inventory(report.inventory)
    lines.append(f"inventory: {inventory if inventory is not None else 'none seen'}")
    lines.append(f"verdict: {report.overall.verdict} Score {report.overall.score:.2f}.")
    lines += [f"{why} (exit 1)" for why in result.failed_gate]
    return lines


def short_label(label: str) -> str:
    """A target's label with a path cut to its last part (``otel:a/b/x.jsonl`` -> ``otel:x.jsonl``)."""
    source, sep, value = label.partition(":")
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    return f"{source}{sep}{tail}" if sep and tail else label


def _cell_text(cell: Cell, result: TargetResult) -> str:
    if cell.status is None:
        code = result.error.exit_code if result.error is not None else "?"
        return f"error (exit {code})"
    return f"{STATUS_ICONS[cell.status]} {cell.status.value} {cell.score or 0.0:.2f}"


def lack_line(lack: Lack) -> str:
    """One lack and its fix: ``langsmith:x: 0/40 ...; phoenix:y: 40/40. Fix (vendor limit): ...``."""
    owner = "vendor limit" if lack.owner == "vendor" else "team setting"
    fix = f" Fix ({owner}, {lack.fix.how}): {lack.fix.title}" if lack.fix is not None else f" ({owner})"
    return f"{lack.describe()}.{fix}"


def _same_agent_lines(report: CompareReport) -> list[str]:
    lines = []
    for group in report.same_agent:
        lines.append(
            f"Same agent in {', '.join(group.targets)}: {group.traces} traces and the same "
            f"{group.span_names} span names."
        )
        if not group.disagreements:
            lines.append("  They agree on every criterion of a-e that both record.")
        for d in group.disagreements:
            measured = "; ".join(f"{m.target} {m.numerator}/{m.denominator}" for m in d.measured)
            lines.append(
                f"  Disagree on {d.metric} ({d.label}): {measured} - a mapping or export bug somewhere."
            )
    return lines


def render_compare_table(report: CompareReport, colour: bool) -> str:
    """The comparison as a terminal table, with target headers, lacks and the answer."""
    buffer = StringIO()
    console = Console(
        file=buffer, force_terminal=colour, no_color=not colour, width=140, highlight=False, emoji=False
    )
    console.print(escape(f"traceready compare: {len(report.targets)} targets"))
    for result in report.targets:
        console.print(escape(f"\n{result.label}"), style="bold")
        for line in target_header(result):
            console.print(escape(f"  {line}"))
    table = Table(expand=True)
    table.add_column("req", no_wrap=True)
    table.add_column("requirement", no_wrap=True)
    for result in report.targets:
        table.add_column(escape(short_label(result.label)))
    table.add_column("records the most")
    results = {r.label: r for r in report.targets}
    for row in report.requirements:
        cells = []
        for cell in row.cells:
            text = escape(_cell_text(cell, results[cell.target]))
            cells.append(f"[{_STYLE[cell.status]}]{text}[/]" if cell.status is not None else text)
        table.add_row(
            row.requirement, row.title, *cells, escape(short_label(row.leader) if row.leader else "all alike")
        )
    console.print()
    console.print(table)
    lacking = [row for row in report.requirements if row.lacks]
    if lacking:
        console.print("What each target lacks against the one that records the most:")
        for row in lacking:
            for lack in row.lacks:
                console.print(escape(f"  {row.requirement}) {lack_line(lack)}"))
    for line in _same_agent_lines(report):
        console.print(escape(line))
    console.print()
    console.print(escape(report.answer), style="bold")
    return buffer.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_compare_markdown(report: CompareReport, colour: bool = False) -> str:
    """The comparison as GitHub-flavoured Markdown."""
    lines = [f"# traceready compare: {len(report.targets)} targets", "", f"**{report.answer}**", ""]
    for result in report.targets:
        lines += [f"## {result.label}", "", *[f"- {_md(line)}" for line in target_header(result)], ""]
    results = {r.label: r for r in report.targets}
    header = ["req", "requirement", *[_md(r.label) for r in report.targets], "records the most"]
    lines += ["## Side by side", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in report.requirements:
        cells = [_md(_cell_text(cell, results[cell.target])) for cell in row.cells]
        lines.append(
            f"| {row.requirement} | {row.title} | {' | '.join(cells)} | {_md(row.leader or 'all alike')} |"
        )
    lacking = [row for row in report.requirements if row.lacks]
    if lacking:
        lines += ["", "## What each target lacks", ""]
        for row in lacking:
            lines.append(f"### {row.requirement}) {row.title}: {row.leader} records the most")
            lines.append("")
            for lack in row.lacks:
                lines.append(f"- {_md(lack_line(lack))}")
                if lack.fix is not None and lack.fix.doc_url:
                    lines.append(f"  [docs]({lack.fix.doc_url})")
            lines.append("")
    same = _same_agent_lines(report)
    if same:
        lines += ["## Same agent", "", *[f"- {line.strip()}" for line in same], ""]
    lines += [
        f"_traceready {report.tool_version}, compare format {report.format_version}, "
        f"generated {report.generated_at}._",
        "",
    ]
    return "\n".join(lines)


def render_compare_json(report: CompareReport, colour: bool = False) -> str:
    """The comparison as indented JSON with sorted keys (each target's full report inside)."""
    data = report.model_dump(mode="json")
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"


def render_compare_html(report: CompareReport, colour: bool = False) -> str:
    """The comparison as one self-contained HTML page."""
    return render_page(
        "compare.html.j2",
        compare=report,
        results={r.label: r for r in report.targets},
        title=f"traceready compare: {', '.join(r.label for r in report.targets)}",
        tool_version=report.tool_version,
        short_label=short_label,
    )


COMPARE_RENDERERS: dict[str, CompareRenderer] = {
    "html": render_compare_html,
    "json": render_compare_json,
    "md": render_compare_markdown,
    "table": render_compare_table,
}


def _standing(side: Report) -> str:
    present = sum(f.status is Status.PRESENT for f in side.findings)
    ready = "Ready" if side.overall.ready else "Not ready"
    return f"{ready}, score {side.overall.score:.2f}, {present} of 10 PRESENT"


def render_before_after(report: CompareReport) -> str:
    """The first target as "before" and the second as "after", in words.

    The verdicts, then each requirement that moved: its status and score before and after, and the
    fixes whose gaps closed (the gaps each finding names, so a fix is credited only when its gap is
    gone after).
    """
    before, after = (r.report for r in report.targets[:2])
    if before is None or after is None:
        return "Before → after: not shown, a side could not be audited (see above).\n"
    fixes = {rec.gap: rec for finding in before.findings for rec in finding.recommendations}
    catalog = catalog_of(before)

    def fix_for(gap: str) -> Recommendation | None:
        """The fix the before report gave for ``gap``, or the one whose entry covers it."""
        covering = (
            rec for other, rec in fixes.items() if gap in getattr(catalog.root.get(other), "covers", ())
        )
        return fixes.get(gap) or next(covering, None)

    lines = [f"Before → after: {_standing(before)} → {_standing(after)}"]
    unchanged = []
    for old, new in zip(before.findings, after.findings, strict=True):
        if (old.status, round(old.score, 2)) == (new.status, round(new.score, 2)):
            unchanged.append(old.requirement)
            continue
        lines.append(
            f"  {old.requirement} {old.title}: {old.status.value} {old.score:.2f} → "
            f"{new.status.value} {new.score:.2f}"
        )
        for gap in (g for g in old.gaps if g not in new.gaps):
            fix = fix_for(gap)
            lines.append(f"    closed {gap}" + (f" by: {fix.title}" if fix is not None else ""))
        if old.status is Status.UNKNOWN:  # nothing to measure before: say what each side saw
            lines += [f"    before: {old.reason}", f"    after: {new.reason}"]
        opened = [g for g in new.gaps if g not in old.gaps]
        if opened:
            lines.append(f"    still open after (could not be measured before): {', '.join(opened)}")
    if unchanged:
        lines.append(f"  unchanged: {', '.join(unchanged)}")
    return "\n".join(lines) + "\n"
