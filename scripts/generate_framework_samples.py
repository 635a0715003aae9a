#!/usr/bin/env python3
"""Generate OTLP/JSON traces of real agent frameworks in ``src/traceready/samples/frameworks/``.

The same travel agent as ``scripts/generate_samples.py`` (its sessions, tools and system prompt),
built the way each framework's documentation shows, talks to the deterministic fake OpenAI server
(``scripts/fake_openai.py``) and is traced by the instrumentation a team would install for that
framework. Every scenario runs in a fresh subprocess of its framework's own venv
(``.venv-samples-<framework>/``, pinned by ``scripts/requirements-samples-<framework>.txt``), with a
seeded id generator and the first-party ``FileSpanExporter``. Nothing is written by hand.

Run it through ``scripts/generate-framework-samples`` (which builds the venvs); ``--scenario NAME``
runs one scenario only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
DEFAULT_OUT = REPO_ROOT / "src" / "traceready" / "samples" / "frameworks"
sys.path.insert(0, str(SCRIPTS_DIR))

from fake_openai import FakeOpenAI  # noqa: E402
from generate_samples import (  # noqa: E402
    AGENT_NAME,
    AGENT_VERSION,
    GIT_SHA,
    MODEL,
    RESOURCE_ATTRIBUTES,
    SESSIONS,
    SYSTEM_TEMPLATE,
    TOOL_DESCRIPTIONS,
    Session,
    _toml_value,
    child_env,
    convert_currency,
    get_weather,
    scenario_seed,
    summarize,
)

HARNESS_VERSION = f"{AGENT_NAME}@{AGENT_VERSION}"
API_KEY = "sk-fake-traceready"
TEMPERATURE, SEED, MAX_TOKENS = 0.0, 7, 256


def system_prompt(session: Session) -> str:
    """The travel agent's system prompt for one session."""
    return SYSTEM_TEMPLATE.format(**session.variables)


def weather(city: str) -> str:
    """Get the current weather for a city."""
    return json.dumps(get_weather(city))  # Lisbon raises TimeoutError


def currency(amount: float, from_currency: str, to_currency: str) -> str:
    """Convert an amount of money between two currencies."""
    return json.dumps(convert_currency(amount, from_currency, to_currency))


weather.__name__, currency.__name__ = "get_weather", "convert_currency"
weather.__doc__ = TOOL_DESCRIPTIONS["get_weather"] + "\n\nArgs:\n    city: City name, e.g. Paris"
currency.__doc__ = (
    TOOL_DESCRIPTIONS["convert_currency"]
    + "\n\nArgs:\n    amount: Amount to convert\n    from_currency: ISO 4217 code, e.g. USD\n"
    + "    to_currency: ISO 4217 code, e.g. EUR"
)


@dataclass
class Run:
    """What a scenario's agent gets: the fake server, the tracer provider, its switches."""

    base_url: str
    provider: Any
    session_ids: bool
    """Set session ids and the harness version the way the framework's docs say."""
    options: dict[str, Any]


TurnFn = Callable[[Run, Session, list[tuple[str, str]], str], str]
"""Run one user turn (history as (role, text) pairs) and return the answer."""


# --------------------------------------------------------------------------
# Frameworks
# --------------------------------------------------------------------------


def _openinference_context(run: Run, session: Session) -> contextlib.AbstractContextManager[Any]:
    """OpenInference's ``using_attributes``: session, user and metadata on every span below."""
    if not run.session_ids:
        return contextlib.nullcontext()
    from openinference.instrumentation import using_attributes

    return using_attributes(
        session_id=session.session_id,
        user_id=session.user_id,
        metadata={"harness_version": HARNESS_VERSION, "git_sha": GIT_SHA},
    )


def langgraph_setup(run: Run) -> None:
    """Instrument LangChain with the scenario's instrumentor."""
    if run.options["instrumentor"] == "openinference":
        from openinference.instrumentation.langchain import LangChainInstrumentor

        LangChainInstrumentor().instrument(tracer_provider=run.provider)
    else:
        from opentelemetry.instrumentation.langchain import LangchainInstrumentor

        LangchainInstrumentor().instrument(tracer_provider=run.provider)


_AGENTS: dict[str, Any] = {}


