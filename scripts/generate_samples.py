#!/usr/bin/env python3
"""Generate the OTLP/JSON sample traces in ``src/traceready/samples/otel/``.

A small tool-using "travel agent" talks to the deterministic fake OpenAI
server (``scripts/fake_openai.py``) through the real ``openai`` client, once
per scenario. Each scenario is instrumented differently (OpenInference,
OTel GenAI ``openai-v2``, OpenLLMetry, plain spans, ...) and gets its own
``TracerProvider`` with a seeded id generator and a first-party
``FileSpanExporter`` writing ``<scenario>.otlp.jsonl``.

Every scenario runs in a fresh subprocess so that instrumentors and the
environment variables they read at import time cannot leak between
scenarios. Run it through ``scripts/generate-samples`` (which builds the
pinned ``.venv-samples``); ``--scenario NAME`` runs one scenario only;
``--demo`` writes the before/after pair of ``traceready demo --compare``
into ``src/traceready/samples/demo/`` instead.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import random
import re
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion
    from opentelemetry.sdk.trace import TracerProvider

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
DEFAULT_OUT = REPO_ROOT / "src" / "traceready" / "samples" / "otel"
DEMO_OUT = REPO_ROOT / "src" / "traceready" / "samples" / "demo"
sys.path.insert(0, str(SCRIPTS_DIR))

from fake_openai import FakeOpenAI  # noqa: E402

# --------------------------------------------------------------------------
# The agent (identical in every scenario)
# --------------------------------------------------------------------------

AGENT_NAME = "travel-agent"
AGENT_VERSION = "1.4.0"
GIT_SHA = "3f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d"
PROMPT_VERSION = "travel-prompt-v3"
MODEL = "gpt-4o-mini"
REQUEST_PARAMS: dict[str, Any] = {"temperature": 0, "seed": 7, "max_tokens": 256}
MAX_STEPS = 4
RESOURCE_ATTRIBUTES: dict[str, str] = {
    "service.name": AGENT_NAME,
    "service.version": AGENT_VERSION,
    "deployment.environment.name": "production",
}

SYSTEM_TEMPLATE = (
    "You are a concise travel assistant helping {traveller}. Today is {date}. "
    "Use get_weather for weather questions and convert_currency for money questions; "
    "if a tool fails, say so honestly."
)

WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string", "description": "City name, e.g. Paris"}},
    "required": ["city"],
    "additionalProperties": False,
}
CURRENCY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "description": "Amount to convert"},
        "from_currency": {"type": "string", "description": "ISO 4217 code, e.g. USD"},
        "to_currency": {"type": "string", "description": "ISO 4217 code, e.g. EUR"},
    },
    "required": ["amount", "from_currency", "to_currency"],
    "additionalProperties": False,
}
TOOL_DESCRIPTIONS: dict[str, str] = {
    "get_weather": "Get the current weather for a city.",
    "convert_currency": "Convert an amount of money between two currencies.",
}
TOOL_SCHEMAS: dict[str, dict[str, Any]] = {
    "get_weather": WEATHER_SCHEMA,
    "convert_currency": CURRENCY_SCHEMA,
}
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {"name": name, "description": TOOL_DESCRIPTIONS[name], "parameters": schema},
    }
    for name, schema in TOOL_SCHEMAS.items()
]

_WEATHER: dict[str, tuple[int, str]] = {
    "Paris": (18, "partly cloudy"),
    "Tokyo": (24, "sunny"),
    "London": (12, "light rain"),
}
_RATES: dict[tuple[str, str], float] = {("USD", "EUR"): 0.92, ("EUR", "USD"): 1.09}


def get_weather(city: str) -> dict[str, Any]:
    """Fake weather lookup; Lisbon always times out."""
    if city == "Lisbon":
        raise TimeoutError("weather API timed out after 5s")
    temp, conditions = _WEATHER.get(city, (20, "clear"))
    return {"city": city, "temp_c": temp, "conditions": conditions}


def convert_currency(amount: float, from_currency: str, to_currency: str) -> dict[str, Any]:
    """Fake FX conversion with fixed rates."""
    rate = _RATES.get((from_currency, to_currency), 1.0)
    return {
        "amount": amount,
        "from_currency": from_currency,
        "to_currency": to_currency,
        "rate": rate,
        "converted": round(amount * rate, 2),
    }


TOOL_IMPLS: dict[str, Callable[..., dict[str, Any]]] = {
    "get_weather": get_weather,
    "convert_currency": convert_currency,
}


@dataclass(frozen=True)
class Session:
    """One conversation: id, user, traveller name and its user turns."""

    session_id: str
    user_id: str
    traveller: str
    turns: tuple[str, ...]

    @property
    def variables(self) -> dict[str, str]:
        """Prompt-template variables."""
        return {"traveller": self.traveller, "date": "2026-06-01"}


SESSIONS: tuple[Session, ...] = (
    Session(
        "sess-1",
        "user-alice",
        "Alice",
        ("What's the weather in Paris right now?", "Thanks! Any packing tips for a rainy weekend?"),
    ),
    Session(
        "sess-2",
        "user-bob",
        "Bob",
        ("Compare the weather in Tokyo and London today.", "Please convert 250 USD to EUR."),
    ),
    Session(
        "sess-3",
        "user-carol",
        "Carol",
        ("What's the weather in Lisbon this afternoon?", "Thanks, that's all for now!"),
    ),
)


class ToolRecorder:
    """Span-side handle for one tool execution (no-op by default)."""

    def ok(self, result: dict[str, Any]) -> None:
        """Tool returned ``result``."""

    def fail(self, exc: Exception) -> None:
        """Tool raised ``exc`` (the agent recovers)."""


class TurnRecorder:
    """Span-side handle for one agent turn (no-op by default)."""

    def done(self, answer: str) -> None:
        """Agent produced its final ``answer``."""


class LlmRecorder:
    """Span-side handle for one model call (no-op by default)."""

    def done(self, response: ChatCompletion) -> None:
        """Model call returned ``response``."""


class Hooks:
    """Instrumentation points of the agent; the base class records nothing."""

    def setup(self, provider: TracerProvider) -> None:
        """Install instrumentors / tracers on ``provider``."""

    def teardown(self) -> None:
        """Uninstall instrumentors."""

    @contextlib.contextmanager
    def turn(self, session: Session, question: str) -> Iterator[TurnRecorder]:
        """Wrap one user turn (one trace)."""
        yield TurnRecorder()

    @contextlib.contextmanager
    def llm_call(self, messages: list[dict[str, Any]]) -> Iterator[LlmRecorder]:
        """Wrap one chat-completions call (for manual LLM spans)."""
        yield LlmRecorder()

    @contextlib.contextmanager
    def tool_call(self, call_id: str, name: str, args: dict[str, Any]) -> Iterator[ToolRecorder]:
        """Wrap one tool execution."""
        yield ToolRecorder()


def run_turn(
    client: OpenAI, hooks: Hooks, session: Session, history: list[dict[str, Any]], question: str
) -> str:
    """Run the agent loop for one user turn and return the final answer."""
    with hooks.turn(session, question) as turn:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_TEMPLATE.format(**session.variables)},
            *history,
            {"role": "user", "content": question},
        ]
        for _ in range(MAX_STEPS):
            with hooks.llm_call(messages) as llm:
                response = client.chat.completions.create(
                    model=MODEL,
                    messages=cast("Any", messages),  # plain dicts, as most agents send
                    tools=cast("Any", TOOLS),
                    **REQUEST_PARAMS,
                )
                llm.done(response)
            message = response.choices[0].message
            if not message.tool_calls:
                answer = message.content or ""
                turn.done(answer)
                return answer
            messages.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {
                                "name": c.function.name,
                                "arguments": c.function.arguments,
                            },
                        }
                        for c in message.tool_calls
                        if c.type == "function"
                    ],
                }
            )
            for call in message.tool_calls:
                if call.type != "function":
                    continue
                name = call.function.name
                args = json.loads(call.function.arguments)
                with hooks.tool_call(call.id, name, args) as rec:
                    try:
                        result = TOOL_IMPLS[name](**args)
                    except (TimeoutError, ConnectionError, ValueError) as exc:
                        rec.fail(exc)
                        content = f"Error: {type(exc).__name__}: {exc}"
                    else:
                        rec.ok(result)
                        content = json.dumps(result)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        raise RuntimeError("agent did not finish within MAX_STEPS")


# --------------------------------------------------------------------------
# Scenario instrumentation
# --------------------------------------------------------------------------


class OpenInferenceHooks(Hooks):
    """OpenInference: OITracer agent/tool spans, optional OpenAIInstrumentor."""

    def __init__(
        self,
        *,
        llm_spans: bool = True,
        tool_spans: bool = True,
        context: bool = True,
        redact: bool = False,
    ) -> None:
        self.llm_spans = llm_spans
        self.tool_spans = tool_spans
        self.context = context
        self.redact = redact
        self._instrumentor: Any = None

    def setup(self, provider: TracerProvider) -> None:
        from openinference.instrumentation import OITracer, TraceConfig

        config = (
            TraceConfig(
                hide_inputs=True,
                hide_outputs=True,
                hide_input_messages=True,
                hide_output_messages=True,
            )
            if self.redact
            else TraceConfig()
        )
        self.tracer = OITracer(provider.get_tracer(AGENT_NAME, AGENT_VERSION), config=config)
        if self.llm_spans:
            from openinference.instrumentation.openai import OpenAIInstrumentor

            self._instrumentor = OpenAIInstrumentor()
            self._instrumentor.instrument(tracer_provider=provider, config=config)

    def teardown(self) -> None:
        if self._instrumentor is not None:
            self._instrumentor.uninstrument()

    @contextlib.contextmanager
    def turn(self, session: Session, question: str) -> Iterator[TurnRecorder]:
        from openinference.instrumentation import (
            using_metadata,
            using_prompt_template,
            using_session,
            using_user,
        )

        with contextlib.ExitStack() as stack:
            if self.context:
                stack.enter_context(using_session(session.session_id))
                stack.enter_context(using_user(session.user_id))
                stack.enter_context(
                    using_metadata({"harness_version": f"{AGENT_NAME}@{AGENT_VERSION}", "git_sha": GIT_SHA})
                )
                stack.enter_context(
                    using_prompt_template(
                        template=SYSTEM_TEMPLATE,
                        variables=session.variables,
                        version=PROMPT_VERSION,
                    )
                )
            with self.tracer.start_as_current_span(AGENT_NAME, openinference_span_kind="agent") as span:
                span.set_attribute("agent.name", AGENT_NAME)
                span.set_input(question)
                rec = TurnRecorder()
                rec.done = lambda answer: span.set_output(answer)  # type: ignore[method-assign]
                yield rec

    @contextlib.contextmanager
    def tool_call(self, call_id: str, name: str, args: dict[str, Any]) -> Iterator[ToolRecorder]:
        if not self.tool_spans:
            yield ToolRecorder()
            return
        from openinference.instrumentation import get_tool_attributes
        from opentelemetry.trace import Status, StatusCode

        with self.tracer.start_as_current_span(name, openinference_span_kind="tool") as span:
            span.set_attributes(
                get_tool_attributes(
                    name=name, description=TOOL_DESCRIPTIONS[name], parameters=TOOL_SCHEMAS[name]
                )
            )
            span.set_attribute("tool_call.id", call_id)
            span.set_input(args)

            class _Rec(ToolRecorder):
                def ok(self, result: dict[str, Any]) -> None:
                    span.set_output(result)

                def fail(self, exc: Exception) -> None:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, str(exc)))
                    span.set_attribute("error.type", type(exc).__name__)

            yield _Rec()


class OtelGenAIHooks(Hooks):
    """Official ``opentelemetry-instrumentation-openai-v2`` + manual GenAI spans."""

    def __init__(self, *, latest: bool) -> None:
        self.latest = latest
        self._instrumentor: Any = None

    def setup(self, provider: TracerProvider) -> None:
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        self.tracer = provider.get_tracer(AGENT_NAME, AGENT_VERSION)
        self._instrumentor = OpenAIInstrumentor()  # type: ignore[no-untyped-call]
        self._instrumentor.instrument(tracer_provider=provider)

    def teardown(self) -> None:
        if self._instrumentor is not None:
            self._instrumentor.uninstrument()

    @staticmethod
    def _text_messages(role: str, text: str) -> str:
        return json.dumps([{"role": role, "parts": [{"type": "text", "content": text}]}])

    @contextlib.contextmanager
    def turn(self, session: Session, question: str) -> Iterator[TurnRecorder]:
        from opentelemetry.trace import SpanKind

        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": AGENT_NAME,
            "gen_ai.agent.version": AGENT_VERSION,
            "gen_ai.conversation.id": session.session_id,
        }
        if self.latest:
            attrs["gen_ai.provider.name"] = "openai"
            attrs["gen_ai.input.messages"] = self._text_messages("user", question)
        else:
            attrs["gen_ai.system"] = "openai"
        with self.tracer.start_as_current_span(
            f"invoke_agent {AGENT_NAME}", kind=SpanKind.INTERNAL, attributes=attrs
        ) as span:
            rec = TurnRecorder()
            if self.latest:

                def done(answer: str) -> None:
                    span.set_attribute(
                        "gen_ai.output.messages",
                        json.dumps(
                            [
                                {
                                    "role": "assistant",
                                    "parts": [{"type": "text", "content": answer}],
                                    "finish_reason": "stop",
                                }
                            ]
                        ),
                    )

                rec.done = done  # type: ignore[method-assign]
            yield rec

    @contextlib.contextmanager
    def tool_call(self, call_id: str, name: str, args: dict[str, Any]) -> Iterator[ToolRecorder]:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": name,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.type": "function",
            "gen_ai.tool.description": TOOL_DESCRIPTIONS[name],
        }
        if self.latest:
            attrs["gen_ai.tool.call.arguments"] = json.dumps(args)
        latest = self.latest
        with self.tracer.start_as_current_span(
            f"execute_tool {name}", kind=SpanKind.INTERNAL, attributes=attrs
        ) as span:

            class _Rec(ToolRecorder):
                def ok(self, result: dict[str, Any]) -> None:
                    if latest:
                        span.set_attribute("gen_ai.tool.call.result", json.dumps(result))

                def fail(self, exc: Exception) -> None:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, str(exc)))
                    span.set_attribute("error.type", type(exc).__name__)

            yield _Rec()


class OpenLLMetryHooks(Hooks):
    """OpenLLMetry openai instrumentation + traceloop-sdk-style workflow/tool spans.

    The workflow/tool spans copy what ``traceloop.sdk.decorators`` (0.54.0)
    set: span name ``<entity>.<kind>``, tracer ``traceloop.tracer``,
    ``traceloop.span.kind``, ``traceloop.entity.name``, JSON
    ``traceloop.entity.input`` (``{"args": [...], "kwargs": {...}}``) and
    ``traceloop.entity.output``; the SDK's span processor stamps
    ``traceloop.workflow.name`` and ``traceloop.association.properties.*`` on
    every span started inside the workflow (emulated by ``_ContextProcessor``).
    """

    def __init__(self) -> None:
        self._instrumentor: Any = None
        self._workflow: str | None = None
        self._association: dict[str, str] = {}

    def setup(self, provider: TracerProvider) -> None:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
        from opentelemetry.sdk.trace import SpanProcessor

        hooks = self

        class _ContextProcessor(SpanProcessor):
            def on_start(self, span: Any, parent_context: Any = None) -> None:
                if hooks._workflow is not None:
                    span.set_attribute("traceloop.workflow.name", hooks._workflow)
                for key, value in hooks._association.items():
                    span.set_attribute(f"traceloop.association.properties.{key}", value)

        provider.add_span_processor(_ContextProcessor())
        self.tracer = provider.get_tracer("traceloop.tracer")
        self._instrumentor = OpenAIInstrumentor()
        self._instrumentor.instrument(tracer_provider=provider)

    def teardown(self) -> None:
        if self._instrumentor is not None:
            self._instrumentor.uninstrument()

    @contextlib.contextmanager
    def turn(self, session: Session, question: str) -> Iterator[TurnRecorder]:
        from opentelemetry import trace

        self._workflow = AGENT_NAME
        self._association = {"session_id": session.session_id, "user_id": session.user_id}
        span = self.tracer.start_span(f"{AGENT_NAME}.workflow")
        span.set_attribute("traceloop.span.kind", "workflow")
        span.set_attribute("traceloop.entity.name", AGENT_NAME)
        span.set_attribute("traceloop.entity.input", json.dumps({"args": [question], "kwargs": {}}))
        try:
            with trace.use_span(span, end_on_exit=True):
                rec = TurnRecorder()
                rec.done = lambda answer: span.set_attribute(  # type: ignore[method-assign]
                    "traceloop.entity.output", json.dumps(answer)
                )
                yield rec
        finally:
            self._workflow = None
            self._association = {}

    @contextlib.contextmanager
    def tool_call(self, call_id: str, name: str, args: dict[str, Any]) -> Iterator[ToolRecorder]:
        from opentelemetry import trace
        from opentelemetry.trace import Status, StatusCode

        span = self.tracer.start_span(f"{name}.tool")
        span.set_attribute("traceloop.span.kind", "tool")
        span.set_attribute("traceloop.entity.name", name)
        span.set_attribute("traceloop.entity.input", json.dumps({"args": [], "kwargs": args}))
        with trace.use_span(span, end_on_exit=True):

            class _Rec(ToolRecorder):
                def ok(self, result: dict[str, Any]) -> None:
                    span.set_attribute("traceloop.entity.output", json.dumps(result))

                def fail(self, exc: Exception) -> None:
                    span.set_status(Status(StatusCode.ERROR, str(exc)))
                    span.record_exception(exc)

            yield _Rec()


class PlainHooks(Hooks):
    """Plain OTel spans with names only: ``agent``, ``call_model``, ``tool <name>``."""

    def setup(self, provider: TracerProvider) -> None:
        self.tracer = provider.get_tracer(AGENT_NAME)

    @contextlib.contextmanager
    def turn(self, session: Session, question: str) -> Iterator[TurnRecorder]:
        with self.tracer.start_as_current_span("agent"):
            yield TurnRecorder()

    @contextlib.contextmanager
    def llm_call(self, messages: list[dict[str, Any]]) -> Iterator[LlmRecorder]:
        from opentelemetry.trace import SpanKind

        with self.tracer.start_as_current_span("call_model", kind=SpanKind.CLIENT):
            yield LlmRecorder()

    @contextlib.contextmanager
    def tool_call(self, call_id: str, name: str, args: dict[str, Any]) -> Iterator[ToolRecorder]:
        from opentelemetry.trace import Status, StatusCode

        with self.tracer.start_as_current_span(f"tool {name}") as span:

            class _Rec(ToolRecorder):
                def fail(self, exc: Exception) -> None:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, str(exc)))

            yield _Rec()


# --------------------------------------------------------------------------
# Scenario table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A named instrumentation setup and the environment it needs."""

    name: str
    make_hooks: Callable[[], Hooks]
    packages: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    one_span_per_line: bool = False


