"""The terminal report: a rich table, colour only when writing to a terminal."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from traceready.findings import Status
from traceready.instrumentation import describe
from traceready.report.model import Report, describe_inventory, describe_source

_STYLE = {
    Status.PRESENT: "green",
    Status.PARTIAL: "yellow",
    Status.ABSENT: "red",
    Status.UNKNOWN: "dim",
}


def render_terminal(report: Report, colour: bool) -> str:
    """The report as a table with the verdict, counts and the top fixes."""
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=colour,
        no_color=not colour,
        width=120,
        highlight=False,
        emoji=False,
    )
    counts = report.counts
    verdict_style = "bold green" if report.overall.ready else "bold red"
    console.print(escape(f"traceready audit: {report.vendor} - {report.target}"))
    if report.agent is not None:
        console.print(escape(f"agent: {report.agent.describe()}"))
    console.print(
        f"window: {report.window}; {counts.records_pulled} records pulled = "
        f"{counts.spans_mapped} mapped + {counts.records_rejected} rejected; {counts.traces} traces"
    )
    if (instrumentation := describe(report.instrumentations)) is not None:
        console.print(escape(f"instrumentation: {instrumentation}"))
    if counts.rejections:
        console.print(escape("rejected: " + ", ".join(f"{k} {v}" for k, v in counts.rejections.items())))
    if counts.data_quality:
        console.print(
            escape("data quality: " + ", ".join(f"{k} {v}" for k, v in counts.data_quality.items()))
        )
    for read in counts.sources:
        console.print(escape(f"  file {describe_source(read)}"), soft_wrap=True)
    if (inventory := describe_inventory(report.inventory)) is not None:
        console.print(escape(f"inventory: {inventory}"))
    if report.sample is not None:
        console.print(
            f"sample: {report.sample.traces_drawn} of {report.sample.traces_in_window} traces drawn "
            "uniformly; ratios are estimates (95% intervals in --format md/json)"
        )
    if counts.late_spans:
        console.print(f"late spans (arrived after their trace was scored): {counts.late_spans}")
    table = Table(show_lines=False, expand=True)
    table.add_column("req", no_wrap=True)
    table.add_column("requirement")
    table.add_column("status", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("why")
    for f in report.findings:
        source = "" if f.evidence.value in ("observed", "none") else f" ({f.evidence.value})"
        table.add_row(
            f.requirement,
            f.title,
            f"[{_STYLE[f.status]}]{f.status.value}[/]",
            f"{f.score:.2f}",
            f.reason + source,
        )
    console.print(table)
    console.print(f"[{verdict_style}]{escape(report.overall.verdict)}[/] score {report.overall.score:.2f}")
    fixes = [(f.requirement, r) for f in report.findings for r in f.recommendations]
    order = {req: i for i, req in enumerate(report.overall.blockers)}
    fixes.sort(key=lambda item: order.get(item[0], 99))
    if fixes:
        console.print("\nTop fixes:")
        for requirement, rec in fixes[:5]:
            console.print(escape(f"  {requirement}) [{rec.gap}] {rec.title}\n     {rec.doc_url}"))
        console.print("  (--format md or json lists every finding with its evidence and examples)")
    return buffer.getvalue()