def langgraph_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A LangGraph prebuilt ReAct agent (``create_react_agent``) with a ToolNode that reports errors."""
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI
    from langgraph.prebuilt import ToolNode, create_react_agent

    llm = ChatOpenAI(
        model=MODEL,
        base_url=run.base_url,
        api_key=API_KEY,  # type: ignore[arg-type]
        temperature=TEMPERATURE,
        seed=SEED,
        max_completion_tokens=MAX_TOKENS,
        max_retries=0,
    )
    agent = _AGENTS.get(session.session_id)
    if agent is None:  # built once per session, as an app builds it once per user
        tools = ToolNode([tool(weather), tool(currency)], handle_tool_errors=True)
        agent = create_react_agent(llm, tools, prompt=system_prompt(session), name=AGENT_NAME)
        _AGENTS[session.session_id] = agent
    config: dict[str, Any] = {"run_name": AGENT_NAME}
    if run.session_ids:
        # LangChain run metadata: OpenInference reads session_id from it, OpenLLMetry copies it
        # into traceloop.association.properties.*
        config["metadata"] = {
            "session_id": session.session_id,
            "user_id": session.user_id,
            "harness_version": HARNESS_VERSION,
        }
    with (
        _openinference_context(run, session)
        if run.options["instrumentor"] == "openinference"
        else (contextlib.nullcontext())
    ):
        result = agent.invoke({"messages": [*history, ("user", question)]}, config=config)  # type: ignore[arg-type]
    return str(result["messages"][-1].content)


def openai_agents_setup(run: Run) -> None:
    """OpenInference's instrumentor for the OpenAI Agents SDK (a trace processor)."""
    from agents import set_tracing_disabled
    from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor

    set_tracing_disabled(False)
    OpenAIAgentsInstrumentor().instrument(tracer_provider=run.provider)


def openai_agents_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """An ``Agent`` with two ``function_tool``s; a failing tool is reported to the model by the SDK."""
    from agents import Agent, ModelSettings, OpenAIChatCompletionsModel, Runner, function_tool, trace
    from agents.models.openai_responses import OpenAIResponsesModel
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=run.base_url, api_key=API_KEY, max_retries=0)
    model_class = (
        OpenAIResponsesModel if run.options.get("api") == "responses" else OpenAIChatCompletionsModel
    )
    agent = Agent(
        name=AGENT_NAME,
        instructions=system_prompt(session),
        model=model_class(model=MODEL, openai_client=client),
        model_settings=ModelSettings(temperature=TEMPERATURE, max_tokens=MAX_TOKENS),
        tools=[function_tool(weather), function_tool(currency)],
    )
    items = [{"role": role, "content": text} for role, text in history]
    items.append({"role": "user", "content": question})
    kwargs: dict[str, Any] = {}
    if run.session_ids:
        # The SDK's documented way: group_id links the traces of one conversation.
        kwargs = {"group_id": session.session_id, "metadata": {"harness_version": HARNESS_VERSION}}

    async def go() -> str:
        with trace(f"{AGENT_NAME} turn", **kwargs):
            result = await Runner.run(agent, items)  # type: ignore[arg-type]
        return str(result.final_output)

    if run.options.get("instrumentor", "").startswith("otel-"):  # reads group_id: no context to enter
        return asyncio.run(go())
    with _openinference_context(run, session):
        return asyncio.run(go())


def openai_agents_otel_setup(run: Run) -> None:
    """The OTel project's GenAI instrumentations of the Agents SDK and of the openai client.

    The first turns the SDK's traces into workflow, agent and tool spans (a trace processor); the
    model calls come from the second, installed beside it as its README says. Option
    ``instrumentor="otel-contrib-v2"`` installs their predecessor instead.
    """
    if run.options.get("instrumentor") == "otel-contrib-v2":
        openai_agents_otel_v2_setup(run)
        return
    from agents import set_tracing_disabled
    from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor
    from opentelemetry.instrumentation.genai.openai_agents import OpenAIAgentsInstrumentor

    set_tracing_disabled(False)
    OpenAIInstrumentor().instrument(tracer_provider=run.provider)
    OpenAIAgentsInstrumentor().instrument(tracer_provider=run.provider, disable_openai_trace_export=True)


def openai_agents_otel_v2_setup(run: Run) -> None:
    """The predecessor, ``opentelemetry-instrumentation-openai-agents-v2``, alone.

    One trace processor that writes the model-call spans too, so the openai client is not
    instrumented beside it.
    """
    from agents import set_trace_processors, set_tracing_disabled
    from opentelemetry.instrumentation.openai_agents import OpenAIAgentsInstrumentor

    set_tracing_disabled(False)
    set_trace_processors([])  # it keeps the SDK's upload to OpenAI beside it; nothing leaves here
    OpenAIAgentsInstrumentor().instrument(tracer_provider=run.provider)


