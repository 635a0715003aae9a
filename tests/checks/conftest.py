from collections.abc import Callable

import pytest

from traceready.answers import Answers
from traceready.checks.base import Check, Context, Trace
from traceready.checks.thresholds import Thresholds
from traceready.connector import Inventory
from traceready.findings import Finding


@pytest.fixture
def run() -> Callable[..., Finding]:
    """Observe traces with a check and finish it, with optional inventory and answers."""

    def _run(
        check_cls: type[Check],
        *traces: Trace,
        inventory: Inventory | None = None,
        answers: Answers | None = None,
        thresholds: Thresholds | None = None,
    ) -> Finding:
        check = check_cls(thresholds or Thresholds())
        for t in traces:
            check.observe(t)
        return check.finish(
            Context(thresholds or Thresholds(), inventory or Inventory(), answers or Answers())
        )

    return _run


def ratio(finding: Finding, metric: str) -> tuple[int, int]:
    found = next(r for r in (*finding.metrics, *finding.breakdown) if r.metric == metric)
    return found.numerator, found.denominator
