"""The Markdown report, for pull requests, wikis and issue trackers."""

from __future__ import annotations

from traceready.findings import Finding
from traceready.instrumentation import describe
from traceready.report.model import Report, describe_inventory


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    counts = report.counts
    lines = [
        f"# traceready audit: {report.vendor}",
        "",
        f"**{report.overall.verdict}** Overall score {report.overall.score:.2f}.",
        "",
        f"- Target: {report.target}",
        f"- Window: {report.window}",
        f"- Records: {counts.accounting()}",
    ]
    if (instrumentation := describe(report.instrumentations)) is not None:
        lines.append(f"- Instrumentation: {instrumentation}")
    if counts.rejections:
        lines.append("- Rejected: " + ", ".join(f"{k} {v}" for k, v in counts.rejections.items()))
    if counts.data_quality:
        lines.append("- Data quality: " + ", ".join(f"{k} {v}" for k, v in counts.data_quality.items()))
    if (inventory := describe_inventory(report.inventory)) is not None:
        lines.append(f"- Inventory: {inventory}")
    if report.sample is not None:
        lines.append(
            f"- Sample: {report.sample.traces_drawn} of {report.sample.traces_in_window} traces drawn "
            "uniformly; ratios are estimates with 95% intervals"
        )
    if counts.late_spans:
        lines.append(f"- Late spans (arrived after their trace was scored): {counts.late_spans}")
    lines += [
        "",
        "| req | requirement | status | score | evidence | reason |",
        "|---|---|---|---|---|---|",
    ]
    for f in report.findings:
        lines.append(
            f"| {f.requirement} | {f.title} | {f.status.value} | {f.score:.2f} | {f.evidence.value} "
            f"| {_cell(f.reason)} |"
        )
    for f in report.findings:
        lines += ["", *_finding(f)]
    lines += [
        "",
        f"_traceready {report.tool_version}, report format {report.format_version}, "
        f"generated {report.generated_at}._",
        "",
    ]
    return "\n".join(lines)


def _finding(f: Finding) -> list[str]:
    lines = [f"## {f.requirement}) {f.title}: {f.status.value}", "", f.reason, ""]
    for ratio in (*f.metrics, *f.breakdown):
        if ratio.applies:
            bar = f" (bar {ratio.threshold:.2f})" if ratio.threshold is not None else " (informational)"
            interval = (
                f", 95% interval {ratio.interval[0]:.2f} to {ratio.interval[1]:.2f}" if ratio.interval else ""
            )
            lines.append(f"- `{ratio.metric}`: {ratio.describe()}{bar}{interval}")
    for note in f.notes:
        lines.append(f"- Note: {note}")
    if f.examples:
        lines += ["", "Examples:"]
        for example in f.examples:
            link = f" ([open]({example.url}))" if example.url else ""
            detail = f": {example.detail}" if example.detail else ""
            gap = f" `{example.gap}`" if example.gap else ""
            lines.append(f"- span `{example.span_id}` in trace `{example.trace_id}`{gap}{detail}{link}")
    if f.recommendations:
        lines += ["", "Fix:"]
        for rec in f.recommendations:
            lines.append(f"- **{rec.title}** (`{rec.gap}`, {rec.how}) [docs]({rec.doc_url})")
            if rec.snippet:
                lines += [
                    "",
                    "  ```",
                    *[f"  {line}" for line in rec.snippet.rstrip().splitlines()],
                    "  ```",
                ]
    return lines