def pydantic_ai_setup(run: Run) -> None:
    """Nothing to install: the agent is built with ``instrument=InstrumentationSettings(...)``."""


def pydantic_ai_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A pydantic-ai ``Agent`` with native OTel instrumentation in the scenario's format version."""
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
    from pydantic_ai.models.instrumented import InstrumentationSettings
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider
    from pydantic_ai.settings import ModelSettings

    settings = InstrumentationSettings(
        tracer_provider=run.provider,
        version=run.options["version"],
        include_content=run.options.get("include_content", True),
    )
    model = OpenAIChatModel(MODEL, provider=OpenAIProvider(base_url=run.base_url, api_key=API_KEY))
    agent = Agent(
        model,
        name=AGENT_NAME,
        system_prompt=system_prompt(session),
        tools=[weather, currency],
        model_settings=ModelSettings(temperature=TEMPERATURE, seed=SEED, max_tokens=MAX_TOKENS),
    )
    agent.instrument = settings
    messages: list[Any] = []
    for role, text in history:
        if role == "user":
            messages.append(ModelRequest(parts=[UserPromptPart(text)]))
        else:
            messages.append(ModelResponse(parts=[TextPart(text)]))
    # pydantic-ai's own conversation id, recorded as gen_ai.conversation.id
    conversation = {"conversation_id": session.session_id} if run.session_ids else {}
    try:
        result = agent.run_sync(question, message_history=messages or None, **conversation)
    except TimeoutError as exc:  # pydantic-ai lets a tool's exception end the run
        return f"Error: TimeoutError: {exc}"
    return str(result.output)


def strands_setup(run: Run) -> None:
    """Strands uses the global tracer provider (its ``StrandsTelemetry`` sets one up the same way)."""
    from opentelemetry import trace

    trace.set_tracer_provider(run.provider)


def strands_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A Strands ``Agent`` with two ``@tool`` functions; a failing tool becomes an error result."""
    from strands import Agent, tool
    from strands.models.openai import OpenAIModel

    model = OpenAIModel(
        client_args={"base_url": run.base_url, "api_key": API_KEY, "max_retries": 0},
        model_id=MODEL,
        params={"temperature": TEMPERATURE, "seed": SEED, "max_tokens": MAX_TOKENS},
    )
    messages = [{"role": role, "content": [{"text": text}]} for role, text in history]
    attributes: dict[str, Any] = {}
    if run.session_ids:
        # Strands' documented trace_attributes: session.id / user.id on the agent's spans.
        attributes = {"session.id": session.session_id, "user.id": session.user_id}
    agent = Agent(
        model=model,
        name=AGENT_NAME,
        system_prompt=system_prompt(session),
        tools=[tool(weather), tool(currency)],
        messages=messages,  # type: ignore[arg-type]
        trace_attributes=attributes or None,
        callback_handler=None,
    )
    return str(agent(question)).strip()


def smolagents_setup(run: Run) -> None:
    """OpenInference's smolagents instrumentor."""
    from openinference.instrumentation.smolagents import SmolagentsInstrumentor

    SmolagentsInstrumentor().instrument(tracer_provider=run.provider)


def smolagents_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A smolagents ``ToolCallingAgent``; a tool error is shown to the model as an observation."""
    from smolagents import OpenAIServerModel, ToolCallingAgent, tool

    model = OpenAIServerModel(
        model_id=MODEL,
        api_base=run.base_url,
        api_key=API_KEY,
        temperature=TEMPERATURE,
        seed=SEED,
        max_tokens=MAX_TOKENS,
    )
    agent = ToolCallingAgent(
        tools=[tool(weather), tool(currency)],
        model=model,
        name=AGENT_NAME.replace("-", "_"),
        instructions=system_prompt(session),
        max_steps=4,
        verbosity_level=0,
    )
    task = question
    if history:
        earlier = "\n".join(f"{role}: {text}" for role, text in history)
        task = f"Conversation so far:\n{earlier}\n\nNew request: {question}"
    with _openinference_context(run, session):
        return str(agent.run(task))


def llamaindex_setup(run: Run) -> None:
    """OpenInference's LlamaIndex instrumentor."""
    from openinference.instrumentation.llama_index import LlamaIndexInstrumentor

    LlamaIndexInstrumentor().instrument(tracer_provider=run.provider)


