from datetime import date, timedelta

import pytest

from tests.checks.conftest import ratio
from tests.factories import agent, llm, tool, trace
from traceready.answers import Answers, EvalHarnessAnswers, FailureAnswers, SandboxAnswers, VersioningAnswers
from traceready.checks.base import has_latency
from traceready.checks.f_baselines import BaselinesCheck
from traceready.checks.g_failures import FailuresCheck, classify
from traceready.checks.h_cost_latency import CostLatencyCheck
from traceready.checks.i_sandbox import SandboxCheck
from traceready.checks.j_eval_harness import EvalHarnessCheck
from traceready.connector import Inventory
from traceready.findings import Evidence, Status
from traceready.model import Score, Usage, Versions


def test_versioned_traces_without_scores_are_partial(run):
    finding = run(BaselinesCheck, trace(agent(versions=Versions(harness="1.0"))))
    assert finding.status is Status.PARTIAL
    assert ratio(finding, "f.traces_with_version") == (1, 1)
    assert "f.versions_not_linked_to_scores" in finding.gaps
    assert "f.single_version" in finding.gaps


def test_unversioned_traces_are_absent(run):
    assert run(BaselinesCheck, trace(agent())).status is Status.ABSENT


def test_two_scored_versions_are_present(run):
    scored = (Score(name="correct", value=1.0),)
    finding = run(
        BaselinesCheck,
        trace(agent(versions=Versions(harness="1"), scores=scored)),
        trace(agent(versions=Versions(prompt="p2"), scores=scored), trace_id="t2"),
    )
    assert finding.status is Status.PRESENT


def test_harness_outside_version_control_blocks_present(run):
    scored = (Score(name="c", value=1.0),)
    answers = Answers(versioning=VersioningAnswers(harness_in_version_control=False))
    finding = run(
        BaselinesCheck,
        trace(agent(versions=Versions(harness="1"), scores=scored)),
        trace(agent(versions=Versions(harness="2"), scores=scored), trace_id="t2"),
        answers=answers,
    )
    assert finding.status is Status.PARTIAL
    assert "f.harness_not_in_version_control" in finding.gaps


@pytest.mark.parametrize(
    ("error_type", "expected"),
    [
        pytest.param("TimeoutError", "timeout", id="timeout"),
        pytest.param("openai.RateLimitError", "rate_limit", id="rate_limit"),
        pytest.param("429", "rate_limit", id="http_429"),
        pytest.param("AuthenticationError", "auth", id="auth"),
        pytest.param("pydantic.ValidationError", "invalid_tool_arguments", id="bad_args"),
        pytest.param("APIConnectionError", "network", id="network"),
        pytest.param("ZeroDivisionError", "other", id="other"),
    ],
)
def test_error_types_map_to_mechanical_classes(error_type, expected):
    assert classify(error_type) == expected


def test_untyped_failures_are_absent(run):
    finding = run(FailuresCheck, trace(tool(failed=True, error_type=None)))
    assert finding.status is Status.ABSENT
    assert ratio(finding, "g.failures_with_type") == (0, 1)


def test_typed_unlabelled_failures_are_partial_and_recommend_a_taxonomy(run):
    finding = run(FailuresCheck, trace(tool(failed=True, error_type="TimeoutError")))
    assert finding.status is Status.PARTIAL
    assert ratio(finding, "g.class.timeout") == (1, 1)
    assert "g.no_failure_taxonomy" in finding.gaps


def test_max_tokens_finish_reason_is_a_classified_failure(run):
    cut = llm().replace(llm=llm().llm.replace(finish_reasons=("length",)))
    finding = run(FailuresCheck, trace(cut))
    assert ratio(finding, "g.class.max_tokens") == (1, 1)


def test_labelled_failures_with_reported_taxonomy_are_present(run):
    label = (Score(name="failure_category", label="tool_misuse"),)
    answers = Answers(failures=FailureAnswers(taxonomy="TRAIL"))
    finding = run(
        FailuresCheck, trace(tool(failed=True, error_type="TimeoutError", scores=label)), answers=answers
    )
    assert finding.status is Status.PRESENT
    assert "Failure taxonomy in use: TRAIL (self-reported)." in finding.notes


def test_an_evaluator_verdict_is_not_a_failure_category_where_the_vendor_holds_a_taxonomy(run):
    # "correctness: incorrect" says the trace went wrong, not what kind of failure it was.
    judged = trace(
        tool(failed=True, error_type="TimeoutError", scores=(Score(name="correctness", label="no"),))
    )
    classified = trace(
        tool(
            failed=True, error_type="TimeoutError", scores=(Score(name="failure_type", label="tool_timeout"),)
        ),
        trace_id="t2",
    )
    inventory = Inventory(failure_taxonomies=("failure_type",))
    finding = run(FailuresCheck, judged, classified, inventory=inventory)
    assert ratio(finding, "g.failures_labelled") == (1, 2)
    assert finding.status is Status.PARTIAL
    assert "labels seen: correctness" in " ".join(finding.notes)
    assert run(FailuresCheck, classified, inventory=inventory).status is Status.PRESENT


def test_labels_count_as_they_are_where_the_source_cannot_show_a_taxonomy(run):
    labelled = trace(
        tool(failed=True, error_type="TimeoutError", scores=(Score(name="triage", label="infra"),))
    )
    assert ratio(run(FailuresCheck, labelled), "g.failures_labelled") == (1, 1)