_OI = ("openinference-instrumentation", "openinference-semantic-conventions")
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "openinference_full",
            OpenInferenceHooks,
            ("openinference-instrumentation-openai", *_OI),
        ),
        Scenario(
            "final_io_only",
            lambda: OpenInferenceHooks(llm_spans=False, tool_spans=False, context=False),
            _OI,
        ),
        Scenario(
            "llm_spans_no_tool_spans",
            lambda: OpenInferenceHooks(tool_spans=False),
            ("openinference-instrumentation-openai", *_OI),
        ),
        Scenario(
            "redacted",
            lambda: OpenInferenceHooks(redact=True),
            ("openinference-instrumentation-openai", *_OI),
        ),
        Scenario(
            "otel_genai",
            lambda: OtelGenAIHooks(latest=True),
            ("opentelemetry-instrumentation-openai-v2", "opentelemetry-util-genai"),
            env={
                "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
            },
        ),
        Scenario(
            "otel_genai_legacy",
            lambda: OtelGenAIHooks(latest=False),
            ("opentelemetry-instrumentation-openai-v2", "opentelemetry-util-genai"),
        ),
        Scenario(
            "openllmetry_legacy",
            OpenLLMetryHooks,
            ("opentelemetry-instrumentation-openai", "opentelemetry-semantic-conventions-ai"),
            env={"TRACELOOP_TELEMETRY": "false", "TRACELOOP_TRACE_CONTENT": "true"},
        ),
        Scenario("plain_spans", PlainHooks, (), one_span_per_line=True),
    )
}

