"""Short summaries: ``--compact`` lines for cron mail, and the Markdown for ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

import os
from pathlib import Path

from traceready.regressions import Assessment, Outcome

STEP_SUMMARY_LIMIT = 1024 * 1024
"""GitHub rejects a step summary above 1 MiB; ours stays below it."""


def _flag(outcome: Outcome) -> str:
    if outcome.waived:
        return "waived"
    if outcome.regressions:
        return "REGRESSED"
    if not outcome.meets_bar:
        return "BELOW"
    return "ok"


def render_compact(assessments: list[Assessment]) -> str:
    """One line per requirement: target, requirement, status, score, flag, gap ids."""
    lines = []
    for assessment in assessments:
        for o in assessment.outcomes:
            f = o.finding
            extra = [*f.gaps, *[r.describe() for r in o.regressions]]
            extra += [f"waiver expired {w.expires.isoformat()}" for w in o.expired]
            line = f"{o.target} {f.requirement} {f.status.value:<7} {f.score:.2f} {_flag(o):<9} "
            line += " ".join(extra)
            lines.append(line.rstrip())
        lines.append(
            f"{assessment.record.target} overall {assessment.record.score:.2f}, "
            f"{len(assessment.regressions)} regressions"
        )
    return "\n".join(lines) + "\n"


def render_step_summary(assessments: list[Assessment]) -> str:
    """A Markdown summary per target: status table, regressions, waivers."""
    lines: list[str] = []
    for assessment in assessments:
        record = assessment.record
        lines += [
            f"### traceready: {record.target}",
            "",
            f"Overall score **{record.score:.2f}**; {record.pulled} records pulled = {record.mapped} mapped "
            f"+ {record.rejected} rejected; {len(assessment.regressions)} regressions.",
            "",
            "| req | requirement | status | score | result | notes |",
            "|---|---|---|---|---|---|",
        ]
        for o in assessment.outcomes:
            notes = "; ".join(
                [r.describe() for r in o.regressions]
                + [w.describe() for w in o.waivers]
                + [f"waiver expired {w.expires.isoformat()}" for w in o.expired]
                + list(o.finding.gaps)
            ).replace("|", "\\|")
            lines.append(
                f"| {o.finding.requirement} | {o.finding.title} | {o.finding.status.value} "
                f"| {o.finding.score:.2f} | {_flag(o)} | {notes} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def append_step_summary(assessments: list[Assessment], path: Path | None = None) -> Path | None:
    """Append the summary to ``$GITHUB_STEP_SUMMARY`` (or ``path``); None when neither is set.

    What is already in the file counts toward the 1 MiB cap; a summary that would pass it is cut
    at a line and says so.
    """
    target = path or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if target is None:
        return None
    used = target.stat().st_size if target.exists() else 0
    text = render_step_summary(assessments)
    room = STEP_SUMMARY_LIMIT - used - 200
    data = text.encode()
    if len(data) > room:
        cut = data[: max(0, room)].decode(errors="ignore").rsplit("\n", 1)[0]
        text = cut + "\n\n_traceready: summary cut to stay under GitHub's 1 MiB step-summary limit._\n"
    with target.open("a", encoding="utf-8") as stream:
        stream.write(text)
    return target


def render_follow_up(assessments: list[Assessment]) -> str:
    """The regressions since the previous audit and the waivers in force or expired, as plain lines.

    Empty when there is nothing of the kind: a cron job that is fine prints nothing on stderr.
    """
    lines = []
    for a in assessments:
        target = a.record.target
        found = [(o, r) for o in a.outcomes for r in o.regressions]
        if a.previous is not None and found:
            since = f"{a.previous.audited_at:%Y-%m-%d %H:%M}"
            lines.append(f"{target}: {len(a.regressions)} regressions since the audit of {since}")
            lines += [f"  {r.describe()}{' (waived)' if o.waived else ''}" for o, r in found]
        for o in a.outcomes:
            req = o.finding.requirement
            lines += [f"{target}: {req} {w.describe()}" for w in o.waivers]
            lines += [
                f"{target}: {req} waiver expired {w.expires.isoformat()} ({w.reason}): counts again"
                for w in o.expired
            ]
    return "".join(f"{line}\n" for line in lines)
