"""The built-in OTel mapping on the real sample files: the values a user relies on, per dialect.

Every sample is the same travel agent (samples/otel/README.md): 3 sessions x 2 turns; Paris (one tool
call), packing tips (no tool), Tokyo + London (two parallel calls), 250 USD to EUR, Lisbon (the tool
times out), thanks. LLM spans arrive in end order, so in file order the model calls are:
0 Paris call, 1 Paris answer, 2 packing, 3 Tokyo+London call, 4 their answer, 5 convert call,
6 convert answer, 7 Lisbon call, 8 Lisbon apology, 9 thanks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import compare_golden
from traceready.connectors.otel.otlp import iter_request
from traceready.mapping.mapper import Mapper
from traceready.model import ErrorInfo, Message, Span, SpanKind, StatusCode, ToolCall, ToolInfo, Usage
from traceready.span_format import export

SampleSpans = Callable[[str], list[Span]]
GOLDEN = Path(__file__).parent / "otel"

ALL_SAMPLES = (
    "openinference_full",
    "otel_genai",
    "otel_genai_legacy",
    "openllmetry_legacy",
    "redacted",
    "plain_spans",
    "final_io_only",
    "llm_spans_no_tool_spans",
)
WITH_MESSAGES = ("openinference_full", "otel_genai", "openllmetry_legacy", "llm_spans_no_tool_spans")
WITH_SESSIONS = ("openinference_full", "otel_genai", "otel_genai_legacy", "openllmetry_legacy", "redacted",
                 "llm_spans_no_tool_spans")  # fmt: skip

ALICE_PROMPT = (
    "You are a concise travel assistant helping Alice. Today is 2026-06-01. Use get_weather for weather "
    "questions and convert_currency for money questions; if a tool fails, say so honestly."
)
PARIS_QUESTION = "What's the weather in Paris right now?"
PARIS_ANSWER = "In Paris it is 18\u00b0C and partly cloudy."
PARIS_CALL = "call_MDZQbTt50MGrPa9vyHiSn9O9"
TOKYO_CALL = "call_ruLXQ3HbefReetKslOUvsTj5"
LONDON_CALL = "call_dTF1jMIQUKF5hM651yZg4Omb"
CONVERT_CALL = "call_Ncvp5AVDiIW3AnOXStPCW15u"
LISBON_CALL = "call_prXdfbz0x8fKY3YI6HwToFdn"
PARIS_WEATHER = {"city": "Paris", "temp_c": 18, "conditions": "partly cloudy"}
TIMEOUT = ErrorInfo(type="TimeoutError", message="weather API timed out after 5s", has_stacktrace=True)


def of_kind(spans: list[Span], kind: SpanKind) -> list[Span]:
    return [s for s in spans if s.kind is kind]


def roots(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s.parent_id is None]


def llm_span(spans: list[Span], index: int) -> Span:
    span = of_kind(spans, SpanKind.LLM)[index]
    assert span.llm is not None
    return span


# --- structure: kinds, links, timing, sessions, versions ----------------------------------------


OI_KINDS = {
    ("travel-agent", "agent"): 6,
    ("ChatCompletion", "llm"): 10,
    ("get_weather", "tool"): 4,
    ("convert_currency", "tool"): 1,
}
GENAI_KINDS = {
    ("invoke_agent travel-agent", "agent"): 6,
    ("chat gpt-4o-mini", "llm"): 10,
    ("execute_tool get_weather", "tool"): 4,
    ("execute_tool convert_currency", "tool"): 1,
}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        pytest.param("openinference_full", OI_KINDS, id="openinference_full"),
        pytest.param("redacted", OI_KINDS, id="redacted"),
        pytest.param("otel_genai", GENAI_KINDS, id="otel_genai"),
        pytest.param("otel_genai_legacy", GENAI_KINDS, id="otel_genai_legacy"),
        pytest.param(
            "openllmetry_legacy",
            {
                ("travel-agent.workflow", "chain"): 6,
                ("openai.chat", "llm"): 10,
                ("get_weather.tool", "tool"): 4,
                ("convert_currency.tool", "tool"): 1,
            },
            id="openllmetry_legacy",
        ),
        pytest.param(
            "plain_spans",
            {
                ("agent", "unknown"): 6,
                ("call_model", "unknown"): 10,
                ("tool get_weather", "unknown"): 4,
                ("tool convert_currency", "unknown"): 1,
            },
            id="plain_spans_have_unknown_kinds",
        ),
        pytest.param("final_io_only", {("travel-agent", "agent"): 6}, id="final_io_only"),
        pytest.param(
            "llm_spans_no_tool_spans",
            {("travel-agent", "agent"): 6, ("ChatCompletion", "llm"): 10},
            id="llm_spans_no_tool_spans",
        ),
    ],
)
def test_every_span_is_mapped_with_the_kind_its_dialect_names(
    sample: str, expected: dict[tuple[str, str], int], sample_spans: SampleSpans
) -> None:
    assert Counter((s.name, s.kind.value) for s in sample_spans(sample)) == expected


@pytest.mark.parametrize("sample", ALL_SAMPLES)
def test_parent_links_resolve_inside_their_trace(sample: str, sample_spans: SampleSpans) -> None:
    spans = sample_spans(sample)
    ids = {(s.trace_id, s.span_id) for s in spans}
    assert len(roots(spans)) == 6
    assert len({s.trace_id for s in spans}) == 6
    assert all((s.trace_id, s.parent_id) in ids for s in spans if s.parent_id is not None)


@pytest.mark.parametrize("sample", ALL_SAMPLES)
def test_real_spans_have_valid_timing_and_no_quality_notes(sample: str, sample_spans: SampleSpans) -> None:
    spans = sample_spans(sample)
    assert [s for s in spans if s.quality] == []
    assert all(s.latency_ms is not None and s.latency_ms >= 0 for s in spans)


def test_timestamps_are_unix_nanoseconds_from_the_int64_strings(sample_spans: SampleSpans) -> None:
    first = sample_spans("otel_genai")[0]
    assert (first.start_ns, first.end_ns) == (1795610816205010691, 1795610816217075757)
    assert first.latency_ms == pytest.approx(12.065066)


@pytest.mark.parametrize("sample", WITH_SESSIONS)
def test_each_trace_root_carries_its_session(sample: str, sample_spans: SampleSpans) -> None:
    sessions = [s.session_id for s in roots(sample_spans(sample))]
    assert sessions == ["sess-1", "sess-1", "sess-2", "sess-2", "sess-3", "sess-3"]


@pytest.mark.parametrize("sample", ["openinference_full", "openllmetry_legacy"])
def test_every_span_carries_its_trace_session_when_the_dialect_sets_it_everywhere(
    sample: str, sample_spans: SampleSpans
) -> None:
    spans = sample_spans(sample)
    by_trace = {s.trace_id: s.session_id for s in roots(spans)}
    assert all(s.session_id == by_trace[s.trace_id] for s in spans)


@pytest.mark.parametrize("sample", ["plain_spans", "final_io_only"])
def test_no_session_is_invented_where_none_was_recorded(sample: str, sample_spans: SampleSpans) -> None:
    assert {s.session_id for s in sample_spans(sample)} == {None}


@pytest.mark.parametrize(
    ("sample", "harness", "prompt"),
    [
        pytest.param(
            "openinference_full", "travel-agent@1.4.0", "travel-prompt-v3", id="openinference_metadata"
        ),
        pytest.param("redacted", "travel-agent@1.4.0", "travel-prompt-v3", id="redacted_keeps_metadata"),
        pytest.param("otel_genai", "1.4.0", None, id="otel_genai"),
        pytest.param("otel_genai_legacy", "1.4.0", None, id="otel_genai_legacy"),
        pytest.param("openllmetry_legacy", "1.4.0", None, id="openllmetry_service_version"),
        pytest.param("plain_spans", "1.4.0", None, id="plain_spans_service_version"),
    ],
)
def test_versions_and_environment(
    sample: str, harness: str, prompt: str | None, sample_spans: SampleSpans
) -> None:
    spans = sample_spans(sample)
    assert {(s.versions.harness, s.versions.prompt) for s in spans} == {(harness, prompt)}
    assert {s.environment for s in spans} == {"production"}


def test_openinference_metadata_is_decoded_from_its_json_string(sample_spans: SampleSpans) -> None:
    assert {json.dumps(s.metadata, sort_keys=True) for s in sample_spans("openinference_full")} == {
        json.dumps(
            {"harness_version": "travel-agent@1.4.0", "git_sha": "3f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d"},
            sort_keys=True,
        )
    }


# --- model calls --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "model", "response_model"),
    [
        pytest.param("otel_genai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", id="otel_genai"),
        pytest.param("otel_genai_legacy", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", id="otel_genai_legacy"),
        pytest.param("openllmetry_legacy", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", id="openllmetry_legacy"),
        # OpenInference llm.model_name is the *response* model; the requested one is in invocation_parameters.
        pytest.param("openinference_full", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", id="openinference_full"),
    ],
)
def test_requested_and_response_model(
    sample: str, model: str, response_model: str, sample_spans: SampleSpans
) -> None:
    infos = [s.llm for s in of_kind(sample_spans(sample), SpanKind.LLM)]
    assert {(i.provider, i.model, i.response_model) for i in infos if i} == {
        ("openai", model, response_model)
    }


@pytest.mark.parametrize(
    ("sample", "params"),
    [
        pytest.param("otel_genai", {"temperature": 0, "seed": 7, "max_tokens": 256}, id="otel_genai"),
        pytest.param(
            "otel_genai_legacy", {"temperature": 0, "seed": 7, "max_tokens": 256}, id="otel_genai_legacy"
        ),
        pytest.param(
            "openinference_full",
            {"model": "gpt-4o-mini", "temperature": 0, "seed": 7, "max_tokens": 256},
            id="openinference_invocation_parameters",
        ),
        pytest.param(
            "redacted",
            {"model": "gpt-4o-mini", "temperature": 0, "seed": 7, "max_tokens": 256},
            id="redacted_keeps_parameters",
        ),
        pytest.param(
            "openllmetry_legacy", {"temperature": 0, "max_tokens": 256}, id="openllmetry_has_no_seed"
        ),
    ],
)
def test_request_parameters(sample: str, params: dict[str, Any], sample_spans: SampleSpans) -> None:
    assert llm_span(sample_spans(sample), 0).llm.params == params  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sample", "first_call", "follow_up"),
    [
        pytest.param(
            "otel_genai",
            Usage(input_tokens=328, output_tokens=11),
            Usage(input_tokens=370, output_tokens=12),
            id="otel_genai",
        ),
        pytest.param(
            "otel_genai_legacy",
            Usage(input_tokens=328, output_tokens=11),
            Usage(input_tokens=370, output_tokens=12),
            id="otel_genai_legacy",
        ),
        pytest.param(
            "openinference_full",
            Usage(
                input_tokens=328,
                output_tokens=11,
                total_tokens=339,
                reasoning_tokens=0,
                cached_input_tokens=0,
            ),
            Usage(
                input_tokens=370,
                output_tokens=12,
                total_tokens=382,
                reasoning_tokens=0,
                cached_input_tokens=320,
            ),
            id="openinference_full",
        ),
        pytest.param(
            "openllmetry_legacy",
            Usage(
                input_tokens=328,
                output_tokens=11,
                total_tokens=339,
                reasoning_tokens=0,
                cached_input_tokens=0,
            ),
            Usage(
                input_tokens=370,
                output_tokens=12,
                total_tokens=382,
                reasoning_tokens=0,
                cached_input_tokens=320,
            ),
            id="openllmetry_legacy",
        ),
    ],
)
def test_token_usage(sample: str, first_call: Usage, follow_up: Usage, sample_spans: SampleSpans) -> None:
    spans = sample_spans(sample)
    assert llm_span(spans, 0).llm.usage == first_call  # type: ignore[union-attr]
    assert llm_span(spans, 1).llm.usage == follow_up  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sample", "tools"),
    [
        pytest.param(
            "openinference_full", ("get_weather", "convert_currency"), id="openinference_json_schema"
        ),
        pytest.param(
            "llm_spans_no_tool_spans", ("get_weather", "convert_currency"), id="llm_spans_no_tool_spans"
        ),
        pytest.param("openllmetry_legacy", ("get_weather", "convert_currency"), id="openllmetry_functions"),
        pytest.param("otel_genai", None, id="otel_genai_emits_no_definitions"),
        pytest.param("redacted", None, id="redacted_drops_tools"),
    ],
)
def test_tools_offered(sample: str, tools: tuple[str, ...] | None, sample_spans: SampleSpans) -> None:
    infos = [s.llm for s in of_kind(sample_spans(sample), SpanKind.LLM)]
    assert {i.tools_offered for i in infos if i} == {tools}


@pytest.mark.parametrize("sample", WITH_MESSAGES)
def test_first_call_messages_and_the_tool_call_it_chose(sample: str, sample_spans: SampleSpans) -> None:
    info = llm_span(sample_spans(sample), 0).llm
    assert info is not None
    assert info.input_messages == (
        Message(role="system", content=ALICE_PROMPT),
        Message(role="user", content=PARIS_QUESTION),
    )
    assert info.output_messages == (
        Message(
            role="assistant",
            tool_calls=(ToolCall(id=PARIS_CALL, name="get_weather", arguments={"city": "Paris"}),),
        ),
    )
    assert info.finish_reasons == ("tool_calls",)


@pytest.mark.parametrize("sample", WITH_MESSAGES)
def test_follow_up_call_sees_the_tool_result_linked_by_call_id(
    sample: str, sample_spans: SampleSpans
) -> None:
    info = llm_span(sample_spans(sample), 1).llm
    assert info is not None and info.input_messages is not None
    call, result = info.input_messages[2:]
    assert call.tool_calls == (ToolCall(id=PARIS_CALL, name="get_weather", arguments={"city": "Paris"}),)
    assert (result.role, result.tool_call_id) == ("tool", PARIS_CALL)
    assert json.loads(result.content or "") == PARIS_WEATHER
    assert info.output_messages == (Message(role="assistant", content=PARIS_ANSWER),)
    assert info.finish_reasons == ("stop",)


@pytest.mark.parametrize("sample", WITH_MESSAGES)
def test_parallel_tool_calls_are_both_kept_in_order(sample: str, sample_spans: SampleSpans) -> None:
    info = llm_span(sample_spans(sample), 3).llm
    assert info is not None and info.output_messages is not None
    assert [(c.id, c.name, c.arguments) for m in info.output_messages for c in m.tool_calls] == [
        (TOKYO_CALL, "get_weather", {"city": "Tokyo"}),
        (LONDON_CALL, "get_weather", {"city": "London"}),
    ]


@pytest.mark.parametrize("sample", WITH_MESSAGES)
def test_tool_call_arguments_with_numbers_are_decoded(sample: str, sample_spans: SampleSpans) -> None:
    info = llm_span(sample_spans(sample), 5).llm
    assert info is not None and info.output_messages is not None
    assert info.output_messages[0].tool_calls == (
        ToolCall(
            id=CONVERT_CALL,
            name="convert_currency",
            arguments={"amount": 250, "from_currency": "USD", "to_currency": "EUR"},
        ),
    )


def test_legacy_genai_model_calls_record_no_content(sample_spans: SampleSpans) -> None:
    infos = [s.llm for s in of_kind(sample_spans("otel_genai_legacy"), SpanKind.LLM)]
    assert {(i.input_messages, i.output_messages) for i in infos if i} == {(None, None)}


# --- tool steps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        pytest.param(
            "openinference_full",
            ToolInfo(
                name="get_weather", call_id=PARIS_CALL, arguments={"city": "Paris"}, result=PARIS_WEATHER
            ),
            id="openinference_full",
        ),
        pytest.param(
            "otel_genai",
            ToolInfo(
                name="get_weather", call_id=PARIS_CALL, arguments={"city": "Paris"}, result=PARIS_WEATHER
            ),
            id="otel_genai",
        ),
        pytest.param(
            "otel_genai_legacy",
            ToolInfo(name="get_weather", call_id=PARIS_CALL),
            id="otel_genai_legacy_without_content",
        ),
        pytest.param(
            "openllmetry_legacy",
            ToolInfo(name="get_weather", arguments={"city": "Paris"}, result=PARIS_WEATHER),
            id="openllmetry_entity_input",
        ),
        pytest.param("redacted", ToolInfo(name="get_weather", call_id=PARIS_CALL), id="redacted"),
    ],
)
def test_tool_step_name_call_id_arguments_and_result(
    sample: str, expected: ToolInfo, sample_spans: SampleSpans
) -> None:
    assert of_kind(sample_spans(sample), SpanKind.TOOL)[0].tool == expected


@pytest.mark.parametrize(
    ("sample", "name"),
    [
        pytest.param("openinference_full", "get_weather", id="openinference_full"),
        pytest.param("otel_genai", "execute_tool get_weather", id="otel_genai"),
        pytest.param("otel_genai_legacy", "execute_tool get_weather", id="otel_genai_legacy"),
        pytest.param("openllmetry_legacy", "get_weather.tool", id="openllmetry_exception_event"),
        pytest.param("redacted", "get_weather", id="redacted"),
        pytest.param("plain_spans", "tool get_weather", id="plain_spans_exception_event"),
    ],
)
def test_the_failing_tool_step_reports_a_timeout(sample: str, name: str, sample_spans: SampleSpans) -> None:
    failed = [s for s in sample_spans(sample) if s.is_failed]
    assert [(s.name, s.status, s.error) for s in failed] == [(name, StatusCode.ERROR, TIMEOUT)]
    assert failed[0].tool is None or failed[0].tool.result is None


@pytest.mark.parametrize("sample", ["final_io_only", "llm_spans_no_tool_spans"])
def test_no_failure_is_invented_where_no_tool_span_recorded_it(
    sample: str, sample_spans: SampleSpans
) -> None:
    assert [s.name for s in sample_spans(sample) if s.is_failed] == []


def test_without_tool_spans_the_timeout_survives_only_as_a_tool_message(sample_spans: SampleSpans) -> None:
    info = llm_span(sample_spans("llm_spans_no_tool_spans"), 8).llm
    assert info is not None and info.input_messages is not None
    assert info.input_messages[-1] == Message(
        role="tool", content="Error: TimeoutError: weather API timed out after 5s", tool_call_id=LISBON_CALL
    )


# --- agent steps: the question and the final answer ---------------------------------------------


@pytest.mark.parametrize(
    ("sample", "question", "answer"),
    [
        pytest.param("openinference_full", PARIS_QUESTION, PARIS_ANSWER, id="openinference_full"),
        pytest.param("final_io_only", PARIS_QUESTION, PARIS_ANSWER, id="final_io_only"),
        pytest.param("llm_spans_no_tool_spans", PARIS_QUESTION, PARIS_ANSWER, id="llm_spans_no_tool_spans"),
        pytest.param(
            "openllmetry_legacy",
            {"args": [PARIS_QUESTION], "kwargs": {}},
            PARIS_ANSWER,
            id="openllmetry_workflow_entity",
        ),
    ],
)
def test_root_holds_the_question_and_final_answer(
    sample: str, question: Any, answer: Any, sample_spans: SampleSpans
) -> None:
    root = roots(sample_spans(sample))[0]
    assert (root.input, root.output) == (question, answer)


def test_genai_agent_span_holds_the_question_and_final_answer(sample_spans: SampleSpans) -> None:
    # The manual invoke_agent span records them as gen_ai.input.messages / gen_ai.output.messages.
    root = roots(sample_spans("otel_genai"))[0]
    assert root.kind is SpanKind.AGENT
    assert PARIS_QUESTION in json.dumps(root.input, ensure_ascii=False)
    assert PARIS_ANSWER in json.dumps(root.output, ensure_ascii=False)


def test_final_answer_alone_shows_the_lisbon_failure_only_as_text(sample_spans: SampleSpans) -> None:
    lisbon = roots(sample_spans("final_io_only"))[4]
    assert lisbon.input == "What's the weather in Lisbon this afternoon?"
    assert "TimeoutError" in lisbon.output
    assert (lisbon.status, lisbon.error) == (StatusCode.UNSET, None)


# --- redaction ----------------------------------------------------------------------------------


def test_redacted_spans_are_marked_per_field_and_keep_no_content(sample_spans: SampleSpans) -> None:
    spans = sample_spans("redacted")
    marks = Counter((s.kind.value, s.is_failed, s.redacted) for s in spans)
    assert marks == {
        ("agent", False, ("input", "output")): 6,
        ("llm", False, ("input", "output")): 10,
        ("tool", False, ("input", "output", "tool.arguments", "tool.result")): 4,
        ("tool", True, ("input", "tool.arguments")): 1,
    }
    assert all(s.input is None and s.output is None for s in spans)
    assert all(s.tool.arguments is None and s.tool.result is None for s in spans if s.tool)
    assert "__REDACTED__" not in json.dumps([export(s) for s in spans])


def test_redaction_keeps_what_the_library_keeps(sample_spans: SampleSpans) -> None:
    llm = llm_span(sample_spans("redacted"), 0).llm
    assert llm is not None
    assert (llm.input_messages, llm.output_messages, llm.tools_offered) == (None, None, None)
    assert llm.usage.input_tokens == 328
    assert llm.finish_reasons == ("tool_calls",)


def test_unredacted_samples_carry_no_redaction_marks(sample_spans: SampleSpans) -> None:
    assert [
        s.span_id for name in ALL_SAMPLES if name != "redacted" for s in sample_spans(name) if s.redacted
    ] == []


# --- plain spans --------------------------------------------------------------------------------


def test_plain_spans_carry_names_and_timing_only(sample_spans: SampleSpans) -> None:
    spans = sample_spans("plain_spans")
    assert len(spans) == 21
    assert all(s.llm is None and s.tool is None and s.input is None and s.output is None for s in spans)
    assert all(s.start_ns is not None and s.end_ns is not None for s in spans)


# --- golden pairs: one real raw span -> the mapped Span, compared exactly -----------------------


GOLDEN_CASES = sorted(p.name.removesuffix(".raw.json") for p in GOLDEN.glob("*.raw.json"))


def test_golden_cases_are_present() -> None:
    assert GOLDEN_CASES == [
        "openinference_chat_tool_call",
        "openinference_tool_get_weather",
        "openllmetry_chat_tool_call",
        "openllmetry_tool_timeout",
        "otel_genai_chat_tool_call",
        "otel_genai_execute_tool_timeout",
        "plain_call_model",
        "redacted_tool_timeout",
    ]


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_raw_span_maps_to_its_golden_span(case: str, otel_mapper: Mapper, update_golden: bool) -> None:
    raw = json.loads((GOLDEN / f"{case}.raw.json").read_text(encoding="utf-8"))
    (record,) = list(iter_request(raw))
    assert isinstance(record, dict), record

    span = otel_mapper.map_record(record)

    assert isinstance(span, Span), span
    actual = json.dumps(export(span), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    compare_golden(GOLDEN / f"{case}.span.json", actual, update_golden)