DEMO_SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        # The same agent as a team often first traces it: one-line OpenAI auto-instrumentation under an
        # agent span, and nothing else (no tool spans, no session, user, version or prompt metadata).
        Scenario(
            "before_fixes",
            lambda: OpenInferenceHooks(tool_spans=False, context=False),
            ("openinference-instrumentation-openai", *_OI),
        ),
        # The same agent once the recommended fixes are applied: tool spans with arguments, results
        # and error types, session and user ids, harness version, git sha and prompt template version.
        Scenario(
            "after_fixes",
            OpenInferenceHooks,
            ("openinference-instrumentation-openai", *_OI),
        ),
    )
}
"""``traceready demo --compare``: the same agent before and after the fixes (``--demo``)."""
ALL_SCENARIOS: dict[str, Scenario] = {**SCENARIOS, **DEMO_SCENARIOS}

COMMON_PACKAGES = (
    "openai",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-json-file",
)
REPORTED_PACKAGES = (
    *COMMON_PACKAGES,
    "openinference-instrumentation-openai",
    "openinference-instrumentation",
    "openinference-semantic-conventions",
    "opentelemetry-instrumentation-openai-v2",
    "opentelemetry-util-genai",
    "opentelemetry-instrumentation",
    "opentelemetry-semantic-conventions",
    "opentelemetry-instrumentation-openai",
    "opentelemetry-semantic-conventions-ai",
    "httpx",
)
# Variables that would change what the libraries record; cleared for children.
_ENV_PREFIXES = ("OTEL_", "OPENINFERENCE_", "TRACELOOP_", "OPENAI_")


