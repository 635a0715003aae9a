"""The same agent traced into OTel files (what Phoenix also reads) and into LangSmith.

``scripts/generate_samples.py``'s travel agent (3 sessions x 2 turns, a Lisbon timeout, a parallel
Tokyo + London call) was recorded by OpenInference into OTLP files and by the langsmith SDK into the
cassettes. Where both vendors record the same facts (a-e) the verdicts and every measured ratio
must agree; where they differ, the LangSmith finding must carry the fact that explains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest
from click.testing import CliRunner

from tests.connectors.langsmith.conftest import SINCE, project
from tests.connectors.langsmith.replay import ReplayServer
from tests.test_scenarios import audit as audit_file
from traceready.cli import app

PAIRS = {
    # OTel sample file:        LangSmith scenario
    "openinference_full": "traceable_full",
    "llm_spans_no_tool_spans": "traceable_no_tool_spans",
    "redacted": "traceable_hidden_io",
}
SAME_FACTS = "abcde"
RECORDED_DIFFERENTLY = {"b.tool_spans_with_call_id"}
"""@traceable tool runs have no tool_call_id (OpenInference tool spans do); matched by name and order."""

# What LangSmith records that the OTel files cannot, per requirement: (OTel status, LangSmith
# status, the sentence of the LangSmith reason or note that says why).
WHY = {
    "openinference_full": {
        # Feedback (user_score, failure_type) rides on the runs: versions are tied to scores.
        "f": ("PARTIAL", "PRESENT", "6 of 6 versioned traces tied to scores or experiments"),
        # The failed turn carries categorical failure_type feedback.
        "g": ("PARTIAL", "PRESENT", "1 of 1 failed steps whose trace carries a categorical label"),
        # LangSmith prices tokens server-side from the workspace price table.
        "h": ("PARTIAL", "PRESENT", "10 of 10 model calls with cost"),
        # evaluate() experiments are their own projects, tied to the workspace's dataset.
        "i": ("UNKNOWN", "PRESENT", "2 experiment projects are kept apart from production."),
        "j": ("UNKNOWN", "PRESENT", "Datasets with examples: 1"),
    },
    "llm_spans_no_tool_spans": {
        # No feedback here: the versions link to the workspace experiments naming agent_version 1.4.0.
        "f": ("PARTIAL", "PRESENT", "6 of 6 versioned traces tied to scores or experiments"),
        "h": ("PARTIAL", "PRESENT", "10 of 10 model calls with cost"),
        "i": ("UNKNOWN", "PRESENT", "2 experiment projects are kept apart from production."),
        "j": ("UNKNOWN", "PRESENT", "Datasets with examples: 1"),
    },
    "redacted": {
        "f": ("PARTIAL", "PRESENT", "6 of 6 versioned traces tied to scores or experiments"),
        "g": ("PARTIAL", "PRESENT", "1 of 1 failed steps whose trace carries a categorical label"),
        # Hiding inputs and outputs leaves the server's token and cost columns.
        "h": ("PARTIAL", "PRESENT", "10 of 10 model calls with cost"),
        "i": ("UNKNOWN", "PRESENT", "2 experiment projects are kept apart from production."),
        "j": ("UNKNOWN", "PRESENT", "Datasets with examples: 1"),
    },
}


@pytest.fixture(scope="module")
def langsmith_reports() -> Iterator[dict[str, dict]]:
    with ReplayServer(backend="v1") as url:
        reports = {}
        for otel, scenario in PAIRS.items():
            args = ["audit", "langsmith", "--project", project(scenario), "--endpoint", url, "--since", SINCE]
            result = CliRunner(env={"LANGSMITH_API_KEY": "k"}).invoke(app, [*args, "-f", "json"])
            assert result.exit_code == 0, result.output
            reports[otel] = {f["requirement"]: f for f in orjson.loads(result.stdout)["findings"]}
        yield reports


@pytest.mark.parametrize("otel", sorted(PAIRS))
def test_same_facts_give_the_same_verdicts_and_ratios(langsmith_reports, otel: str) -> None:
    files = {f.requirement: f for f in audit_file(otel).findings}
    langsmith = langsmith_reports[otel]
    for requirement in SAME_FACTS:
        assert langsmith[requirement]["status"] == files[requirement].status.value, requirement
        ours = {
            m.metric: (m.numerator, m.denominator)
            for m in files[requirement].metrics
            if m.metric not in RECORDED_DIFFERENTLY
        }
        theirs = {
            m["metric"]: (m["numerator"], m["denominator"])
            for m in langsmith[requirement]["metrics"]
            if m["metric"] not in RECORDED_DIFFERENTLY
        }
        assert theirs == ours, requirement


@pytest.mark.parametrize("otel", sorted(PAIRS))
def test_where_verdicts_differ_the_finding_says_why(langsmith_reports, otel: str) -> None:
    files = {f.requirement: f for f in audit_file(otel).findings}
    langsmith = langsmith_reports[otel]
    differing = {r for r in "fghij" if langsmith[r]["status"] != files[r].status.value}
    assert differing == set(WHY[otel])
    for requirement, (file_status, langsmith_status, because) in WHY[otel].items():
        assert files[requirement].status.value == file_status
        assert langsmith[requirement]["status"] == langsmith_status
        told = " ".join([langsmith[requirement]["reason"], *langsmith[requirement]["notes"]])
        assert because in told, (requirement, told)


def test_tool_call_ids_are_the_one_fact_recorded_differently(langsmith_reports) -> None:
    files = {f.requirement: f for f in audit_file("openinference_full").findings}
    ids = next(m for m in files["b"].metrics if m.metric == "b.tool_spans_with_call_id")
    theirs = next(
        m for m in langsmith_reports["openinference_full"]["b"]["metrics"] if m["metric"] == ids.metric
    )
    assert (ids.numerator, ids.denominator) == (5, 5)
    assert (theirs["numerator"], theirs["denominator"]) == (0, 5)
    assert "b.tool_call_id_missing" in langsmith_reports["openinference_full"]["b"]["gaps"]


def test_phoenix_recording_of_the_same_agent_agrees_on_a_to_e(langsmith_reports) -> None:
    """Phoenix's recorded project (same OpenInference traces as openinference_full) vs LangSmith."""
    from tests.cassettes import CASSETTES, replayer
    from traceready.audit import run_audit
    from traceready.connectors.phoenix import PhoenixConnector, PhoenixSettings
    from traceready.mapping.mapper import Mapper
    from traceready.mapping.spec import load_mapping
    from traceready.recommend import load_catalog
    from traceready.window import Window

    settings = PhoenixSettings(endpoint="http://127.0.0.1:6210", project="demo")
    catalog = load_catalog(PhoenixConnector.package_dir() / "recommendations.yaml")
    window = Window(start=datetime(2016, 1, 1, tzinfo=UTC))
    with replayer().use_cassette(str(CASSETTES / "phoenix" / "openinference_full_with_experiment.yaml")):
        report = run_audit(
            PhoenixConnector(settings, window), Mapper(load_mapping("phoenix")), catalog=catalog
        )
    phoenix = {f.requirement: f for f in report.findings}
    langsmith = langsmith_reports["openinference_full"]
    assert {r: phoenix[r].status.value for r in SAME_FACTS} == {r: langsmith[r]["status"] for r in SAME_FACTS}
    differing = {r: (phoenix[r].status.value, langsmith[r]["status"]) for r in "fghij"}
    differing = {r: pair for r, pair in differing.items() if pair[0] != pair[1]}
    # Both record the same facts on f-j for this agent: Phoenix ties the traces' version to a scored
    # experiment and labels the failed span with its failure taxonomy; LangSmith carries feedback.
    assert differing == {}
    assert "6 of 6 versioned traces tied to scores or experiments" in phoenix["f"].reason
    assert "1 of 1 failed steps whose trace carries a categorical label" in phoenix["g"].reason
    assert "6 of 6 versioned traces tied to scores or experiments" in langsmith["f"]["reason"]
    assert "1 of 1 failed steps whose trace carries a categorical label" in langsmith["g"]["reason"]