def llamaindex_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A LlamaIndex ``FunctionAgent``; a failing tool's error goes back to the model."""
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool
    from llama_index.llms.openai import OpenAI

    llm = OpenAI(
        model=MODEL,
        api_base=run.base_url,
        api_key=API_KEY,
        temperature=TEMPERATURE,
        max_tokens=MAX_TOKENS,
        max_retries=0,
        additional_kwargs={"seed": SEED},
    )
    agent = FunctionAgent(
        name=AGENT_NAME,
        tools=[FunctionTool.from_defaults(weather), FunctionTool.from_defaults(currency)],
        llm=llm,
        system_prompt=system_prompt(session),
    )
    chat_history = [ChatMessage(role=role, content=text) for role, text in history]

    async def go() -> str:
        return str(await agent.run(question, chat_history=chat_history))

    with _openinference_context(run, session):
        return asyncio.run(go())


@dataclass(frozen=True)
class Framework:
    """A framework: its venv name, set-up, one turn, and the packages whose versions are recorded."""

    name: str
    setup: Callable[[Run], None]
    turn: TurnFn
    packages: tuple[str, ...]


FRAMEWORKS = {
    f.name: f
    for f in (
        Framework(
            "langgraph",
            langgraph_setup,
            langgraph_turn,
            (
                "langgraph",
                "langgraph-prebuilt",
                "langchain-core",
                "langchain-openai",
                "openinference-instrumentation-langchain",
                "opentelemetry-instrumentation-langchain",
            ),
        ),
        Framework(
            "openai-agents",
            openai_agents_setup,
            openai_agents_turn,
            ("openai-agents", "openinference-instrumentation-openai-agents"),
        ),
        Framework(
            "openai-agents-otel",
            openai_agents_otel_setup,
            openai_agents_turn,
            (
                "openai-agents",
                "opentelemetry-instrumentation-genai-openai-agents",
                "opentelemetry-instrumentation-genai-openai",
                "opentelemetry-util-genai",
                "opentelemetry-instrumentation-openai-agents-v2",
            ),
        ),
        Framework("pydantic-ai", pydantic_ai_setup, pydantic_ai_turn, ("pydantic-ai-slim",)),
        Framework("strands", strands_setup, strands_turn, ("strands-agents",)),
        Framework(
            "smolagents",
            smolagents_setup,
            smolagents_turn,
            ("smolagents", "openinference-instrumentation-smolagents"),
        ),
        Framework(
            "llamaindex",
            llamaindex_setup,
            llamaindex_turn,
            ("llama-index-core", "llama-index-llms-openai", "openinference-instrumentation-llama-index"),
        ),
    )
}
COMMON_PACKAGES = (
    "openai",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-json-file",
    "openinference-instrumentation",
    "openinference-semantic-conventions",
)


@dataclass(frozen=True)
class Scenario:
    """One recording: a framework, its switches, its environment, and what it varies."""

    name: str
    framework: str
    session_ids: bool
    note: str
    options: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