def test_no_failures_is_unknown(run):
    assert run(FailuresCheck, trace(llm())).status is Status.UNKNOWN


def test_cost_missing_is_partial(run):
    finding = run(CostLatencyCheck, trace(llm(), llm()))
    assert finding.status is Status.PARTIAL
    assert ratio(finding, "h.llm_spans_with_cost") == (0, 2)


def test_parent_repeating_children_tokens_is_flagged(run):
    from traceready.model import LlmInfo

    parent = agent(span_id="p", name="agent", llm=LlmInfo(usage=Usage(input_tokens=20, output_tokens=10)))
    t = trace(parent, llm(parent="p", cost=0.1), llm(parent="p", cost=0.1))
    finding = run(CostLatencyCheck, t)
    assert ratio(finding, "h.traces_without_double_counting") == (0, 1)
    assert any(e.span_id == "p" and "repeats" in (e.detail or "") for e in finding.examples)


def test_no_model_calls_means_no_cost_evidence(run):
    finding = run(CostLatencyCheck, trace(agent()))
    assert finding.status is Status.ABSENT


def test_sandbox_is_unknown_without_evidence(run):
    finding = run(SandboxCheck, trace(agent(environment="production")))
    assert finding.status is Status.UNKNOWN
    assert finding.gaps == ("i.no_sandbox_evidence",)


def test_sandbox_self_reported_is_marked(run):
    answers = Answers(sandbox=SandboxAnswers(experiments_isolated=True, how="staging project"))
    finding = run(SandboxCheck, trace(agent()), answers=answers)
    assert (finding.status, finding.evidence) == (Status.PRESENT, Evidence.SELF_REPORTED)


def test_observed_mix_wins_over_self_report_and_is_a_contradiction(run):
    answers = Answers(sandbox=SandboxAnswers(experiments_isolated=True))
    finding = run(
        SandboxCheck,
        trace(agent(environment="production")),
        trace(agent(environment="experiment"), trace_id="t2"),
        answers=answers,
    )
    assert (finding.status, finding.evidence) == (Status.PARTIAL, Evidence.OBSERVED)
    assert any(note.startswith("Contradiction") for note in finding.notes)


def test_experiment_projects_in_inventory_are_present(run):
    finding = run(SandboxCheck, trace(agent()), inventory=Inventory(experiment_projects=3))
    assert (finding.status, finding.evidence) == (Status.PRESENT, Evidence.INVENTORY)


def test_eval_harness_unknown_without_inventory_or_answers(run):
    assert run(EvalHarnessCheck, trace(agent())).status is Status.UNKNOWN


def test_eval_harness_from_answers_is_self_reported(run):
    recent = date.today() - timedelta(days=2)
    answers = Answers(
        eval_harness=EvalHarnessAnswers(
            datasets=2, scored_experiments=5, automated_evaluators=1, last_run=recent
        )
    )
    finding = run(EvalHarnessCheck, trace(agent()), answers=answers)
    assert (finding.status, finding.evidence) == (Status.PRESENT, Evidence.SELF_REPORTED)


def test_stale_eval_runs_are_a_gap(run):
    old = date.today() - timedelta(days=90)
    answers = Answers(
        eval_harness=EvalHarnessAnswers(
            datasets=2, scored_experiments=5, automated_evaluators=1, last_run=old
        )
    )
    finding = run(EvalHarnessCheck, trace(agent()), answers=answers)
    assert finding.status is Status.PARTIAL
    assert "j.no_recent_runs" in finding.gaps


def test_scores_on_traces_without_datasets_are_partial(run):
    finding = run(EvalHarnessCheck, trace(agent(scores=(Score(name="c", value=1.0),))))
    assert finding.status is Status.PARTIAL
    assert "j.no_datasets" in finding.gaps


def test_inventory_datasets_are_inventory_evidence(run):
    inventory = Inventory(
        datasets=1, dataset_examples=20, experiments=0, scored_experiments=0, automated_evaluators=0
    )
    finding = run(EvalHarnessCheck, trace(agent()), inventory=inventory)
    assert finding.evidence is Evidence.INVENTORY
    assert finding.status is Status.PARTIAL
    assert "j.no_scored_experiments" in finding.gaps


def test_vendor_environments_alone_are_partial_never_present(run):
    staged = Inventory(experiment_projects=0, environments=("development", "production"))
    finding = run(SandboxCheck, trace(agent()), inventory=staged)
    assert (finding.status, finding.evidence) == (Status.PARTIAL, Evidence.INVENTORY)
    assert finding.gaps == ("i.no_sandbox_evidence",)
    assert "Vendor environments: development, production." in finding.notes


def test_production_only_vendor_environments_are_no_evidence(run):
    finding = run(SandboxCheck, trace(agent()), inventory=Inventory(environments=("production",)))
    assert finding.status is Status.UNKNOWN


def test_self_report_outranks_vendor_environments(run):
    answers = Answers(sandbox=SandboxAnswers(experiments_isolated=False))
    staged = Inventory(environments=("staging", "production"))
    finding = run(SandboxCheck, trace(agent()), inventory=staged, answers=answers)
    assert (finding.status, finding.evidence) == (Status.ABSENT, Evidence.SELF_REPORTED)


@pytest.mark.parametrize("start", [None, 0, 5, 10])
@pytest.mark.parametrize("end", [None, 0, 5, 10])
def test_has_latency_says_what_latency_ms_says(start, end):
    s = agent(start=start, end=end)
    assert has_latency(s) is (s.latency_ms is not None)