def output_path(out_dir: Path, name: str) -> Path:
    """File written by scenario ``name``."""
    return out_dir / f"{name}.otlp.jsonl"


def scenario_seed(name: str) -> int:
    """Stable per-scenario id seed (different files never share ids)."""
    return zlib.crc32(name.encode())


def run_scenario(name: str, out_dir: Path, base_url: str) -> None:
    """Run one scenario in this process and write its file."""
    import openai
    from opentelemetry.exporter.otlp.json.file.trace_exporter import FileSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.id_generator import IdGenerator
    from opentelemetry.trace import INVALID_SPAN_ID, INVALID_TRACE_ID

    class SeededIdGenerator(IdGenerator):
        """Reproducible trace/span ids from ``random.Random(seed)``."""

        def __init__(self, seed: int) -> None:
            self._rng = random.Random(seed)

        def generate_span_id(self) -> int:
            while (value := self._rng.getrandbits(64)) == INVALID_SPAN_ID:
                pass
            return value

        def generate_trace_id(self) -> int:
            while (value := self._rng.getrandbits(128)) == INVALID_TRACE_ID:
                pass
            return value

    spec = ALL_SCENARIOS[name]
    path = output_path(out_dir, name)
    path.unlink(missing_ok=True)
    provider = TracerProvider(
        resource=Resource.create(RESOURCE_ATTRIBUTES),
        id_generator=SeededIdGenerator(scenario_seed(name)),
    )
    hooks = spec.make_hooks()
    hooks.setup(provider)
    exporter = FileSpanExporter(path)
    if spec.one_span_per_line:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        # Huge delay + a flush after every turn = exactly one line per trace.
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=3_600_000))
    client = openai.OpenAI(base_url=base_url, api_key="sk-fake-traceready", max_retries=0)
    try:
        for session in SESSIONS:
            history: list[dict[str, Any]] = []
            for question in session.turns:
                answer = run_turn(client, hooks, session, history, question)
                history += [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": answer},
                ]
                provider.force_flush()
    finally:
        hooks.teardown()
        provider.shutdown()
        client.close()


