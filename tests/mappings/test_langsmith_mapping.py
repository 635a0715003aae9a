"""LangSmith runs into spans: golden pairs from the cassettes, and odd input never raising.

Each ``tests/mappings/langsmith/<case>.raw.json`` is one run as LangSmith's read API returns it (v1
row; ``v2_*`` cases a v2 item), taken from ``cassettes/langsmith/``; the ``.span.json`` beside it is
the mapped span after the connector's shaping (``shape_run``), compared exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import compare_golden
from traceready.connectors.langsmith.shape import shape_run
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Rejection, Span, SpanKind, StatusCode
from traceready.span_format import export

GOLDEN = Path(__file__).parent / "langsmith"
CASES = sorted(p.name.removesuffix(".raw.json") for p in GOLDEN.glob("*.raw.json"))
MAPPER = Mapper(load_mapping("langsmith"))


def mapped(case: str) -> Span:
    raw = json.loads((GOLDEN / f"{case}.raw.json").read_text(encoding="utf-8"))
    span = MAPPER.map_record(shape_run(raw, v2=case.startswith("v2_"), web_url="https://smith.langchain.com"))
    assert isinstance(span, Span), span
    return span


def test_golden_cases_are_present() -> None:
    assert CASES == [
        "hidden_io_llm",
        "langchain_chat_tool_call",
        "langchain_tool_get_weather",
        "traceable_root_with_feedback",
        "traceable_tool_timeout",
        "v2_wrap_openai_llm",
        "wrap_openai_tool_call",
    ]


@pytest.mark.parametrize("case", CASES)
def test_raw_run_maps_to_its_golden_span(case: str, update_golden: bool) -> None:
    actual = json.dumps(export(mapped(case)), indent=2, sort_keys=True, ensure_ascii=False)
    compare_golden(GOLDEN / f"{case}.span.json", actual + "\n", update_golden)


def test_wrap_openai_call_records_model_params_tools_and_the_choice() -> None:
    span = mapped("wrap_openai_tool_call")
    assert span.kind is SpanKind.LLM and span.llm is not None
    assert (span.llm.provider, span.llm.model, span.llm.response_model) == (
        "openai",
        "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18",
    )
    assert span.llm.params == {"temperature": 0, "max_tokens": 256, "seed": 7}
    assert span.llm.tools_offered == ("get_weather", "convert_currency")
    assert span.llm.output_messages is not None
    assert [c.name for c in span.llm.output_messages[0].tool_calls] == ["get_weather"]
    assert span.llm.finish_reasons == ("tool_calls",)
    assert span.llm.usage.input_tokens and span.llm.cost_usd is not None


def test_langchain_call_reads_lc_messages_and_invocation_params() -> None:
    span = mapped("langchain_chat_tool_call")
    assert span.llm is not None and span.llm.input_messages and span.llm.output_messages
    assert span.llm.input_messages[0].role == "system"
    assert span.llm.output_messages[-1].tool_calls
    assert span.llm.params is not None and span.llm.params["seed"] == 7
    assert span.llm.tools_offered == ("get_weather", "convert_currency")


def test_tool_timeout_is_a_typed_failure() -> None:
    span = mapped("traceable_tool_timeout")
    assert span.kind is SpanKind.TOOL and span.status is StatusCode.ERROR
    assert span.error is not None and span.error.type == "TimeoutError" and span.error.has_stacktrace
    assert (
        span.tool is not None
        and span.tool.name == "get_weather"
        and span.tool.arguments == {"city": "Lisbon"}
    )


def test_v2_item_maps_like_its_v1_row() -> None:
    v2 = mapped("v2_wrap_openai_llm")
    assert v2.parent_id is not None and v2.status is StatusCode.OK and v2.llm is not None
    assert v2.llm.model == "gpt-4o-mini" and v2.session_id == "sess-1"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = ("id", "trace_id", "run_type", "status", "start_time", "inputs", "outputs", "extra", "error",
          "feedback_stats", "parent_run_ids", "app_path", "total_tokens")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), JSON), st.booleans())
def test_any_run_gives_a_span_or_a_rejection(raw: dict[str, Any], v2: bool) -> None:
    result = MAPPER.map_record(shape_run(raw, v2=v2, web_url="https://smith.langchain.com"))
    assert isinstance(result, Span | Rejection)
