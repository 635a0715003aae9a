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
from traceready.connectors.otel import OtelConnector
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Span, SpanKind, sampling_params
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
