"""Reports of the bundled samples, audited for real, and hand-built history records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.conftest import SAMPLES
from traceready.audit import run_audit
from traceready.connector import get_connector
from traceready.findings import Status
from traceready.history import AuditRecord, Criterion, FindingRecord
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.recommend import Catalog
from traceready.report.model import Report


@pytest.fixture(scope="session")
def sample_report() -> Callable[[str], Report]:
    """The audit report of a bundled OTel sample (``"openinference_full"``)."""
    cache: dict[str, Report] = {}

    def audit(name: str) -> Report:
        if name not in cache:
            connector = get_connector("otel")([SAMPLES / f"{name}.otlp.jsonl"])  # type: ignore[call-arg]
            cache[name] = run_audit(connector, Mapper(load_mapping("otel")), catalog=Catalog({}))
        return cache[name]

    return audit


def record(
    target: str = "prod",
    *,
    at: datetime = datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
    findings: dict[str, tuple[Status, list[tuple[str, int, int]]]] | None = None,
    gaps: dict[str, tuple[str, ...]] | None = None,
) -> AuditRecord:
    """A record with findings ``{"b": (Status.PRESENT, [("b.metric", 5, 5)])}`` (score = mean ratio)."""
    findings = findings or {"b": (Status.PRESENT, [("b.tool_spans_with_arguments", 50, 50)])}
    built = []
    for req, (status, criteria) in findings.items():
        ratios = [n / d for _, n, d in criteria if d]
        built.append(
            FindingRecord(
                requirement=req,
                title=f"requirement {req}",
                status=status,
                score=round(sum(ratios) / len(ratios), 4) if ratios else 0.0,
                evidence="observed",
                reason=", ".join(f"{n} of {d} {m}" for m, n, d in criteria),
                gaps=(gaps or {}).get(req, ()),
                criteria=tuple(
                    Criterion(metric=m, label=m.split(".")[1], numerator=n, denominator=d, threshold=0.9)
                    for m, n, d in criteria
                ),
            )
        )
    return AuditRecord(
        target=target,
        source="otel",
        location="agent.jsonl",
        window="all spans in the input",
        audited_at=at,
        tool_version="0.1.0",
        thresholds={"present": 0.9},
        pulled=100,
        mapped=98,
        rejected=2,
        traces=20,
        score=round(sum(f.score for f in built) / len(built), 4),
        findings=tuple(built),
    )
