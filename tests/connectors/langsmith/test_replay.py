"""The LangSmith audit end to end: the CLI against the replayed read API, v1 and v2.

The cassettes come from the real langsmith 0.15.1 SDK tracing the travel agent six ways
(cassettes/langsmith/README.md). Each scenario must get the verdicts its recording deserves, with
the reason that explains it, whichever query API the server offers.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.connectors.langsmith.conftest import SINCE, project, workspace_of
from tests.connectors.langsmith.replay import ReplayServer
from traceready.cli import app

ENV = {"LANGSMITH_API_KEY": "ls-test-key-not-real"}


def audit(url: str, scenario: str, *extra: str, env: dict[str, str] | None = None):
    args = ["audit", "langsmith", "--project", project(scenario), "--endpoint", url, "--since", SINCE]
    return CliRunner(env=env or ENV).invoke(app, [*args, "-f", "json", *extra])


def report_of(result) -> dict:
    assert result.exit_code == 0, result.output
    report: dict = orjson.loads(result.stdout)
    return report


def findings(report: dict) -> dict[str, dict]:
    return {f["requirement"]: f for f in report["findings"]}


# In a workspace holding every scenario: i and j come from the workspace's dataset and its two
# evaluate() experiments (workspace-wide in LangSmith), so they are PRESENT for every project.
# langgraph_react (create_react_agent, native tracing; decided from runs.jsonl before the audit):
#   a: all 10 ChatOpenAI runs carry the LangChain messages in and an LLMResult out; b: 5 tool runs
#   for the 5 requested calls, each with extra.tool_call_id, the Lisbon one errored; c: the root
#   chain is the graph (the agent), every llm run has the bound tools in invocation_params; d: 76
#   runs of known run_type in one tree per trace; e: configurable.thread_id is copied into every
#   run's metadata, and the first prompt holds the checkpointed history; f: revision_id,
#   agent_version and prompt_version; g: the failure is typed (TimeoutError) but has no label (no
#   feedback), PARTIAL; h: tokens and server-priced cost on every llm run.
# langgraph_react_no_versions: the same on one thread, with no revision or version: f ABSENT.
P, R, A, U = "PRESENT", "PARTIAL", "ABSENT", "UNKNOWN"
EXPECTED = {
    #                          a  b  c  d  e  f  g  h  i  j
    "traceable_full":          (P, P, P, P, P, P, P, P, P, P),
    "traceable_no_tool_spans": (P, A, P, P, P, P, U, P, P, P),
    "traceable_hidden_io":     (A, R, A, R, A, P, P, P, P, P),
    "wrap_openai_only":        (P, A, P, P, R, A, U, R, P, P),
    "langchain_agent":         (P, P, P, P, P, P, R, P, P, P),
    "eval_with_dataset":       (P, P, P, P, P, P, R, P, P, P),
    "langgraph_react":         (P, P, P, P, P, P, R, P, P, P),
    "langgraph_react_no_versions": (P, P, P, P, P, A, R, P, P, P),
}  # fmt: skip
RUNS = {
    "traceable_full": (21, 6),
    "traceable_no_tool_spans": (16, 6),
    "traceable_hidden_io": (21, 6),
    "wrap_openai_only": (10, 10),
    "langchain_agent": (21, 6),
    "eval_with_dataset": (6, 2),
    "langgraph_react": (76, 6),
    "langgraph_react_no_versions": (22, 2),
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_each_scenario_gets_its_verdicts_on_v1_and_v2(replay, scenario: str) -> None:
    url, backend = replay
    report = report_of(audit(url, scenario))
    got = tuple(findings(report)[r]["status"] for r in "abcdefghij")
    assert dict(zip("abcdefghij", got, strict=True)) == dict(
        zip("abcdefghij", EXPECTED[scenario], strict=True)
    )
    counts = report["counts"]
    assert (counts["records_pulled"], counts["traces"]) == RUNS[scenario]
    assert counts["records_pulled"] == counts["spans_mapped"] + counts["records_rejected"]
    assert counts["records_rejected"] == 0
    assert report["target"].endswith(f"{backend} run queries")


def test_tools_called_as_plain_functions_are_not_tool_spans(replay) -> None:
    # The model asked for 5 tool calls; with no @traceable(run_type="tool") none has a run.
    tools = findings(report_of(audit(replay[0], "traceable_no_tool_spans")))["b"]
    assert tools["status"] == "ABSENT"
    assert tools["reason"] == "Core criterion unmet: 0 of 5 requested tool calls with a tool span, so ABSENT."
    assert tools["gaps"] == ["b.tool_spans_missing"]
    assert 'run_type="tool"' in tools["recommendations"][0]["title"]


def test_hidden_inputs_and_outputs_lose_reasoning_and_replay(replay) -> None:
    found = findings(report_of(audit(replay[0], "traceable_hidden_io")))
    reasoning, replayability = found["a"], found["e"]
    assert reasoning["status"] == replayability["status"] == "ABSENT"
    assert reasoning["reason"].startswith(
        "Core criterion unmet: 0 of 10 model calls with their input messages, so ABSENT "
        "(the score 0.40 counts the other criteria)"
    )
    assert "a.content_redacted" in reasoning["gaps"]
    redacted = next(m for m in reasoning["metrics"] if m["metric"] == "a.spans_not_redacted")
    assert (redacted["numerator"], redacted["denominator"]) == (0, 21)
    assert (
        "0 of 6 traces whose input (root input or first prompt) is recorded and not redacted"
        in (replayability["reason"])
    )
    assert "LANGSMITH_HIDE_INPUTS" in " ".join(r["title"] for r in reasoning["recommendations"])
    # What LangSmith computes server-side survives hiding: tokens and cost.
    assert found["h"]["status"] == "PRESENT"


def test_wrap_openai_alone_has_no_tool_spans_no_versions_no_threads(replay) -> None:
    found = findings(report_of(audit(replay[0], "wrap_openai_only")))
    assert (
        found["b"]["reason"]
        == "Core criterion unmet: 0 of 5 requested tool calls with a tool span, so ABSENT."
    )
    assert found["f"]["reason"] == (
        "Core criterion unmet: 0 of 10 traces with a harness or prompt version, so ABSENT."
    )
    assert found["f"]["gaps"] == ["f.version_missing"]
    assert "LANGSMITH_REVISION_ID" in found["f"]["recommendations"][0]["title"]
    assert "e.session_id_missing" in found["e"]["gaps"]
    assert (
        "thread_id"
        in next(r for r in found["e"]["recommendations"] if r["gap"] == "e.session_id_missing")["title"]
    )


def test_langchain_tool_runs_keep_the_models_call_id(replay) -> None:
    # @traceable tools are matched by name and order; LangChain tool runs carry tool_call_id.
    assert (
        "b.tool_call_id_missing" not in findings(report_of(audit(replay[0], "langchain_agent")))["b"]["gaps"]
    )
    assert "b.tool_call_id_missing" in findings(report_of(audit(replay[0], "traceable_full")))["b"]["gaps"]


def test_failure_labelled_by_categorical_feedback(replay) -> None:
    found = findings(report_of(audit(replay[0], "traceable_full")))["g"]
    labelled = next(m for m in found["metrics"] if m["metric"] == "g.failures_labelled")
    assert (labelled["numerator"], labelled["denominator"]) == (1, 1)
    # failure_type from the recorded feedback, failure_category from the workspace's configs/queue.
    assert "Failure taxonomy configured: failure_category, failure_type." in found["notes"]
    unlabelled = findings(report_of(audit(replay[0], "langchain_agent")))["g"]
    assert unlabelled["reason"] == "0 of 1 failed steps whose trace carries a categorical label (bar 90%)."


def test_inventory_reads_the_workspace(replay) -> None:
    report = report_of(audit(replay[0], "eval_with_dataset"))
    inventory = report["inventory"]
    assert (inventory["datasets"], inventory["dataset_examples"], inventory["experiments"]) == (1, 2, 2)
    # 3 evaluate() evaluator keys + the code-evaluator rule on the dataset; no rule watches this project.
    assert (inventory["scored_experiments"], inventory["automated_evaluators"]) == (2, 4)
    assert inventory["automation_rules"] == 1
    assert inventory["experiment_versions"] == ["1.3.0", "1.4.0", "3f9c2d1", "travel-prompt-v3"]
    # correctness (correct/incorrect) is configured too, but a verdict is no failure taxonomy.
    assert inventory["failure_taxonomies"] == ["failure_category", "failure_type"]
    assert (inventory["annotation_queues"], inventory["prompt_versions"]) == (2, 2)
    # v1 runs carry ttl_seconds (v2 has no such select: unknown there). Feedback auto-upgrades a
    # trace to extended retention (400 days); this project has none, traceable_full has.
    v1 = replay[1] == "v1"
    assert inventory["retention_days"] == (14 if v1 else None)
    assert report_of(audit(replay[0], "traceable_full"))["inventory"]["retention_days"] == (
        400 if v1 else None
    )


def test_workspace_routes_a_server_does_not_serve_stay_unknown(tmp_path: Path) -> None:
    # Without workspace_config/ the replay answers 404 to configs, queues, prompts and rules.
    with ReplayServer(backend="v1", root=workspace_of(tmp_path / "ws", "eval_with_dataset")) as url:
        inventory = report_of(audit(url, "eval_with_dataset"))["inventory"]
    assert (
        inventory["annotation_queues"]
        is inventory["automation_rules"]
        is inventory["prompt_versions"]
        is None
    )
    assert inventory["automated_evaluators"] == 3  # the experiments' evaluator keys are still seen


@pytest.mark.parametrize(
    ("scenario", "rules", "evaluators"),
    [
        pytest.param("traceable_full", 2, 1, id="online_judge_and_add_to_dataset_rule"),
        pytest.param("langchain_agent", 1, 0, id="queue_only_rule_is_no_evaluator"),
        pytest.param("wrap_openai_only", 0, 0, id="disabled_judge"),
        pytest.param("traceable_no_tool_spans", 0, 0, id="judge_sampling_nothing"),
    ],
)
def test_only_active_rules_on_the_project_count_and_only_evaluator_rules_are_evaluators(
    tmp_path: Path, scenario: str, rules: int, evaluators: int
) -> None:
    # The workspace has seven rules (workspace_config/): each project sees its own active ones only.
    with ReplayServer(backend="v1", root=workspace_of(tmp_path / "ws", scenario, "workspace_config")) as url:
        report = report_of(audit(url, scenario))
    inventory, harness = report["inventory"], findings(report)["j"]
    assert (inventory["automation_rules"], inventory["automated_evaluators"]) == (rules, evaluators)
    metric = next(m for m in harness["metrics"] if m["metric"] == "j.automated_evaluators")
    assert (metric["numerator"], metric["summary"]) == (
        int(evaluators > 0),
        f"automated evaluators: {evaluators}" if evaluators else "no automated evaluators",
    )
    assert ("j.no_automated_evaluators" in harness["gaps"]) is (evaluators == 0)


def test_a_queue_rubric_of_failure_categories_defines_gs_taxonomy(tmp_path: Path) -> None:
    # langchain_agent's failure carries no label; alone, its workspace defines no taxonomy.
    with ReplayServer(backend="v1", root=workspace_of(tmp_path / "bare", "langchain_agent")) as url:
        bare = findings(report_of(audit(url, "langchain_agent")))["g"]
    root = workspace_of(tmp_path / "configured", "langchain_agent", "workspace_config")
    with ReplayServer(backend="v1", root=root) as url:
        report = report_of(audit(url, "langchain_agent"))
    configured = findings(report)["g"]
    assert "g.no_failure_taxonomy" in bare["gaps"]
    assert "g.no_failure_taxonomy" not in configured["gaps"]
    assert report["inventory"]["failure_taxonomies"] == ["failure_category"]
    assert report["inventory"]["annotation_queues"] == 2


@pytest.mark.parametrize(
    ("scenarios", "scenario", "expected"),
    [
        pytest.param(
            ("wrap_openai_only",),
            "wrap_openai_only",
            {"f": "ABSENT", "g": "UNKNOWN", "i": "UNKNOWN", "j": "ABSENT"},
            id="bare_workspace_wrapper_only",
        ),
        pytest.param(
            ("traceable_full",),
            "traceable_full",
            {"f": "PRESENT", "g": "PRESENT", "i": "UNKNOWN", "j": "ABSENT"},
            id="instrumented_but_no_datasets",
        ),
        pytest.param(
            ("langchain_agent", "eval_with_dataset"),
            "langchain_agent",
            {"f": "PRESENT", "g": "PARTIAL", "i": "PRESENT", "j": "PRESENT"},
            id="with_dataset_and_experiments",
        ),
    ],
)
def test_readiness_levels_follow_the_workspace(tmp_path: Path, scenarios, scenario, expected) -> None:
    root = workspace_of(tmp_path / "ws", *scenarios)
    with ReplayServer(backend="v1", root=root) as url:
        found = findings(report_of(audit(url, scenario)))
    assert {k: found[k]["status"] for k in expected} == expected
    if expected["j"] == "ABSENT":
        assert found["j"]["gaps"][0] == "j.no_datasets"
        assert "evaluate" in found["j"]["recommendations"][0]["snippet"] or "dataset" in (
            found["j"]["recommendations"][0]["title"].lower()
        )
    if expected["i"] == "UNKNOWN":
        assert found["i"]["gaps"] == ["i.no_sandbox_evidence"]


def test_limit_keeps_the_newest_traces(replay) -> None:
    report = report_of(audit(replay[0], "traceable_full", "--limit", "2"))
    assert report["counts"]["traces"] == 2
    assert "newest 2 traces" in report["window"]


def test_sample_draws_uniformly_with_intervals(replay) -> None:
    report = report_of(audit(replay[0], "wrap_openai_only", "--sample", "4", "--seed", "3"))
    assert report["sample"] == {"traces_drawn": 4, "traces_in_window": 10}
    assert report["counts"]["traces"] == 4
    assert all(
        m["interval"] is not None for f in report["findings"] for m in f["metrics"] if m["denominator"]
    )


def test_report_links_runs_in_the_web_app_and_holds_no_prompt_or_key(replay) -> None:
    url, _ = replay
    result = audit(url, "traceable_full")
    report = report_of(result)
    links = [e["url"] for f in report["findings"] for e in f["examples"] if e.get("url")]
    assert links and all(link.startswith(f"{url}/o/") and "/projects/p/" in link for link in links)
    assert "Lisbon" not in result.stdout
    assert ENV["LANGSMITH_API_KEY"] not in result.output


def test_windows_and_selects_are_sent_explicitly(replay_v1: ReplayServer) -> None:
    before = len(replay_v1.requests)
    report_of(audit(replay_v1.url, "traceable_full"))
    sent = replay_v1.requests[before:]
    queries = [r["body"] for r in sent if r["path"].endswith("/runs/query")]
    roots, runs = queries[0], queries[1:]
    assert roots["is_root"] is True and roots["start_time"] == "2026-11-13T09:00:00+00:00"
    assert roots["select"] == ["id", "trace_id", "start_time", "end_time"] and roots["limit"] == 100
    # The runs of all six traces in bulk: one query (one page of 21 runs), not one per trace or run.
    assert len(runs) == 1
    assert "is_root" not in runs[0] and {"inputs", "outputs", "extra", "feedback_stats"} <= set(
        runs[0]["select"]
    )
    assert not any(r["path"].startswith("/runs/0") for r in sent)


def test_v2_always_sends_min_start_time(tmp_path: Path) -> None:
    server = ReplayServer(backend="v2")
    server.start()
    try:
        report_of(audit(server.url, "traceable_full"))
        queries = [r["body"] for r in server.requests if r["path"] == "/api/v2/runs/query"]
    finally:
        server.stop()
    assert queries and all(q["min_start_time"] for q in queries)
    assert queries[0]["selects"] == ["ID", "TRACE_ID", "START_TIME", "END_TIME"]
    assert queries[0]["page_size"] == 1000 and queries[0]["is_root"] is True


def test_the_markdown_inventory_line_names_queues_and_active_rules(tmp_path: Path) -> None:
    root = workspace_of(tmp_path / "ws", "langchain_agent", "eval_with_dataset", "workspace_config")
    with ReplayServer(backend="v1", root=root) as url:
        args = ["audit", "langsmith", "--project", project("langchain_agent"), "--endpoint", url]
        result = CliRunner(env=ENV).invoke(app, [*args, "--since", SINCE, "-f", "md"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("- Inventory:"))
    # The queue-only rule and the dataset's code-evaluator rule act on this project; both enabled.
    assert "; annotation queues 2; active automation rules 2;" in line
    assert "; last experiment at 2026-11-20 09:00 UTC;" in line


def test_langgraph_under_native_tracing_is_named_and_its_threads_come_from_the_config(replay) -> None:
    report = report_of(audit(replay[0], "langgraph_react"))
    # Every run of a LangGraph graph says ls_integration "langgraph" (or carries langgraph_* keys).
    assert report["instrumentations"] == [
        {
            "scope": "langsmith:langgraph",
            "version": None,
            "family": "langchain",
            "framework": "langgraph",
            "sdk": "langsmith-py 0.15.1 (langchain-core 1.8.3)",
            "spans": 76,
        }
    ]
    found = findings(report)
    # thread_id was only set as configurable: langchain-core copies it into every run's metadata.
    sessions = next(m for m in found["e"]["metrics"] if m["metric"] == "e.traces_with_session_id")
    assert (sessions["numerator"], sessions["denominator"]) == (6, 6)
    # The graph's nodes (agent, tools, call_model, Prompt, should_continue) are chains of one tree.
    assert found["d"]["reason"].startswith("76 of 76 spans with a known kind")
    assert "b.tool_call_id_missing" not in found["b"]["gaps"]


def test_langgraph_without_versions_gets_the_config_fix(replay) -> None:
    found = findings(report_of(audit(replay[0], "langgraph_react_no_versions")))["f"]
    assert found["reason"] == (
        "Core criterion unmet: 0 of 2 traces with a harness or prompt version, so ABSENT."
    )
    # Fitted to LangChain's tracer: versions go in the invoke config, not tracing_context.
    snippet = found["recommendations"][0]["snippet"]
    assert "LANGSMITH_REVISION_ID" in snippet and 'config={"metadata"' in snippet


def test_traceable_and_langchain_runs_name_their_tracer(replay) -> None:
    def scopes(scenario: str) -> list[tuple[str, str | None, int]]:
        report = report_of(audit(replay[0], scenario))
        return [(i["scope"], i["framework"], i["spans"]) for i in report["instrumentations"]]

    assert scopes("traceable_full") == [("langsmith:traceable", None, 21)]
    assert scopes("langchain_agent") == [("langsmith:langchain", "langchain", 21)]


def test_the_report_header_names_langgraph_and_the_sdk(replay) -> None:
    args = ["audit", "langsmith", "--project", project("langgraph_react"), "--endpoint", replay[0]]
    result = CliRunner(env=ENV).invoke(app, [*args, "--since", SINCE, "-f", "md"])
    assert result.exit_code == 0, result.output
    assert (
        "- Instrumentation: langsmith:langgraph (langchain, langgraph; 76 spans); "
        "SDK langsmith-py 0.15.1 (langchain-core 1.8.3)"
    ) in result.stdout
