"""Rules that hold on traces from the agent frameworks (samples/frameworks/, real instrumentation).

Each file is the travel agent of samples/otel/README.md built in one framework and traced by the
instrumentation named in its file name (samples/frameworks/README.md, MANIFEST.toml).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
import pytest

from traceready.audit import run_audit
from traceready.checks.a_reasoning import ReasoningCheck
from traceready.checks.base import Trace
from traceready.connectors.otel import OtelConnector
from traceready.findings import Status
from traceready.instrumentation import classify
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import ErrorInfo, Message, Span, SpanKind, sampling_params
from traceready.recommend import load_catalog
from traceready.report.model import Report

FRAMEWORKS = Path(__file__).resolve().parents[1] / "src" / "traceready" / "samples" / "frameworks"
FILES = sorted(p.name.removesuffix(".otlp.jsonl") for p in FRAMEWORKS.glob("*.otlp.jsonl"))
HARNESS = "travel-agent@1.4.0"
"""The harness version the scenarios with session ids set beside them (not the resource's 1.4.0)."""


@cache
def records(name: str) -> list[dict[str, object]]:
    return [
        r for r in OtelConnector([FRAMEWORKS / f"{name}.otlp.jsonl"]).iter_records() if isinstance(r, dict)
    ]


@cache
def spans(name: str) -> list[Span]:
    mapper = Mapper(load_mapping("otel"))
    mapped = [mapper.map_record(r) for r in records(name)]
    assert all(isinstance(s, Span) for s in mapped)
    return [s for s in mapped if isinstance(s, Span)]


@cache
def audit(name: str) -> Report:
    catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
    return run_audit(
        OtelConnector([FRAMEWORKS / f"{name}.otlp.jsonl"]), Mapper(load_mapping("otel")), catalog=catalog
    )


def test_the_corpus_holds_every_framework() -> None:
    prefixes = {
        "langgraph_openinference",
        "langgraph_openllmetry",
        "openai_agents",
        "openai_agents_otel",
        "pydantic_ai",
        "smolagents",
    }
    assert all(any(f.startswith(p) for f in FILES) for p in prefixes | {"llamaindex"}), FILES


@pytest.mark.parametrize("name", FILES)
def test_every_span_event_is_kept(name: str) -> None:
    written = 0
    for line in (FRAMEWORKS / f"{name}.otlp.jsonl").read_bytes().splitlines():
        for block in orjson.loads(line)["resourceSpans"]:
            for scope in block["scopeSpans"]:
                written += sum(len(s.get("events", [])) for s in scope["spans"])
    kept = sum(len(r["event_list"]) for r in records(name))  # type: ignore[arg-type]
    assert kept == written


def test_versions_are_read_from_the_association_properties_that_hold_the_session() -> None:
    # OpenLLMetry copies LangChain run metadata into traceloop.association.properties.*
    with_session = [s for s in spans("langgraph_openllmetry") if s.session_id is not None]
    assert with_session
    assert {s.versions.harness for s in with_session} == {HARNESS}
    assert {s.session_id for s in with_session} == {"sess-1", "sess-2", "sess-3"}


def test_openinference_metadata_gives_session_and_version_together() -> None:
    with_session = [s for s in spans("langgraph_openinference") if s.session_id is not None]
    assert with_session and {s.versions.harness for s in with_session} == {HARNESS}


def test_configuration_is_not_a_sampling_parameter() -> None:
    # LlamaIndex's OpenInference spans record the LLM's metadata (context window, num_output...)
    # as invocation parameters: no temperature, seed or max tokens sent with the request.
    llama = [
        s for s in spans("llamaindex_openinference") if s.kind is SpanKind.LLM and s.llm and s.llm.params
    ]
    assert llama and all("context_window" in (s.llm.params or {}) for s in llama if s.llm)
    assert all(sampling_params(s.llm.params) == {} for s in llama if s.llm)
    # LangChain's invocation parameters hold the request: its sampling parameters count, not the
    # stream flag, the model name or the tool list.
    chat = next(s for s in spans("langgraph_openinference") if s.kind is SpanKind.LLM)
    assert chat.llm is not None
    assert sampling_params(chat.llm.params) == {"seed": 7, "temperature": 0.0, "max_completion_tokens": 256}


def test_llamaindex_model_calls_without_sampling_parameters_are_not_replayable() -> None:
    e = audit("llamaindex_openinference").findings[4]
    ratio = next(m for m in e.metrics if m.metric == "e.llm_spans_with_model_and_params")
    assert ratio.numerator == 0 and ratio.denominator > 0


def test_openllmetry_tasks_are_chains_and_its_workflow_an_agent() -> None:
    kinds = {(s.name.split(" ")[0], s.kind) for s in spans("langgraph_openllmetry")}
    assert ("execute_task", SpanKind.CHAIN) in kinds
    assert ("travel-agent.workflow", SpanKind.AGENT) in kinds  # gen_ai.operation.name=invoke_agent
    assert all(s.kind is not SpanKind.UNKNOWN for s in spans("langgraph_openllmetry"))


def test_report_names_the_instrumentation_and_fits_its_fixes() -> None:
    report = audit("langgraph_openinference_hidden")
    scopes = {(i.scope, i.family, i.framework) for i in report.instrumentations}
    assert ("openinference.instrumentation.langchain", "openinference", "langchain") in scopes
    assert all(
        i.version and i.sdk and i.sdk.startswith("opentelemetry python") for i in report.instrumentations
    )
    fixes = {r.gap: r for f in report.findings for r in f.recommendations}
    hidden = fixes["a.input_messages_missing"]
    assert hidden.snippet is not None and "OPENINFERENCE_HIDE" in hidden.snippet
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" not in hidden.snippet


@pytest.mark.parametrize("name", ["strands", "strands_latest"])
def test_strands_model_calls_read_their_messages_in_both_semconv_modes(name: str) -> None:
    # Default mode: one deprecated event per message (gen_ai.user.message, gen_ai.tool.message,
    # gen_ai.choice...). Latest mode: several gen_ai.client.inference.operation.details events on
    # one span (system instructions, input, output), every one of them read.
    chats = [s for s in spans(name) if s.kind is SpanKind.LLM]
    assert len(chats) == 10
    for chat in chats:
        assert chat.llm is not None and chat.llm.input_messages and chat.llm.output_messages
    calls = [c for s in chats if s.llm for m in s.llm.output_messages or () for c in m.tool_calls]
    assert {c.name for c in calls} == {"get_weather", "convert_currency"}
    assert all(c.id and c.arguments for c in calls)
    answered = {m.tool_call_id for s in chats if s.llm for m in s.llm.input_messages or () if m.tool_call_id}
    assert {c.id for c in calls} <= answered


@pytest.mark.parametrize("name", ["strands", "strands_latest"])
def test_strands_tool_spans_carry_arguments_and_results_from_their_events(name: str) -> None:
    tools = [s for s in spans(name) if s.kind is SpanKind.TOOL]
    assert len(tools) == 5
    assert all(s.tool and isinstance(s.tool.arguments, dict) and s.tool.call_id for s in tools)
    assert all(s.tool and s.tool.result is not None for s in tools)
    failed = [s for s in tools if s.is_failed]
    assert len(failed) == 1 and failed[0].tool and failed[0].tool.arguments == {"city": "Lisbon"}


@pytest.mark.parametrize("name", ["strands", "strands_latest"])
def test_strands_tools_offered_on_the_agent_span_count_for_its_model_calls(name: str) -> None:
    chats = [s for s in spans(name) if s.kind is SpanKind.LLM]
    assert all(s.llm and not s.llm.tools_offered for s in chats)  # Strands puts them on the agent
    c = audit(name).findings[2]
    offered = next(m for m in c.metrics if m.metric == "c.tool_choices_with_offered_set")
    assert offered.numerator == offered.denominator == 4
    assert any("enclosing agent span" in note for note in c.notes)


def test_strands_event_loop_cycles_are_chain_steps() -> None:
    cycles = [s for s in spans("strands") if s.name == "execute_event_loop_cycle"]
    assert cycles and all(s.kind is SpanKind.CHAIN for s in cycles)
    assert all(s.kind is not SpanKind.UNKNOWN for s in spans("strands"))


P, R, A, U = Status.PRESENT, Status.PARTIAL, Status.ABSENT, Status.UNKNOWN
EXPECTED = {
    # Decided from the spans before auditing (samples/frameworks/README.md has the facts). In all:
    # f PARTIAL (service.version on every span, no scores); g PARTIAL (failures typed, unlabelled)
    # unless said; h PARTIAL (tokens, no cost) unless said; i, j UNKNOWN (no inventory in files).
    #                                          a  b  c  d  e  f  g  h  i  j
    # messages, tool spans with args/results, llm.tools, seed+temperature, session in metadata
    "langgraph_openinference":               (P, P, P, P, P, R, R, R, U, U),
    # OPENINFERENCE_HIDE_*: no messages, tool inputs/outputs hidden, no session
    "langgraph_openinference_hidden":        (A, R, A, R, A, R, R, R, U, U),
    # 3 of 9 traces are create_agent spans alone: agent construction, no run, set aside from the
    # trace ratios of a and e (a note says so); association properties session
    "langgraph_openllmetry":                 (P, P, P, P, P, R, R, R, U, U),
    # TRACELOOP_TRACE_CONTENT=false: no prompts, completions, tool arguments; no session
    "langgraph_openllmetry_no_content":      (A, R, A, R, A, R, R, R, U, U),
    # _prepare_chat_with_tools LLM spans record no call beside the real one: preparation steps,
    # set aside (a, d PRESENT, with a note); no agent span (c PARTIAL); LLM metadata, not sampling
    # parameters (e ABSENT); streamed without usage (h ABSENT)
    "llamaindex_openinference":              (P, P, R, P, A, R, R, A, U, U),
    # chat-completions spans record no offered tools (c PARTIAL); tool error without a type (g)
    "openai_agents_openinference":           (P, P, R, P, P, R, A, R, U, U),
    # Responses spans list the tools (c PRESENT); no group_id so no session (e PARTIAL)
    "openai_agents_openinference_responses": (P, P, P, P, R, R, A, R, U, U),
    # OTel GenAI instrumentations, content on spans: messages, gen_ai.tool.definitions, temperature
    # and max tokens, tool arguments and results, group_id as gen_ai.conversation.id on every span;
    # the failed tool says only error.type=_OTHER and a redacted message (g ABSENT)
    "openai_agents_otel":                    (P, P, P, P, P, R, A, R, U, U),
    # content capture unset (their default): no messages, tool definitions, arguments or results;
    # the failed tool still has its status (b PARTIAL); no session
    "openai_agents_otel_no_content":         (A, R, A, R, A, R, A, R, U, U),
    # event_only: content goes to log records, none on the spans (a, e ABSENT); session kept
    "openai_agents_otel_event_only":         (A, R, A, R, A, R, A, R, U, U),
    # the predecessor opentelemetry-instrumentation-openai-agents-v2 0.1.0, content on by default:
    # tool calls written as str(message) text, no tool definitions (c PARTIAL: the tool spans after
    # 4 calls show their choice); no requested call recorded (b PARTIAL); group_id not recorded
    # (e PARTIAL); failed tool without error.type (g ABSENT); its unknown-operation spans are empty
    # wrappers, set aside (d PRESENT)
    "openai_agents_otel_contrib_v2":         (P, R, R, P, R, R, A, R, U, U),
    # a fresh gen_ai.conversation.id per run links no turns (e PARTIAL)
    "pydantic_ai_v2":                        (P, P, P, P, R, R, R, R, U, U),
    "pydantic_ai_v3":                        (P, P, P, P, R, R, R, R, U, U),
    "pydantic_ai_v4":                        (P, P, P, P, R, R, R, R, U, U),
    # conversation_id given: sessions link turns
    "pydantic_ai_v5":                        (P, P, P, P, P, R, R, R, U, U),
    "pydantic_ai_v6":                        (P, P, P, P, P, R, R, R, U, U),
    # include_content=False: message lists without text, tool names without arguments
    "pydantic_ai_v6_no_content":             (A, R, P, R, A, R, R, R, U, U),
    # the agent span rolls up its children's tokens (h); Lisbon's TimeoutError on the tool span and
    # AgentToolExecutionError on its step: typed, unlabelled (g PARTIAL)
    "smolagents_openinference":              (P, P, P, P, P, R, R, R, U, U),
    # Strands records no request parameters (e ABSENT)
    "strands":                               (P, P, P, P, A, R, R, R, U, U),
    "strands_latest":                        (P, P, P, P, A, R, R, R, U, U),
    # CrewAI's crew (CHAIN), task (AGENT) and tool spans, the OpenAI instrumentor's LLM spans with
    # messages, llm.tools, seed and temperature; tool spans carry no call id (matched by name and
    # order); using_attributes session and harness version; the tool error is typed (g)
    "crewai_openinference":                  (P, P, P, P, P, R, R, R, U, U),
    # OPENINFERENCE_HIDE_*: no messages, tool inputs/outputs hidden, no session
    "crewai_openinference_hidden":           (A, R, A, R, A, R, R, R, U, U),
    # ADK's own spans with SPAN_ONLY capture: messages, gen_ai.tool.definitions, tool call ids,
    # arguments and results; the session id on every span; max_tokens the one sampling parameter
    # recorded (temperature and seed are not: e PRESENT with the seed gap); the merged span of two
    # parallel calls is a step, and the raised tool's "<not specified>" call id is no id
    "google_adk":                            (P, P, P, P, P, R, R, R, U, U),
    # ADK's default capture (NO_CONTENT): no messages, tool arguments or results; ADK's own
    # session UUIDs still link each conversation's turns
    "google_adk_default":                    (A, R, A, R, A, R, R, R, U, U),
    # OpenInference's LLM attributes land on ADK's invoke_agent span (one per turn, the turn's last
    # model call with the earlier ones in its history), with llm.tools and the invocation
    # parameters (temperature, seed); session from the Runner
    "google_adk_openinference":              (P, P, P, P, P, R, R, R, U, U),
    # ADK's legacy schema 1: each call_llm span holds the call as LlmRequest/LlmResponse JSON
    # (contents with text, function_call and function_response parts, config.system_instruction,
    # config.tools function declarations, temperature, seed and max_output_tokens: e PRESENT with
    # the seed recorded), the generate_content span under it only repeats the call (set aside);
    # tool spans carry gcp.vertex.agent.tool_call_args / tool_response and call ids; the session
    # id on call_llm (gcp.vertex.agent.session_id) and invoke_agent; tokens but no cost, and
    # call_llm repeats its child's tokens (h PARTIAL)
    "google_adk_schema1":                    (P, P, P, P, P, R, R, R, U, U),
}  # fmt: skip


def test_every_corpus_file_has_its_expected_verdicts() -> None:
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize(("name", "expected"), list(EXPECTED.items()), ids=list(EXPECTED))
def test_framework_scenario_gets_its_verdicts(name: str, expected: tuple[Status, ...]) -> None:
    report = audit(name)
    got = {f.requirement: f.status for f in report.findings}
    assert got == dict(zip("abcdefghij", expected, strict=True))
    assert report.counts.records_rejected == 0
    assert report.counts.records_pulled == report.counts.spans_mapped


def test_per_run_conversation_ids_are_no_session() -> None:
    e = audit("pydantic_ai_v2").findings[4]
    assert "e.session_id_missing" in e.gaps
    assert any("one trace only" in note for note in e.notes)
    assert "e.session_id_missing" not in audit("pydantic_ai_v5").findings[4].gaps


def test_content_capture_off_is_no_recorded_prompt() -> None:
    a, e = audit("pydantic_ai_v6_no_content").findings[0], audit("pydantic_ai_v6_no_content").findings[4]
    assert next(m for m in a.metrics if m.metric == "a.llm_spans_with_input_messages").numerator == 0
    assert e.status is Status.ABSENT
    fix = next(r for r in a.recommendations if r.gap == "a.input_messages_missing")
    assert fix.snippet is not None and "include_content=True" in fix.snippet


def ratio(report: Report, metric: str) -> tuple[int, int]:
    finding = next(f for f in report.findings if f.requirement == metric[0])
    found = next(m for m in finding.metrics if m.metric == metric)
    return found.numerator, found.denominator


def traces(name: str, edit: dict[str, dict[str, object]] | None = None) -> list[Trace]:
    """The file's traces; ``edit`` replaces the attributes of the named spans (by span id)."""
    mapper = Mapper(load_mapping("otel"))
    by_trace: dict[str, list[Span]] = {}
    for record in records(name):
        changed = dict(record)
        if edit and record["span_id"] in edit:
            changed["attributes"] = edit[str(record["span_id"])]
        span = mapper.map_record(changed)
        assert isinstance(span, Span)
        by_trace.setdefault(span.trace_id, []).append(span)
    return [Trace(trace_id=key, spans=value) for key, value in by_trace.items()]


def test_llamaindex_preparation_steps_are_set_aside_from_model_calls() -> None:
    # OpenInference gives every traced method of a LlamaIndex LLM the LLM kind; only the chat call
    # emits the events that carry messages, tools and a finish reason.
    steps = {
        s.span_id: s
        for t in traces("llamaindex_openinference")
        for s in t.spans
        if s.span_id in t.preparation_steps()
    }
    assert len(steps) == 10 and {s.name for s in steps.values()} == {"OpenAI._prepare_chat_with_tools"}
    report = audit("llamaindex_openinference")
    assert ratio(report, "a.llm_spans_with_input_messages") == (10, 10)
    assert ratio(report, "c.llm_spans_with_choice") == (10, 10)
    assert ratio(report, "d.steps_with_structured_io") == (15, 15)
    a = report.findings[0]
    assert any(note.startswith("10 model-kind spans that record no call") for note in a.notes)
    assert report.counts.spans_mapped == 77  # set aside from ratios, never dropped


def test_a_hidden_model_call_still_counts_as_missing_content() -> None:
    # The real LlamaIndex spans with the chat calls' messages removed, as OPENINFERENCE_HIDE_INPUT_
    # MESSAGES / _OUTPUT_MESSAGES leave them; once more with every trace of the call removed too
    # (no tools, no finish reason): then no span records a call, and nothing is set aside.
    chats = [r for r in records("llamaindex_openinference") if r["name"] == "OpenAI.astream_chat"]
    hidden: dict[str, dict[str, object]] = {}
    bare: dict[str, dict[str, object]] = {}
    for record in chats:
        attributes = record["attributes"]
        assert isinstance(attributes, dict)
        messages = ("llm.input_messages", "llm.output_messages")
        hidden[str(record["span_id"])] = {k: v for k, v in attributes.items() if not k.startswith(messages)}
        call = (*messages, "llm.tools", "llm.finish_reason")
        bare[str(record["span_id"])] = {k: v for k, v in attributes.items() if not k.startswith(call)}
    for edit, set_aside in ((hidden, 10), (bare, 0)):
        edited = traces("llamaindex_openinference", edit)
        assert sum(len(t.preparation_steps()) for t in edited) == set_aside
        calls = [s for t in edited for s in t.model_calls()]
        assert {s.span_id for s in calls} >= set(edit)  # every real call still counted
        check = ReasoningCheck()
        for trace in edited:
            check.observe(trace)
        numerator, denominator = check.tally.numerators, check.tally.denominators
        assert numerator.get("a.llm_spans_with_input_messages", 0) == 0
        assert denominator["a.llm_spans_with_input_messages"] == 20 - set_aside


def test_hidden_openinference_calls_are_never_preparation_steps() -> None:
    # Content hidden at the source: tokens and parameters still say a call was made.
    hidden = traces("langgraph_openinference_hidden")
    assert not any(t.preparation_steps() for t in hidden)
    assert ratio(audit("langgraph_openinference_hidden"), "a.llm_spans_with_input_messages") == (0, 10)


def test_openllmetry_create_agent_traces_are_construction_not_runs() -> None:
    all_traces = traces("langgraph_openllmetry")
    built = [t for t in all_traces if t.is_agent_construction()]
    assert len(all_traces) == 9 and len(built) == 3
    assert all(len(t.spans) == 1 and t.spans[0].name == "create_agent travel-agent" for t in built)
    report = audit("langgraph_openllmetry")
    assert ratio(report, "a.traces_with_llm_steps") == (6, 6)
    assert ratio(report, "e.replayable_traces") == (6, 6)
    assert ratio(report, "f.traces_with_version") == (9, 9)  # set aside from a and e only
    assert any(note.startswith("3 traces that only build an agent") for note in report.findings[0].notes)
    # The same span inside a run is no construction-only trace: the run is counted.
    run = next(t for t in all_traces if not t.is_agent_construction())
    assert not Trace(trace_id=run.trace_id, spans=built[0].spans + run.spans).is_agent_construction()
    # A create_agent span that failed is not set aside either.
    failed = built[0].spans[0].replace(error=ErrorInfo(type="ValueError"))
    assert not Trace(trace_id="t", spans=[failed]).is_agent_construction()


def test_a_window_of_agent_construction_alone_records_no_run(tmp_path: Path) -> None:
    # Only the create_agent spans of the real file: nothing to set them aside for.
    kept = []
    for line in (FRAMEWORKS / "langgraph_openllmetry.otlp.jsonl").read_bytes().splitlines():
        document = orjson.loads(line)
        for block in document["resourceSpans"]:
            for scope in block["scopeSpans"]:
                scope["spans"] = [s for s in scope["spans"] if s["name"].startswith("create_agent")]
        if any(scope["spans"] for block in document["resourceSpans"] for scope in block["scopeSpans"]):
            kept.append(orjson.dumps(document))
    built = tmp_path / "built.otlp.jsonl"
    built.write_bytes(b"\n".join(kept) + b"\n")
    catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
    report = run_audit(OtelConnector([built]), Mapper(load_mapping("otel")), catalog=catalog)
    assert report.counts.spans_mapped == 3
    assert ratio(report, "a.traces_with_llm_steps") == (0, 3)
    assert ratio(report, "e.replayable_traces") == (0, 3)
    assert report.findings[0].status is Status.ABSENT and report.findings[4].status is Status.ABSENT
    assert not any("only build an agent" in n for f in report.findings for n in f.notes)


# The OTel project's GenAI instrumentations of the OpenAI Agents SDK
# (opentelemetry-instrumentation-genai-openai-agents for the run, -genai-openai for the model calls).
OTEL_AGENTS = ("openai_agents_otel", "openai_agents_otel_no_content", "openai_agents_otel_event_only")
OTEL_AGENTS_V2 = "openai_agents_otel_contrib_v2"
"""Their predecessor, opentelemetry-instrumentation-openai-agents-v2 0.1.0, alone."""


@pytest.mark.parametrize("name", OTEL_AGENTS)
def test_otel_genai_agents_spans_map_to_known_kinds(name: str) -> None:
    kinds = {(s.name.split(" ")[0], s.kind) for s in spans(name)}
    assert kinds == {
        ("invoke_workflow", SpanKind.CHAIN),  # the SDK's trace: one Runner.run
        ("invoke_agent", SpanKind.AGENT),
        ("chat", SpanKind.LLM),
        ("execute_tool", SpanKind.TOOL),
    }
    # the multi-step traces are grouped by the agent span, not by the workflow chain around it
    assert ratio(audit(name), "c.multistep_traces_with_agent_span") == (4, 4)


def test_otel_genai_agents_records_sampling_parameters_and_the_group_as_session() -> None:
    chats = [s for s in spans("openai_agents_otel") if s.kind is SpanKind.LLM]
    assert len(chats) == 10 and all(s.llm for s in chats)
    assert {tuple(sorted(sampling_params(s.llm.params).items())) for s in chats if s.llm} == {
        (("max_tokens", 256), ("temperature", 0.0))
    }
    # util-genai carries the workflow's conversation id (the SDK's group_id) to every span below it
    assert {s.session_id for s in spans("openai_agents_otel") if s.kind is not SpanKind.TOOL} == {
        "sess-1",
        "sess-2",
        "sess-3",
    }
    assert all(s.session_id is None for s in spans("openai_agents_otel_no_content"))


def test_other_error_type_is_no_type_but_a_recorded_exception_is() -> None:
    # The Agents SDK gives the instrumentation a message, not the exception: error.type=_OTHER.
    failed = next(r for r in records("openai_agents_otel") if r["status"]["code"] == "error")  # type: ignore[index]
    assert failed["attributes"]["error.type"] == "_OTHER"  # type: ignore[index]
    mapper = Mapper(load_mapping("otel"))
    span = mapper.map_record(failed)
    assert isinstance(span, Span) and span.is_failed and span.error is not None and span.error.type is None
    # What a failure_error_function that calls record_exception adds (the catalog's workaround):
    event = {"exception.type": "TimeoutError", "exception.message": "weather API timed out after 5s"}
    recorded = {
        **failed,
        "events": {"exception": event},
        "event_list": [{"name": "exception", "attributes": event}],
    }
    span = mapper.map_record(recorded)
    assert isinstance(span, Span) and span.error is not None and span.error.type == "TimeoutError"
    g = audit("openai_agents_otel").findings[6]
    fix = next(r for r in g.recommendations if r.gap == "g.failure_type_missing")
    assert fix.snippet is not None and "failure_error_function" in fix.snippet


@pytest.mark.parametrize("name", ["openai_agents_otel_no_content", "openai_agents_otel_event_only"])
def test_otel_genai_content_off_gets_the_otel_capture_variable(name: str) -> None:
    report = audit(name)
    found = {(i.scope, i.version, i.family, i.framework) for i in report.instrumentations}
    assert found == {
        ("opentelemetry.instrumentation.genai.openai_agents", "1.3b0", "otel-genai", "openai-agents"),
        ("opentelemetry.instrumentation.genai.openai", "1.3b0", "otel-genai", "openai"),
    }
    fixes = {r.gap: r for f in report.findings for r in f.recommendations}
    for gap in ("a.input_messages_missing", "b.tool_arguments_missing", "e.inputs_incomplete"):
        snippet = fixes[gap].snippet or ""
        assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only" in snippet, gap
        assert "OPENINFERENCE_HIDE" not in snippet and "TRACELOOP" not in snippet, gap
    assert "event_only" in (fixes["a.input_messages_missing"].snippet or "")  # why event_only shows nothing


def test_smolagents_tool_error_ends_the_run_with_a_typed_failure() -> None:
    # The fake model answers a smolagents Error: observation through final_answer, as a model that
    # gives up would: one failed tool call per failing turn, not a retry loop until max_steps.
    by_trace: dict[str, list[Span]] = {}
    for span in spans("smolagents_openinference"):
        by_trace.setdefault(span.trace_id, []).append(span)
    failing = [t for t in by_trace.values() if any(s.is_failed and s.kind is SpanKind.TOOL for s in t)]
    assert failing
    for trace in failing:
        tools = [s for s in trace if s.kind is SpanKind.TOOL]
        assert [s.tool.name for s in tools if s.tool] == ["get_weather", "final_answer"]
        failed = tools[0]
        assert failed.error is not None and failed.error.type == "TimeoutError"
        assert failed.tool is not None and failed.tool.arguments == {"city": "Lisbon"}
        steps = [s for s in trace if s.name.startswith("Step ")]
        assert (
            len(steps) == 2
            and steps[0].error
            and steps[0].error.type == "smolagents.utils.AgentToolExecutionError"
        )
    # the session and the harness version come from the same using_attributes metadata; the
    # invocation parameters are the sampling parameters sent
    with_session = [s for s in spans("smolagents_openinference") if s.session_id is not None]
    assert with_session and {s.versions.harness for s in with_session} == {HARNESS}
    models = [s for s in spans("smolagents_openinference") if s.kind is SpanKind.LLM and s.llm]
    assert {tuple(sorted(sampling_params(s.llm.params).items())) for s in models if s.llm} == {
        (("max_tokens", 256), ("seed", 7), ("temperature", 0.0))
    }
    report = audit("smolagents_openinference")
    assert ratio(report, "b.tool_errors_with_status") == (len(failing), len(failing))
    assert ratio(report, "g.failures_with_type") == (2 * len(failing), 2 * len(failing))


def test_the_unversioned_openai_agents_scope_is_the_otel_projects_not_openllmetrys() -> None:
    # Both write scope opentelemetry.instrumentation.openai_agents; only OpenLLMetry's has a version.
    report = audit(OTEL_AGENTS_V2)
    assert [(i.scope, i.version, i.family) for i in report.instrumentations] == [
        ("opentelemetry.instrumentation.openai_agents", None, "otel-genai")
    ]
    assert classify("opentelemetry.instrumentation.openai_agents", "0.62.4") == (
        "openllmetry",
        "openai-agents",
    )
    fixes = {r.gap: r.snippet or "" for f in report.findings for r in f.recommendations}
    assert "TRACELOOP" not in "".join(fixes.values())
    assert "opentelemetry-instrumentation-genai-openai" in fixes["c.tools_offered_missing"]


def test_tool_spans_after_a_model_call_show_the_choice_its_output_wrote_as_text() -> None:
    # The v2 processor writes a chat-completions tool call as str(message): a text part.
    all_traces = traces(OTEL_AGENTS_V2)
    choosers = {i for t in all_traces for i in t.tool_choosers()}
    chats = {s.span_id: s for t in all_traces for s in t.spans if s.kind is SpanKind.LLM}
    assert len(choosers) == 4 and choosers <= set(chats)
    for span_id in choosers:
        llm = chats[span_id].llm
        assert llm is not None and llm.output_messages
        assert not any(m.tool_calls for m in llm.output_messages)
        assert "tool_calls" in str(llm.output_messages[0].content)
    report = audit(OTEL_AGENTS_V2)
    assert ratio(report, "c.llm_spans_with_choice") == (6, 10)
    assert ratio(report, "c.tool_choices_with_offered_set") == (0, 4)
    assert any("record no tool call in their output" in n for n in report.findings[2].notes)
    # the SDK span types it does not know: gen_ai.operation.name=unknown, no content, set aside
    assert ratio(report, "d.spans_with_known_kind") == (27, 27) and report.counts.spans_mapped == 43
    assert any(n.startswith("16 empty wrapper spans") for n in report.findings[3].notes)
    # Where the output records the calls, the same rule finds the same model calls.
    recorded = {i for t in traces("openai_agents_otel") for i in t.tool_choosers()}
    calling = {
        s.span_id
        for s in spans("openai_agents_otel")
        if s.llm and any(m.tool_calls for m in s.llm.output_messages or ())
    }
    assert recorded == calling and len(calling) == 4


def test_a_tool_run_after_a_call_that_stopped_was_not_its_choice() -> None:
    # The real Paris trace: chat (finish tool_calls), execute_tool, chat (finish stop). Recorded as
    # "stop", the first call chose no tool: a tool span after it was the code's own step.
    trace = next(t for t in traces("openai_agents_otel") if t.tool_choosers())
    chooser = next(iter(trace.tool_choosers()))
    stopped = [
        s.replace(llm=s.llm.replace(finish_reasons=("stop",))) if s.span_id == chooser and s.llm else s
        for s in trace.spans
    ]
    assert Trace(trace_id=trace.trace_id, spans=stopped).tool_choosers() == frozenset()
    unrecorded = [s.replace(llm=s.llm.replace(finish_reasons=())) if s.llm else s for s in trace.spans]
    assert chooser in Trace(trace_id=trace.trace_id, spans=unrecorded).tool_choosers()


def test_the_corpus_holds_crewai_and_google_adk() -> None:
    assert {"crewai_openinference", "google_adk", "google_adk_openinference"} <= set(FILES)


def test_crewai_report_names_its_instrumentations_and_the_openinference_switch() -> None:
    report = audit("crewai_openinference_hidden")
    found = {(i.scope, i.family, i.framework) for i in report.instrumentations}
    assert found == {
        ("openinference.instrumentation.crewai", "openinference", "crewai"),
        ("openinference.instrumentation.openai", "openinference", "openai"),
    }
    hidden = next(
        r for f in report.findings for r in f.recommendations if r.gap == "a.input_messages_missing"
    )
    assert hidden.snippet is not None and "OPENINFERENCE_HIDE" in hidden.snippet


def test_crewai_tool_spans_without_call_ids_match_by_name_and_order() -> None:
    report = audit("crewai_openinference")
    assert ratio(report, "b.tool_spans_with_call_id") == (0, 9)
    assert ratio(report, "b.requested_calls_with_span") == (9, 9)
    failed = [s for s in spans("crewai_openinference") if s.kind is SpanKind.TOOL and s.is_failed]
    assert len(failed) == 2 and all(s.error and s.error.type == "TimeoutError" for s in failed)


def test_google_adk_spans_are_detected_and_get_adk_fixes() -> None:
    report = audit("google_adk_default")
    assert [(i.scope, i.family, i.framework) for i in report.instrumentations] == [
        ("gcp.vertex.agent", "google-adk", "google-adk")
    ]
    fixes = {r.gap: r for f in report.findings for r in f.recommendations}
    content = fixes["a.input_messages_missing"].snippet or ""
    # ADK reads "true" as EVENT_ONLY: content in log records, none on the spans
    assert "CAPTURE_MESSAGE_CONTENT=SPAN_ONLY" in content and "OPENINFERENCE" not in content
    assert "OpenInference" in fixes["e.seed_missing"].title


def test_google_adk_merged_parallel_responses_are_a_step_not_a_tool_call() -> None:
    merged = [s for s in spans("google_adk") if s.name == "execute_tool (merged)"]
    assert len(merged) == 1 and merged[0].kind is SpanKind.CHAIN
    tools = [s for s in spans("google_adk") if s.kind is SpanKind.TOOL]
    assert len(tools) == 5 and all(s.tool and s.tool.arguments for s in tools)


def test_google_adk_placeholder_call_id_of_a_raised_tool_is_no_id() -> None:
    # ADK writes gen_ai.tool.call.id="<not specified>" when the tool raised (no function response)
    failed = [s for s in spans("google_adk") if s.kind is SpanKind.TOOL and s.is_failed]
    assert len(failed) == 1 and failed[0].tool and failed[0].tool.call_id is None
    assert failed[0].tool.arguments == {"city": "Lisbon"}
    assert ratio(audit("google_adk"), "b.requested_calls_with_span") == (5, 5)


def _calls(name: str) -> list[tuple[object, ...]]:
    """Each model call's conversation, answer, tools and tokens; a tool result is a tool message."""

    def said(messages: tuple[Message, ...] | None) -> tuple[object, ...]:
        return tuple(
            (
                "tool" if m.tool_call_id else m.role,
                m.content,
                tuple((c.name, str(c.arguments)) for c in m.tool_calls),
            )
            for m in messages or ()
            if m.role != "system"
        )

    return [
        (
            said(s.llm.input_messages),
            said(s.llm.output_messages),
            s.llm.tools_offered,
            s.llm.usage.input_tokens,
        )
        for t in traces(name)
        for s in sorted(t.model_calls(), key=lambda s: s.start_ns or 0)
        if s.llm is not None
    ]


def test_google_adk_schema1_records_the_same_calls_as_schema2() -> None:
    # The same agent and fake server: schema 1's LlmRequest/LlmResponse JSON on call_llm reads as
    # the very calls schema 2 records in gen_ai.input/output.messages (its system instruction aside)
    assert _calls("google_adk_schema1") == _calls("google_adk")
    calls = [s for s in spans("google_adk_schema1") if s.name == "call_llm"]
    assert len(calls) == 9 and all(s.kind is SpanKind.LLM and s.llm for s in calls)
    first = calls[0].llm
    assert first is not None and first.input_messages and first.input_messages[0].role == "system"
    assert sampling_params(first.params) == {"temperature": 0.0, "max_tokens": 256, "seed": 7}
    failed = [s for s in spans("google_adk_schema1") if s.kind is SpanKind.TOOL and s.is_failed]
    # ADK's {"result": "<not specified>"} for the tool that raised is no result
    assert len(failed) == 1 and failed[0].tool and failed[0].tool.result is None


def test_google_adk_generate_content_under_call_llm_is_set_aside_as_a_repeat() -> None:
    repeats = [s for t in traces("google_adk_schema1") for s in t.spans if s.span_id in t.repeated_calls()]
    assert len(repeats) == 9 and {s.name for s in repeats} == {"generate_content openai/gpt-4o-mini"}
    report = audit("google_adk_schema1")
    assert ratio(report, "a.llm_spans_with_input_messages") == (9, 9)
    assert ratio(report, "c.llm_spans_with_choice") == (9, 9)
    assert ratio(report, "d.steps_with_structured_io") == (14, 14)
    assert ratio(report, "e.llm_spans_with_model_and_params") == (9, 9)
    assert any(
        note.startswith("9 model-kind spans without messages that repeat")
        for note in report.findings[0].notes
    )
    assert report.counts.spans_mapped == 36  # set aside from ratios, never dropped


def test_a_repeat_is_never_a_model_call_with_hidden_content() -> None:
    # ADK's content switch off writes "{}" on call_llm: no span records the call's messages, so
    # nothing is set aside and all 18 model spans count as missing content. A generate_content span
    # whose own content was masked (a redaction marker) stays counted beside a call_llm with content.
    call_llm = [r for r in records("google_adk_schema1") if r["name"] == "call_llm"]
    children = [r for r in records("google_adk_schema1") if str(r["name"]).startswith("generate_content")]
    off: dict[str, dict[str, object]] = {}
    for record in call_llm:
        attributes = dict(record["attributes"])  # type: ignore[call-overload]
        attributes.update({"gcp.vertex.agent.llm_request": "{}", "gcp.vertex.agent.llm_response": "{}"})
        off[str(record["span_id"])] = attributes
    masked = {
        str(r["span_id"]): {**r["attributes"], "input.value": "__REDACTED__"}  # type: ignore[dict-item]
        for r in children
    }
    other_call = {
        str(r["span_id"]): {**r["attributes"], "gen_ai.usage.input_tokens": 1}  # type: ignore[dict-item]
        for r in children
    }
    for edit, counted, with_input in ((off, 18, 0), (masked, 18, 9), (other_call, 18, 9)):
        edited = traces("google_adk_schema1", edit)
        assert not any(t.repeated_calls() for t in edited)
        check = ReasoningCheck()
        for trace in edited:
            check.observe(trace)
        assert check.tally.denominators["a.llm_spans_with_input_messages"] == counted
        assert check.tally.numerators.get("a.llm_spans_with_input_messages", 0) == with_input
