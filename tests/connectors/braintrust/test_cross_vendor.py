"""The same travel agent traced into OTel files (what the Phoenix tests load) and into Braintrust.

The Braintrust cassettes ran ``scripts/generate_samples.py``'s agent unchanged (same sessions, turns,
tools, failures and model parameters), so wherever both vendors record the same fact the audits must
agree, ratio for ratio. Where they differ, the Braintrust finding itself says why:

- ``b.tool_spans_with_call_id``: OpenInference tool spans carry the model's call id; Braintrust's
  ``@traced(type="tool")`` records none, so the finding names ``b.tool_call_id_missing`` with its fix.
- ``j``: files hold no project, so j is UNKNOWN there; Braintrust shows the project's (empty)
  experiments and datasets, so j is measured from the inventory.
"""

from __future__ import annotations

import pytest

from tests.connectors.braintrust.fake import FakeBraintrust
from tests.connectors.braintrust.test_connector import audit, connector
from tests.test_scenarios import audit as audit_file
from traceready.findings import Evidence

PAIRS = [("openinference_full", "logger_traced_tools"), ("llm_spans_no_tool_spans", "logger_plain_tools")]
EXPLAINED = {"b.tool_spans_with_call_id"}


def ratios(report) -> dict[str, tuple[int, int]]:
    return {r.metric: (r.numerator, r.denominator) for f in report.findings for r in f.metrics}


@pytest.mark.parametrize(("file_scenario", "braintrust_scenario"), PAIRS)
def test_same_agent_gets_the_same_verdicts_where_both_record_the_same_facts(
    file_scenario: str, braintrust_scenario: str
) -> None:
    from_file = audit_file(file_scenario)
    from_braintrust = audit(connector(FakeBraintrust(braintrust_scenario)))
    assert from_file.counts.spans_mapped == from_braintrust.counts.spans_mapped
    assert from_file.counts.traces == from_braintrust.counts.traces
    file_status = {f.requirement: f.status for f in from_file.findings}
    braintrust_status = {f.requirement: f.status for f in from_braintrust.findings}
    assert {k: file_status[k] for k in "abcdefghi"} == {k: braintrust_status[k] for k in "abcdefghi"}
    file_ratios, braintrust_ratios = ratios(from_file), ratios(from_braintrust)
    same = {m for m in file_ratios if not m.startswith("j.")} - EXPLAINED
    assert {m: file_ratios[m] for m in same} == {m: braintrust_ratios[m] for m in same}


def test_where_they_differ_the_braintrust_finding_says_why() -> None:
    from_file = audit_file("openinference_full")
    from_braintrust = audit(connector(FakeBraintrust("logger_traced_tools")))
    assert ratios(from_file)["b.tool_spans_with_call_id"] == (5, 5)
    assert ratios(from_braintrust)["b.tool_spans_with_call_id"] == (0, 5)
    tools = next(f for f in from_braintrust.findings if f.requirement == "b")
    assert "b.tool_call_id_missing" in tools.gaps
    assert any("tool_call_id" in (r.snippet or "") for r in tools.recommendations)

    file_j = next(f for f in from_file.findings if f.requirement == "j")
    braintrust_j = next(f for f in from_braintrust.findings if f.requirement == "j")
    assert (file_j.status.value, file_j.evidence) == ("UNKNOWN", Evidence.NONE)
    assert braintrust_j.evidence is Evidence.INVENTORY
    assert "no datasets with examples" in braintrust_j.reason