# --------------------------------------------------------------------------
# Verification and provenance
# --------------------------------------------------------------------------


_INDEX_RE = re.compile(r"\.\d+(?=\.|$)")


def _is_hex(value: Any, length: int) -> bool:
    if not isinstance(value, str) or len(value) != length:
        return False
    try:
        int(value, 16)
    except ValueError:
        return False
    return True


def summarize(path: Path) -> dict[str, Any]:
    """Validate an OTLP/JSON lines file and return span/trace/attribute stats."""
    spans: list[dict[str, Any]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        doc = json.loads(line)
        if "resourceSpans" not in doc:
            raise ValueError(f"{path.name}:{n}: no resourceSpans")
        for rs in doc["resourceSpans"]:
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    span["_scope"] = ss.get("scope", {}).get("name", "")
                    spans.append(span)
    for span in spans:
        ok = _is_hex(span.get("traceId"), 32) and _is_hex(span.get("spanId"), 16)
        parent = span.get("parentSpanId")
        if parent:
            ok = ok and _is_hex(parent, 16)
        if not ok:
            raise ValueError(f"{path.name}: bad ids in span {span.get('name')}")
    traces = {s["traceId"] for s in spans}
    roots = [s for s in spans if not s.get("parentSpanId")]
    if len(roots) != len(traces):
        raise ValueError(f"{path.name}: {len(roots)} roots for {len(traces)} traces")
    names: dict[str, int] = {}
    for s in spans:
        names[s["name"]] = names.get(s["name"], 0) + 1
    return {
        "lines": len(lines),
        "bytes": path.stat().st_size,
        "traces": len(traces),
        "spans": len(spans),
        "error_spans": sum(1 for s in spans if s.get("status", {}).get("code") == 2),
        "span_names": dict(sorted(names.items())),
        "scopes": sorted({s["_scope"] for s in spans}),
        "attribute_keys": sorted(
            {_INDEX_RE.sub(".N", a["key"]) for s in spans for a in s.get("attributes", [])}
        ),
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    raise TypeError(f"cannot encode {value!r}")


def installed_version(dist: str) -> str:
    """Installed version of ``dist`` or ``"not installed"``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def write_manifest(out_dir: Path, stats: dict[str, dict[str, Any]], command: str) -> Path:
    """Write ``MANIFEST.toml`` (versions, date, command, per-file stats)."""
    lines = [
        "# Generated by scripts/generate_samples.py - do not edit by hand.",
        f"generated_at = {_toml_value(dt.datetime.now(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ'))}",
        f"command = {_toml_value(command)}",
        f"python = {_toml_value(sys.version.split()[0])}",
        'fake_server = "scripts/fake_openai.py (deterministic OpenAI chat-completions fake on 127.0.0.1)"',
        f"model_requested = {_toml_value(MODEL)}",
        f"request_params = {_toml_value(REQUEST_PARAMS)}",
        "",
        "[versions]",
        *(f"{json.dumps(p)} = {_toml_value(installed_version(p))}" for p in REPORTED_PACKAGES),
    ]
    for name, st in stats.items():
        spec = ALL_SCENARIOS[name]
        lines += [
            "",
            f"[files.{name}]",
            f"path = {_toml_value(output_path(out_dir, name).name)}",
            f"packages = {_toml_value({p: installed_version(p) for p in spec.packages})}",
            f"env = {_toml_value(spec.env)}",
            f"id_seed = {scenario_seed(name)}",
            f"one_span_per_line = {_toml_value(spec.one_span_per_line)}",
            *(
                f"{k} = {_toml_value(st[k])}"
                for k in (
                    "lines",
                    "bytes",
                    "traces",
                    "spans",
                    "error_spans",
                    "scopes",
                    "span_names",
                    "attribute_keys",
                )
            ),
        ]
    path = out_dir / "MANIFEST.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """Parent environment minus tracing/OpenAI variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}
    env.update(extra)
    return env


def main(argv: list[str] | None = None) -> int:
    """Generate all (or selected) scenarios, verify them and write the manifest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output directory (default: the bundled samples)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the before/after pair of `traceready demo --compare` (samples/demo) instead",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(ALL_SCENARIOS),
        help="only these scenarios (repeatable); default all",
    )
    parser.add_argument("--base-url", help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    table = DEMO_SCENARIOS if args.demo else SCENARIOS
    out_dir: Path = (args.out or (DEMO_OUT if args.demo else DEFAULT_OUT)).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    if args.child:
        run_scenario(args.scenario[0], out_dir, args.base_url)
        return 0

    names = args.scenario or list(table)
    stats: dict[str, dict[str, Any]] = {}
    with FakeOpenAI() as base_url:
        for name in names:
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                "--scenario",
                name,
                "--out",
                str(out_dir),
                "--base-url",
                base_url,
            ]
            subprocess.run(cmd, check=True, env=child_env(ALL_SCENARIOS[name].env), timeout=300)
            stats[name] = summarize(output_path(out_dir, name))
            st = stats[name]
            print(
                f"{name:26} traces={st['traces']} spans={st['spans']} "
                f"errors={st['error_spans']} lines={st['lines']} bytes={st['bytes']}"
            )
    if set(names) == set(table):
        command = "scripts/generate-samples --demo" if args.demo else "scripts/generate-samples"
        manifest = write_manifest(out_dir, stats, command)
        shown = manifest.relative_to(REPO_ROOT) if manifest.is_relative_to(REPO_ROOT) else manifest
        print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