_HIDE = {"OPENINFERENCE_HIDE_INPUTS": "true", "OPENINFERENCE_HIDE_OUTPUTS": "true"}
_HIDE_MESSAGES = {"OPENINFERENCE_HIDE_INPUT_MESSAGES": "true", "OPENINFERENCE_HIDE_OUTPUT_MESSAGES": "true"}
SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "langgraph_openinference",
            "langgraph",
            True,
            "LangGraph ReAct agent, OpenInference; session and harness version in the run metadata",
            {"instrumentor": "openinference"},
        ),
        Scenario(
            "langgraph_openinference_hidden",
            "langgraph",
            False,
            "as above without session ids, inputs and messages hidden by OPENINFERENCE_HIDE_*",
            {"instrumentor": "openinference"},
            {**_HIDE, **_HIDE_MESSAGES},
        ),
        Scenario(
            "langgraph_openllmetry",
            "langgraph",
            True,
            "LangGraph ReAct agent, OpenLLMetry; run metadata becomes traceloop association properties",
            {"instrumentor": "openllmetry"},
            {"TRACELOOP_TRACE_CONTENT": "true"},
        ),
        Scenario(
            "langgraph_openllmetry_no_content",
            "langgraph",
            False,
            "as above without metadata, TRACELOOP_TRACE_CONTENT=false",
            {"instrumentor": "openllmetry"},
            {"TRACELOOP_TRACE_CONTENT": "false"},
        ),
        Scenario(
            "openai_agents_openinference",
            "openai-agents",
            True,
            "OpenAI Agents SDK (chat completions), OpenInference; trace group_id and metadata",
            {"api": "chat_completions"},
        ),
        Scenario(
            "openai_agents_openinference_responses",
            "openai-agents",
            False,
            "OpenAI Agents SDK on the Responses API (its default), OpenInference, no session ids",
            {"api": "responses"},
        ),
        Scenario(
            "openai_agents_otel",
            "openai-agents-otel",
            True,
            "OpenAI Agents SDK (chat completions), OTel GenAI instrumentations, content on spans; "
            "trace group_id",
            {"api": "chat_completions", "instrumentor": "otel-genai"},
            {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only"},
        ),
        Scenario(
            "openai_agents_otel_no_content",
            "openai-agents-otel",
            False,
            "OpenAI Agents SDK on the Responses API, OTel GenAI instrumentations, content capture "
            "unset (their default: none), no session ids",
            {"api": "responses", "instrumentor": "otel-genai"},
        ),
        Scenario(
            "openai_agents_otel_contrib_v2",
            "openai-agents-otel",
            True,
            "OpenAI Agents SDK (chat completions), opentelemetry-instrumentation-openai-agents-v2 alone, "
            "its default content capture (on); trace group_id",
            {"api": "chat_completions", "instrumentor": "otel-contrib-v2"},
        ),
        Scenario(
            "openai_agents_otel_event_only",
            "openai-agents-otel",
            True,
            "as openai_agents_otel with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=event_only: "
            "content goes to log events, not spans",
            {"api": "chat_completions", "instrumentor": "otel-genai"},
            {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "event_only"},
        ),
        *(
            Scenario(
                f"pydantic_ai_v{version}",
                "pydantic-ai",
                version >= 5,
                f"pydantic-ai native OTel, instrumentation format version {version}"
                + ("; conversation_id" if version >= 5 else ""),
                {"version": version},
            )
            for version in (2, 3, 4, 5, 6)
        ),
        Scenario(
            "pydantic_ai_v6_no_content",
            "pydantic-ai",
            True,
            "pydantic-ai native OTel, format version 6, include_content=False; conversation_id",
            {"version": 6, "include_content": False},
        ),
        Scenario(
            "strands",
            "strands",
            True,
            "Strands native spans, default semconv (per-message span events); trace_attributes session",
        ),
        Scenario(
            "strands_latest",
            "strands",
            False,
            "Strands native spans with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental",
            env={"OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental"},
        ),
        Scenario(
            "smolagents_openinference",
            "smolagents",
            True,
            "smolagents ToolCallingAgent, OpenInference; using_attributes session",
        ),
        Scenario(
            "llamaindex_openinference",
            "llamaindex",
            True,
            "LlamaIndex FunctionAgent, OpenInference; using_attributes session",
        ),
    )
}


# --------------------------------------------------------------------------
# CrewAI and Google ADK
# --------------------------------------------------------------------------


def crewai_setup(run: Run) -> None:
    """OpenInference's CrewAI instrumentor (crew, task, agent and tool spans) and its OpenAI one.

    CrewAI 1.x calls OpenAI-compatible models through its native ``openai`` client, not LiteLLM
    (LiteLLM is an optional extra), so the model calls are traced by the OpenAI instrumentor; the
    CrewAI instrumentor's default (wrapper) mode makes no LLM spans itself.
    """
    from openinference.instrumentation.crewai import CrewAIInstrumentor
    from openinference.instrumentation.openai import OpenAIInstrumentor

    CrewAIInstrumentor().instrument(tracer_provider=run.provider)
    OpenAIInstrumentor().instrument(tracer_provider=run.provider)


