"""After an audit: record it in the history, judge it against the previous one, write CI formats.

The one entry point for ``audit`` and ``compare``:

```
checked = check_follow_up(options)                # before pulling: baseline and history readable
assessments = follow_up(named_reports, options, settings, today=...)
reasons = gate(assessments, options, settings)  # --fail-under (waivers applied), --fail-on-regression
```
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson
from pydantic import ValidationError

from traceready.errors import NotFoundError, UsageError, invalid
from traceready.history import AuditRecord, History, record_of
from traceready.regressions import Assessment, assess
from traceready.report.junit import render_junit
from traceready.report.metrics import write_metrics
from traceready.report.model import Report
from traceready.report.summary import append_step_summary
from traceready.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What to do with an audit once it is done (the audit command's flags)."""

    history: Path | None = None
    """The history database; None: ``Settings.history``, else the user data directory."""
    record: bool = True
    """False with ``--no-history``: neither read nor write the history."""
    baseline: Path | None = None
    """A saved JSON report to compare against instead of the history."""
    junit: Path | None = None
    metrics: Path | None = None
    fail_on_regression: bool = False
    fail_under: float | None = None
    fail_under_origin: str = "--fail-under"
    """Where the bar came from (the flag, ``TRACEREADY_FAIL_UNDER`` or the config file), for the message."""

    def history_path(self, settings: Settings) -> Path | None:
        """The history file in use, or None when the history is off."""
        if not self.record:
            return None
        return self.history or settings.history


def load_baseline(path: Path, target: str | None = None) -> AuditRecord:
    """A saved JSON report (``--format json``) as a history record, for ``--baseline``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"baseline report not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read the baseline report {path}: {exc.strerror}") from None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"baseline report {path} is not JSON ({exc})") from None
    # Each ratio's "value" is computed on the way out (Ratio.value); it is not an input field.
    findings = data.get("findings") if isinstance(data, dict) else None
    for finding in findings if isinstance(findings, list) else []:
        for key in ("metrics", "breakdown") if isinstance(finding, dict) else ():
            for ratio in finding.get(key) or ():
                if isinstance(ratio, dict):
                    ratio.pop("value", None)
    try:
        report = Report.model_validate(data)
    except ValidationError as exc:
        raise invalid(f"baseline report {path}", exc) from None
    return record_of(report, target)


def check_follow_up(options: FollowUp, settings: Settings) -> None:
    """Fail before the audit pulls anything when the baseline or the history cannot be used."""
    if options.baseline is not None:
        load_baseline(options.baseline)
    if options.record:
        with History.open(options.history_path(settings)):
            pass
    for out in (options.junit, options.metrics):
        if out is not None and not out.parent.is_dir():
            raise NotFoundError(f"folder not found for {out}")


def follow_up(
    reports: list[tuple[str | None, Report]],
    options: FollowUp,
    settings: Settings,
    *,
    today: date,
) -> list[Assessment]:
    """Record each (name, report), judge it against its previous audit or the baseline, write formats.

    Each audit is recorded in its own transaction, after its previous audit was read.
    """
    records = [record_of(report, name) for name, report in reports]
    baseline = options.baseline
    previous: list[AuditRecord | None]
    if options.record:
        with History.open(options.history_path(settings)) as history:
            previous = [history.latest(r.target) for r in records]
            for record in records:
                history.add(record)
            logger.info("recorded %d audits in %s", len(records), history.path)
    else:
        previous = [None] * len(records)
    if baseline is not None:
        previous = [load_baseline(baseline, r.target) for r in records]
    assessments = [
        assess(
            record,
            before,
            waivers=settings.waivers,
            today=today,
            tolerance=settings.regression_tolerance,
        )
        for record, before in zip(records, previous, strict=True)
    ]
    if options.junit is not None:
        options.junit.write_text(render_junit(assessments), encoding="utf-8")
    if options.metrics is not None:
        write_metrics(assessments, options.metrics)
    append_step_summary(assessments)
    return assessments


def gate(assessments: list[Assessment], options: FollowUp, settings: Settings) -> list[str]:
    """Why the run fails (one line each): below ``--fail-under`` with waivers applied, or regressed."""
    bar, origin = options.fail_under, options.fail_under_origin
    if bar is None:
        bar, origin = settings.fail_under, "fail_under"
    return [*below_bar(assessments, bar, origin), *regressed(assessments, options)]


def below_bar(assessments: list[Assessment], bar: float | None, origin: str) -> list[str]:
    """One line per target whose score, waived requirements left out, is below ``bar`` (set by ``origin``)."""
    reasons = []
    for assessment in assessments:
        if bar is not None and assessment.gated_score < bar:
            waived = (
                " (waived requirements left out)" if assessment.gated_score != assessment.record.score else ""
            )
            score = f"{assessment.gated_score:.2f}{waived}"
            reasons.append(f"{assessment.record.target}: overall score {score} is below {origin} {bar:.2f}")
    return reasons


def regressed(assessments: list[Assessment], options: FollowUp) -> list[str]:
    """One line per regressed target, with ``--fail-on-regression`` (the regressions are listed apart)."""
    if not options.fail_on_regression:
        return []
    what = "the baseline" if options.baseline is not None else "the previous audit"
    return [
        f"{a.record.target}: {len(a.regressions)} regressions since {what} (--fail-on-regression)"
        for a in assessments
        if a.regressions
    ]
