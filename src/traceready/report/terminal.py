"""The terminal report: fits the terminal's width, colour only when writing to a terminal.

Wide terminals get one table row per requirement; below ``STACK_BELOW`` columns each requirement is
a block (title, status and score on one line, the reason under it), so nothing hard-wraps into a
column a few characters wide. Long lines wrap with a hanging indent, never back to column 0.
"""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from traceready.findings import Evidence, Finding, Status
from traceready.instrumentation import describe
from traceready.report.model import Report, describe_inventory, describe_source

_STYLE = {
    Status.PRESENT: "green",
    Status.PARTIAL: "yellow",
    Status.ABSENT: "red",
    Status.UNKNOWN: "dim",
}

STACK_BELOW = 100
"""Terminals narrower than this get the stacked layout instead of the table."""

MAX_WIDTH = 200
"""Wider than this, lines get too long to read: the report stops growing."""

TOP_FIXES = 5


def render_terminal(report: Report, colour: bool, width: int | None = None) -> str:
    """The report as a table (or stacked blocks when narrow), the verdict and the top fixes.

    ``width`` None measures the terminal (rich reads ``COLUMNS``, then the terminal's size).
    """
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=colour,
        no_color=not colour,
        width=width,
        highlight=False,
        emoji=False,
    )
    console.width = min(console.width, MAX_WIDTH)
    counts = report.counts
    lines = []
    if report.agent is not None:
        lines.append(("agent", report.agent.describe()))
    lines += [
        ("window", report.window),
        (
            "read",
            f"{counts.records_pulled} records pulled = {counts.spans_mapped} mapped + "
            f"{counts.records_rejected} rejected; {counts.traces} traces",
        ),
    ]
    if (instrumentation := describe(report.instrumentations)) is not None:
        lines.append(("instrumentation", instrumentation))
    if counts.rejections:
        lines.append(("rejected", ", ".join(f"{k} {v}" for k, v in counts.rejections.items())))
    if counts.data_quality:
        lines.append(("data quality", ", ".join(f"{k} {v}" for k, v in counts.data_quality.items())))
    for read in counts.sources:
        lines.append(("file", describe_source(read)))
    if (inventory := describe_inventory(report.inventory)) is not None:
        lines.append(("inventory", inventory))
    if report.sample is not None:
        lines.append(
            (
                "sample",
                f"{report.sample.traces_drawn} of {report.sample.traces_in_window} traces drawn "
                "uniformly; ratios are estimates (95% intervals in --format md/json)",
            )
        )
    if counts.late_spans:
        lines.append(("late spans", f"{counts.late_spans} arrived after their trace was scored"))
    console.print(Text(f"traceready audit: {report.vendor} - {report.target}"))
    console.print(_hanging([(f"{label}:", Text(text)) for label, text in lines]))
    console.print(_stacked(report) if console.width < STACK_BELOW else _table(report))
    verdict_style = "bold green" if report.overall.ready else "bold red"
    verdict = Text.assemble((report.overall.verdict, verdict_style), f" score {report.overall.score:.2f}")
    console.print(_hanging([("verdict:", verdict)]))
    fixes = [(f.requirement, r) for f in report.findings for r in f.recommendations]
    order = {req: i for i, req in enumerate(report.overall.blockers)}
    fixes.sort(key=lambda item: order.get(item[0], 99))
    if fixes:
        # A ready report can still list fixes for criteria that inform but do not move the verdict.
        console.print(
            "\nTop fixes:" if not report.overall.ready else "\nStill worth fixing (the verdict stands):"
        )
        for requirement, rec in fixes[:TOP_FIXES]:
            console.print(_hanging([(f"  {requirement})", Text(f"[{rec.gap}] {rec.title}"))]))
            if rec.doc_url:
                # Never wrapped nor cut: a link must stay whole to be copied or clicked.
                console.print(Text(f"     {rec.doc_url}", style="cyan"), soft_wrap=True)
        left = len(fixes) - TOP_FIXES
        more = f"{left} more {'fix' if left == 1 else 'fixes'} and " if left > 0 else ""
        footer = f"(--format md or json lists {more}every finding with its evidence and examples)"
        console.print(_hanging([(" ", Text(footer))]))
    text = buffer.getvalue()
    # Cells are padded to the terminal's width; without colour codes the padding is plain trailing space.
    return text if colour else "\n".join(line.rstrip() for line in text.split("\n"))


def reason_of(finding: Finding) -> str:
    """The finding's reason, saying where the evidence came from unless the reason says it already."""
    if finding.evidence in (Evidence.OBSERVED, Evidence.NONE) or finding.evidence.value in finding.reason:
        return finding.reason
    reason = finding.reason.removesuffix(".")
    return f"{reason} ({finding.evidence.value})."


def _status(finding: Finding) -> Text:
    return Text(finding.status.value, style=_STYLE[finding.status])


def _table(report: Report) -> Table:
    table = Table(expand=True)
    table.add_column("req", no_wrap=True)
    table.add_column("requirement", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("why", ratio=1)
    for f in report.findings:
        table.add_row(f.requirement, f.title, _status(f), f"{f.score:.2f}", Text(reason_of(f)))
    return table


def _stacked(report: Report) -> Table:
    """One block per requirement: "a  Title  STATUS 0.50", then the reason indented under the title."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for f in report.findings:
        head = Text.assemble((f.title, "bold"), "  ", _status(f), f" {f.score:.2f}")
        grid.add_row(f"{f.requirement})", Text.assemble(head, "\n", reason_of(f)))
    return grid


def _hanging(rows: list[tuple[str | Text, Text]]) -> Table:
    """Label and text side by side: the text wraps under itself, not under the label."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for label, text in rows:
        grid.add_row(label, text)
    return grid