def crewai_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """A one-agent ``Crew`` with two ``@tool``s; CrewAI reports a failing tool to the model."""
    from crewai import LLM, Agent, Crew, Task
    from crewai.tools import tool

    llm = LLM(
        model=f"openai/{MODEL}",
        base_url=run.base_url,
        api_key=API_KEY,
        temperature=TEMPERATURE,
        seed=SEED,
        max_tokens=MAX_TOKENS,
        max_retries=0,
    )
    agent = Agent(
        role=AGENT_NAME,
        goal="Answer the traveller's request with the tools when they help",
        backstory=system_prompt(session),
        tools=[tool("get_weather")(weather), tool("convert_currency")(currency)],
        llm=llm,
        max_iter=4,
        verbose=False,
    )
    earlier = "\n".join(f"{role}: {text}" for role, text in history)
    task = Task(
        description=(f"Conversation so far:\n{earlier}\n\n" if history else "") + question,
        expected_output="A short answer to the traveller",
        agent=agent,
    )
    crew = Crew(agents=[agent], tasks=[task], name=AGENT_NAME, verbose=False)
    with _openinference_context(run, session):
        return str(crew.kickoff()).strip()


def adk_setup(run: Run) -> None:
    """ADK's tracer is the global one; OpenInference's instrumentor replaces it where asked."""
    from opentelemetry import trace

    trace.set_tracer_provider(run.provider)
    if run.options.get("instrumentor") == "openinference":
        from openinference.instrumentation.google_adk import GoogleADKInstrumentor

        GoogleADKInstrumentor().instrument(tracer_provider=run.provider)


_ADK_LOOP: list[asyncio.AbstractEventLoop] = []


def adk_turn(run: Run, session: Session, history: list[tuple[str, str]], question: str) -> str:
    """An ``LlmAgent`` with two function tools, LiteLLM to the fake server, one ADK session each.

    The ``Runner`` keeps the conversation in ``InMemorySessionService``, so ``history`` is not
    passed: ADK records its session id on every span (``gen_ai.conversation.id``), ours when the
    scenario gives it, else the one ADK makes up. A tool that raises ends the run (ADK lets a
    tool's exception through unless an ``on_tool_error_callback`` answers it).
    """
    from google.adk.agents import LlmAgent
    from google.adk.models.lite_llm import LiteLlm
    from google.adk.runners import Runner
    from google.adk.sessions import InMemorySessionService
    from google.genai import types

    if not _ADK_LOOP:
        _ADK_LOOP.append(asyncio.new_event_loop())
    loop = _ADK_LOOP[0]
    kept = _AGENTS.get(session.session_id)
    if kept is None:  # one runner and session per conversation, as an app keeps them
        agent = LlmAgent(
            name=AGENT_NAME.replace("-", "_"),
            model=LiteLlm(model=f"openai/{MODEL}", api_base=run.base_url, api_key=API_KEY),
            instruction=system_prompt(session),
            tools=[weather, currency],
            generate_content_config=types.GenerateContentConfig(
                temperature=TEMPERATURE, seed=SEED, max_output_tokens=MAX_TOKENS
            ),
        )
        runner = Runner(app_name=AGENT_NAME, agent=agent, session_service=InMemorySessionService())
        # ADK always has a session; without our id it makes one up (a UUID per conversation).
        given = {"session_id": session.session_id} if run.session_ids else {}
        created = loop.run_until_complete(
            runner.session_service.create_session(app_name=AGENT_NAME, user_id=session.user_id, **given)
        )
        kept = _AGENTS[session.session_id] = (runner, created.id)
    runner, session_id = kept

    async def go() -> str:
        answer = ""
        message = types.Content(role="user", parts=[types.Part(text=question)])
        async for event in runner.run_async(
            user_id=session.user_id, session_id=session_id, new_message=message
        ):
            if event.is_final_response() and event.content and event.content.parts:
                answer = "".join(p.text or "" for p in event.content.parts)
        return answer

    try:
        return loop.run_until_complete(go())
    except TimeoutError as exc:
        return f"Error: TimeoutError: {exc}"


