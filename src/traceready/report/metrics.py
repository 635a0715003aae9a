"""OpenMetrics text for the Prometheus node-exporter textfile collector, written atomically.

```
traceready_requirement_score{target="prod",requirement="b"} 1.0
traceready_requirement_status{target="prod",requirement="b"} 3.0   # 3 PRESENT 2 PARTIAL 1 ABSENT 0 UNKNOWN
traceready_records{target="prod",kind="pulled"} 500.0
traceready_audit_timestamp_seconds{target="prod"} 1.7e+09
```
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.openmetrics.exposition import generate_latest

from traceready.findings import rank
from traceready.regressions import Assessment


def metrics_registry(assessments: list[Assessment]) -> CollectorRegistry:
    """A registry of its own (never the process-global one) holding the assessments as gauges."""
    registry = CollectorRegistry(auto_describe=True)
    labels = ["target", "requirement"]
    score = Gauge("traceready_requirement_score", "Score 0 to 1 of a requirement", labels, registry=registry)
    status = Gauge(
        "traceready_requirement_status",
        "Level of a requirement: 3 PRESENT, 2 PARTIAL, 1 ABSENT, 0 UNKNOWN",
        labels,
        registry=registry,
    )
    regressed = Gauge(
        "traceready_requirement_regressions",
        "Regressions of a requirement since the previous audit",
        labels,
        registry=registry,
    )
    waived = Gauge(
        "traceready_requirement_waived",
        "1 when an active waiver covers the requirement",
        labels,
        registry=registry,
    )
    overall = Gauge("traceready_overall_score", "Overall score 0 to 1", ["target"], registry=registry)
    records = Gauge(
        "traceready_records", "Records pulled, mapped and rejected", ["target", "kind"], registry=registry
    )
    audited = Gauge(
        "traceready_audit_timestamp", "When the audit ran", ["target"], unit="seconds", registry=registry
    )
    for assessment in assessments:
        record = assessment.record
        for outcome in assessment.outcomes:
            key = (record.target, outcome.finding.requirement)
            score.labels(*key).set(outcome.finding.score)
            status.labels(*key).set(rank(outcome.finding.status))
            regressed.labels(*key).set(len(outcome.regressions))
            waived.labels(*key).set(int(outcome.waived))
        overall.labels(record.target).set(record.score)
        for kind, count in (
            ("pulled", record.pulled),
            ("mapped", record.mapped),
            ("rejected", record.rejected),
        ):
            records.labels(record.target, kind).set(count)
        audited.labels(record.target).set(record.audited_at.timestamp())
    return registry


def render_metrics(assessments: list[Assessment]) -> str:
    """The assessments as OpenMetrics text (ends with ``# EOF``)."""
    # prometheus_client's OpenMetrics exposition is untyped; it returns bytes.
    data: bytes = generate_latest(metrics_registry(assessments))  # type: ignore[no-untyped-call]
    return data.decode()


def write_metrics(assessments: list[Assessment], path: Path) -> None:
    """Write the metrics to ``path`` atomically: a temporary file beside it, then a rename.

    The textfile collector may read at any moment; a rename means it sees the old file or the new one.
    """
    text = render_metrics(assessments)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