FRAMEWORKS.update(
    {
        f.name: f
        for f in (
            Framework(
                "crewai",
                crewai_setup,
                crewai_turn,
                ("crewai", "openinference-instrumentation-crewai", "openinference-instrumentation-openai"),
            ),
            Framework(
                "google-adk",
                adk_setup,
                adk_turn,
                ("google-adk", "google-genai", "litellm", "openinference-instrumentation-google-adk"),
            ),
        )
    }
)
OFFLINE_ENV = {
    # CrewAI's anonymous telemetry and its cloud tracing off (neither is our exporter: CrewAI
    # gives its own providers, and OTEL_SDK_DISABLED=true would silence ours as well)
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_TRACING_ENABLED": "false",
    # LiteLLM reads its bundled model price map instead of fetching it
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
}
_ADK_CONTENT = {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY"}
# Schema 1 (supported until 2027-03-31) writes content on its own spans under its own switch,
# which is on by default; the OTel content variable stays unset, as a schema-1 user leaves it.
_ADK_SCHEMA1 = {"ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN": "1", "ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS": "true"}
SCENARIOS.update(
    {
        s.name: s
        for s in (
            Scenario(
                "crewai_openinference",
                "crewai",
                True,
                "CrewAI one-agent crew, OpenInference CrewAI and OpenAI instrumentors; using_attributes",
            ),
            Scenario(
                "crewai_openinference_hidden",
                "crewai",
                False,
                "as above without session ids, inputs and messages hidden by OPENINFERENCE_HIDE_*",
                env={**_HIDE, **_HIDE_MESSAGES},
            ),
            Scenario(
                "google_adk",
                "google-adk",
                True,
                "Google ADK LlmAgent over LiteLLM, native spans (schema 2) with content, our session ids",
                env=_ADK_CONTENT,
            ),
            Scenario(
                "google_adk_default",
                "google-adk",
                False,
                "as above with ADK's telemetry defaults (no message content) and session ids ADK makes up",
            ),
            Scenario(
                "google_adk_schema1",
                "google-adk",
                True,
                "as google_adk with ADK's legacy telemetry schema 1 (call_llm spans, content as "
                "LlmRequest/LlmResponse JSON, ADK's default content switch made explicit)",
                env=_ADK_SCHEMA1,
            ),
            Scenario(
                "google_adk_openinference",
                "google-adk",
                True,
                "Google ADK, openinference-instrumentation-google-adk (session from the Runner)",
                {"instrumentor": "openinference"},
            ),
        )
    }
)


def output_path(out_dir: Path, name: str) -> Path:
    """File written by scenario ``name``."""
    return out_dir / f"{name}.otlp.jsonl"


def venv_python(framework: str) -> Path:
    """The interpreter of a framework's pinned venv."""
    return REPO_ROOT / f".venv-samples-{framework}" / "bin" / "python"


def run_scenario(name: str, out_dir: Path, base_url: str) -> None:
    """Run one scenario in this process (its framework's venv) and write its file."""
    from opentelemetry.exporter.otlp.json.file.trace_exporter import FileSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.id_generator import IdGenerator

    class SeededIdGenerator(IdGenerator):
        """Reproducible trace/span ids from ``random.Random(seed)``."""

        def __init__(self, seed: int) -> None:
            self._rng = random.Random(seed)

        def generate_span_id(self) -> int:
            return self._rng.getrandbits(64) or 1

        def generate_trace_id(self) -> int:
            return self._rng.getrandbits(128) or 1

    spec = SCENARIOS[name]
    framework = FRAMEWORKS[spec.framework]
    path = output_path(out_dir, name)
    path.unlink(missing_ok=True)
    provider = TracerProvider(
        resource=Resource.create(RESOURCE_ATTRIBUTES),
        id_generator=SeededIdGenerator(scenario_seed(name)),
    )
    provider.add_span_processor(BatchSpanProcessor(FileSpanExporter(path), schedule_delay_millis=3_600_000))
    run = Run(base_url=base_url, provider=provider, session_ids=spec.session_ids, options=spec.options)
    framework.setup(run)
    try:
        for session in SESSIONS:
            history: list[tuple[str, str]] = []
            for question in session.turns:
                answer = framework.turn(run, session, history, question)
                history += [("user", question), ("assistant", answer)]
                provider.force_flush()  # one line per turn
    finally:
        provider.shutdown()


def installed_versions(framework: str) -> dict[str, str]:
    """Exact versions of the framework's and the common packages, read in its venv."""
    names = [*FRAMEWORKS[framework].packages, *COMMON_PACKAGES]
    code = (
        "import importlib.metadata as m, json, sys\n"
        "def v(n):\n"
        "    try: return m.version(n)\n"
        "    except m.PackageNotFoundError: return None\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))"
    )
    out = subprocess.run(
        [str(venv_python(framework)), "-c", code, *names], check=True, capture_output=True, text=True
    )
    return {k: v for k, v in json.loads(out.stdout).items() if v is not None}


def kept_entries(out_dir: Path, fresh: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stats and versions of the files a partial run left as they were, from the current manifest.

    A scenario not regenerated keeps its file; its stats are read again from that file and its
    framework's versions from the manifest that recorded them (its venv may not exist here).
    """
    path = out_dir / "MANIFEST.toml"
    if not path.exists():
        return {}, {}
    previous = tomllib.loads(path.read_text(encoding="utf-8"))
    kept = {
        name: summarize(output_path(out_dir, name))
        for name in previous.get("files", {})
        if name in SCENARIOS and name not in fresh and output_path(out_dir, name).exists()
    }
    regenerated = {SCENARIOS[name].framework for name in fresh}
    versions = {fw: v for fw, v in previous.get("versions", {}).items() if fw not in regenerated}
    return kept, versions


def write_manifest(out_dir: Path, stats: dict[str, dict[str, Any]]) -> Path:
    """``MANIFEST.toml``: date, command, exact versions per framework, per-file stats."""
    kept, kept_versions = kept_entries(out_dir, stats)
    stats = {name: stats.get(name) or kept[name] for name in SCENARIOS if name in stats or name in kept}
    lines = [
        "# Generated by scripts/generate_framework_samples.py - do not edit by hand.",
        f"generated_at = {_toml_value(dt.datetime.now(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ'))}",
        'command = "scripts/generate-framework-samples"',
        'fake_server = "scripts/fake_openai.py (deterministic OpenAI fake on 127.0.0.1)"',
        f"model_requested = {_toml_value(MODEL)}",
    ]
    frameworks = sorted({SCENARIOS[name].framework for name in stats})
    versions = {fw: kept_versions.get(fw) or installed_versions(fw) for fw in frameworks}
    for fw in frameworks:
        lines += [
            "",
            f'[versions."{fw}"]',
            *(f"{json.dumps(p)} = {_toml_value(v)}" for p, v in versions[fw].items()),
        ]
    for name, st in stats.items():
        spec = SCENARIOS[name]
        lines += [
            "",
            f"[files.{name}]",
            f"path = {_toml_value(output_path(out_dir, name).name)}",
            f"framework = {_toml_value(spec.framework)}",
            f"note = {_toml_value(spec.note)}",
            f"session_ids = {_toml_value(spec.session_ids)}",
            f"options = {_toml_value(spec.options)}",
            f"env = {_toml_value(spec.env)}",
            f"id_seed = {scenario_seed(name)}",
            *(
                f"{k} = {_toml_value(st[k])}"
                for k in ("lines", "traces", "spans", "error_spans", "scopes", "span_names", "attribute_keys")
            ),
        ]
    path = out_dir / "MANIFEST.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _order(item: tuple[str, Any]) -> int:
    """Manifest entries in the order of SCENARIOS."""
    return list(SCENARIOS).index(item[0])


def main(argv: list[str] | None = None) -> int:
    """Generate all (or selected) scenarios, verify them and write the manifest."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="only these (repeatable)"
    )
    parser.add_argument(
        "--manifest", action="store_true", help="update these files' MANIFEST.toml entries, keep the others"
    )
    parser.add_argument("--base-url", help=argparse.SUPPRESS)  # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    out_dir: Path = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.child:
        run_scenario(args.scenario[0], out_dir, args.base_url)
        return 0

    names = args.scenario or list(SCENARIOS)
    stats: dict[str, dict[str, Any]] = {}
    with FakeOpenAI() as base_url:
        for name in names:
            spec = SCENARIOS[name]
            cmd = [str(venv_python(spec.framework)), str(Path(__file__).resolve()), "--child"]
            cmd += ["--scenario", name, "--out", str(out_dir), "--base-url", base_url]
            env = child_env({**spec.env, "OTEL_SDK_DISABLED": "false"})
            for var in ("TRACELOOP_TELEMETRY", "DO_NOT_TRACK", "ANONYMIZED_TELEMETRY"):
                env[var] = "false" if var == "TRACELOOP_TELEMETRY" else "true"
            env["OPENAI_AGENTS_DISABLE_TRACING"] = "0"
            env.update(OFFLINE_ENV)
            subprocess.run(cmd, check=True, env=env, timeout=600)
            stats[name] = summarize(output_path(out_dir, name))
            st = stats[name]
            print(f"{name:40} traces={st['traces']} spans={st['spans']} errors={st['error_spans']}")
    if set(names) == set(SCENARIOS) or args.manifest:
        print(f"wrote {write_manifest(out_dir, dict(sorted(stats.items(), key=_order)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
