#!/usr/bin/env python3
"""The travel agent, traced into LangSmith by the real ``langsmith`` SDK, one scenario per process.

Run by ``capture.py`` (never by hand): the parent process starts the capture server and the fake
OpenAI server and sets the environment (``LANGSMITH_ENDPOINT`` -> capture server, a dummy
``LANGSMITH_API_KEY``, ``LANGSMITH_TRACING=true``, ``LANGSMITH_PROJECT``, optionally
``LANGSMITH_REVISION_ID`` / ``LANGSMITH_HIDE_*``); this child runs one scenario and flushes.

The agent, its tools, sessions and questions are imported from ``scripts/generate_samples.py``,
so the LangSmith traces describe exactly the conversations of the OTel/Phoenix samples
(Lisbon's weather tool raises ``TimeoutError``; Tokyo + London are two parallel tool calls).

Scenarios (see ``SCENARIOS``):

``traceable_full``
    ``@traceable`` root (``run_type="chain"``, name ``travel-agent``) per user turn, with
    metadata ``thread_id``/``user_id``/``agent_version``/``prompt_version`` and tags;
    ``wrap_openai`` around the real ``openai`` client; every tool a
    ``@traceable(run_type="tool")``; ``LANGSMITH_REVISION_ID`` set; feedback per turn
    (``user_score``) plus a categorical ``failure_type`` on the turn whose tool timed out.
``traceable_no_tool_spans``
    the same, but tools are plain function calls (no tool runs), no feedback.
``traceable_hidden_io``
    ``traceable_full``'s code with ``LANGSMITH_HIDE_INPUTS=true`` and ``LANGSMITH_HIDE_OUTPUTS=true``.
``wrap_openai_only``
    only ``wrap_openai``: no ``@traceable`` at all, no metadata, no revision (the child runs
    outside any git checkout), so every model call is its own root trace.
``langchain_agent``
    the classic LangChain tool-calling loop in a ``@chain`` runnable: ``langchain-openai``'s
    ``ChatOpenAI`` (streaming, ``stream_usage=True``) pointed at the fake OpenAI server,
    ``bind_tools`` with two LangChain ``@tool`` tools, ``tool.invoke(tool_call)``; metadata and
    tags via ``config``; traced by langchain-core's ``LangChainTracer`` (LangChain-serialized
    messages in inputs/outputs, ``extra.invocation_params``, streaming ``new_token`` events).
``langgraph_react``
    LangGraph's prebuilt ReAct agent (``create_react_agent``) as LangGraph's docs build a
    multi-turn chat: ``ChatOpenAI`` (not streaming) and a ``ToolNode`` of the two ``@tool`` tools
    that answers a raising tool with an error ``ToolMessage`` (``handle_tool_errors=True``), an
    ``InMemorySaver`` checkpointer holding each conversation, and ``configurable.thread_id`` = the
    session id (langchain-core copies it into the run metadata, where LangSmith groups threads);
    ``user_id``/``agent_version``/``prompt_version`` metadata and tags via ``config``;
    ``LANGSMITH_REVISION_ID`` set. Only ``LANGSMITH_TRACING=true``: no wrapper, no decorator.
``langgraph_react_no_versions``
    the same agent on one thread (``sess-3``, the tool timeout) with no version anywhere: no
    ``LANGSMITH_REVISION_ID``, no ``agent_version``/``prompt_version`` metadata, no tags.
``langgraph_agent`` (opt-in, not in the default set)
    the same model and tools in LangGraph's prebuilt ReAct agent, history passed by hand (no
    checkpointer); 76 runs / ~280 KB for the six turns, so it is not kept as a cassette by default.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPTS_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SCRIPTS_DIR))

from generate_samples import (  # noqa: E402
    AGENT_NAME,
    AGENT_VERSION,
    MAX_STEPS,
    MODEL,
    PROMPT_VERSION,
    REQUEST_PARAMS,
    SESSIONS,
    SYSTEM_TEMPLATE,
    TOOL_DESCRIPTIONS,
    TOOL_IMPLS,
    TOOLS,
    Session,
    convert_currency,
    get_weather,
)

TAGS = ["travel-agent", "production"]
TOOL_ERRORS = (TimeoutError, ConnectionError, ValueError)


def _metadata(session: Session) -> dict[str, Any]:
    return {
        "thread_id": session.session_id,
        "user_id": session.user_id,
        "agent_version": AGENT_VERSION,
        "prompt_version": PROMPT_VERSION,
    }


def _openai_client(base_url: str) -> Any:
    import openai

    return openai.OpenAI(base_url=base_url, api_key="sk-fake-traceready", max_retries=0)


# --------------------------------------------------------------------------
# @traceable agent (scenarios traceable_*, wrap_openai_only)
# --------------------------------------------------------------------------


class TraceableAgent:
    """The generate_samples agent loop written the way a LangSmith user writes it."""

    def __init__(self, base_url: str, *, traceable_root: bool, tool_spans: bool, wrap: bool) -> None:
        from langsmith import traceable
        from langsmith.wrappers import wrap_openai

        client = _openai_client(base_url)
        self.openai = wrap_openai(client) if wrap else client
        self.last_root_id: str | None = None
        self.last_root_start: Any = None
        self.last_tool_failed = False
        if tool_spans:
            self.tools: dict[str, Callable[..., dict[str, Any]]] = {
                "get_weather": traceable(run_type="tool", name="get_weather")(get_weather),
                "convert_currency": traceable(run_type="tool", name="convert_currency")(convert_currency),
            }
        else:
            self.tools = dict(TOOL_IMPLS)
        if traceable_root:
            self.turn = traceable(run_type="chain", name=AGENT_NAME, tags=TAGS)(self._turn)  # type: ignore[method-assign]
        else:
            self.turn = self._turn  # type: ignore[method-assign]

    def _turn(self, question: str, history: list[dict[str, Any]], traveller: str) -> dict[str, Any]:
        from langsmith import get_current_run_tree

        run = get_current_run_tree()
        self.last_root_id = str(run.id) if run is not None else None
        self.last_root_start = run.start_time if run is not None else None
        self.last_tool_failed = False
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": SYSTEM_TEMPLATE.format(traveller=traveller, date="2026-06-01")},
            *history,
            {"role": "user", "content": question},
        ]
        for _ in range(MAX_STEPS):
            response = self.openai.chat.completions.create(
                model=MODEL, messages=messages, tools=TOOLS, **REQUEST_PARAMS
            )
            message = response.choices[0].message
            if not message.tool_calls:
                return {"answer": message.content or ""}
            messages.append(
                {
                    "role": "assistant",
                    "content": message.content,
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.function.name, "arguments": c.function.arguments},
                        }
                        for c in message.tool_calls
                    ],
                }
            )
            for call in message.tool_calls:
                args = json.loads(call.function.arguments)
                try:
                    result = self.tools[call.function.name](**args)
                except TOOL_ERRORS as exc:
                    self.last_tool_failed = True
                    content = f"Error: {type(exc).__name__}: {exc}"
                else:
                    content = json.dumps(result)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        raise RuntimeError("agent did not finish within MAX_STEPS")


def run_traceable(base_url: str, *, traceable_root: bool, tool_spans: bool, feedback: bool) -> None:
    from langsmith import Client, tracing_context
    from langsmith.run_trees import get_cached_client

    agent = TraceableAgent(base_url, traceable_root=traceable_root, tool_spans=tool_spans, wrap=True)
    if os.environ.get("CAPTURE_AUTO_BATCH_TRACING") == "false":
        # capture.py --transport-check: one POST /runs + PATCH /runs/{id} per run.
        client: Client = Client(auto_batch_tracing=False)
    else:
        client = get_cached_client()
    with tracing_context(client=client):
        _drive(agent, client, traceable_root=traceable_root, feedback=feedback)
    client.flush()


def _drive(agent: TraceableAgent, client: Any, *, traceable_root: bool, feedback: bool) -> None:
    from langsmith import tracing_context

    # The SDK wants the project id (and the run's start time) on run feedback: read it once.
    project = client.read_project(project_name=os.environ["LANGSMITH_PROJECT"]) if feedback else None
    for session in SESSIONS:
        history: list[dict[str, Any]] = []
        for question in session.turns:
            if traceable_root:
                # A nested tracing_context resets what it is not given (client included).
                with tracing_context(metadata=_metadata(session), client=client):
                    out = agent.turn(question, history, session.traveller)
            else:
                out = agent.turn(question, history, session.traveller)
            answer = out["answer"]
            if project is not None and agent.last_root_id:
                root = agent.last_root_id
                where = {
                    "run_id": root,
                    "trace_id": root,
                    "session_id": project.id,
                    "start_time": agent.last_root_start,
                }
                client.create_feedback(
                    **where,
                    key="user_score",
                    score=0 if agent.last_tool_failed else 1,
                    comment="thumbs down: tool failed" if agent.last_tool_failed else None,
                )
                if agent.last_tool_failed:
                    client.create_feedback(
                        **where,
                        key="failure_type",
                        value="tool_timeout",
                        comment="get_weather timed out; the agent apologised",
                    )
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


# --------------------------------------------------------------------------
# LangChain / LangGraph agent (scenario langchain_agent)
# --------------------------------------------------------------------------


def _langchain_parts(base_url: str, *, streaming: bool = True) -> tuple[Any, list[Any]]:
    """``ChatOpenAI`` on the fake server (streaming with usage, or not) and the two LangChain tools."""
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool("get_weather", description=TOOL_DESCRIPTIONS["get_weather"])
    def lc_get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return json.dumps(get_weather(city))

    @tool("convert_currency", description=TOOL_DESCRIPTIONS["convert_currency"])
    def lc_convert_currency(amount: float, from_currency: str, to_currency: str) -> str:
        """Convert an amount of money between two currencies."""
        return json.dumps(convert_currency(amount, from_currency, to_currency))

    model = ChatOpenAI(
        model=MODEL,
        base_url=base_url,
        api_key="sk-fake-traceready",  # type: ignore[arg-type]
        max_retries=0,
        temperature=REQUEST_PARAMS["temperature"],
        seed=REQUEST_PARAMS["seed"],
        max_tokens=REQUEST_PARAMS["max_tokens"],
        **({"streaming": True, "stream_usage": True} if streaming else {}),
    )
    return model, [lc_get_weather, lc_convert_currency]


def _flush_langchain() -> None:
    from langchain_core.tracers.langchain import wait_for_all_tracers
    from langsmith.run_trees import get_cached_client

    wait_for_all_tracers()
    get_cached_client().flush()


def _turn_config(session: Session) -> dict[str, Any]:
    return {"run_name": AGENT_NAME, "tags": TAGS, "metadata": _metadata(session)}


def run_langchain(base_url: str) -> None:
    """The classic LangChain tool-calling loop: ``bind_tools`` + ``tool.invoke(tool_call)``."""
    from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
    from langchain_core.runnables import chain

    model, tools = _langchain_parts(base_url)
    llm = model.bind_tools(tools)
    by_name = {t.name: t for t in tools}

    @chain
    def travel_agent(inputs: dict[str, Any]) -> AIMessage:
        messages: list[BaseMessage] = [
            SystemMessage(SYSTEM_TEMPLATE.format(traveller=inputs["traveller"], date="2026-06-01")),
            *inputs["history"],
            HumanMessage(inputs["question"]),
        ]
        for _ in range(MAX_STEPS):
            ai = llm.invoke(messages)
            messages.append(ai)
            if not ai.tool_calls:
                return ai
            for call in ai.tool_calls:
                try:
                    reply = by_name[call["name"]].invoke(call)  # a ToolMessage
                except TOOL_ERRORS as exc:
                    reply = ToolMessage(
                        f"Error: {type(exc).__name__}: {exc}", tool_call_id=call["id"], status="error"
                    )
                messages.append(reply)
        raise RuntimeError("agent did not finish within MAX_STEPS")

    for session in SESSIONS:
        history: list[BaseMessage] = []
        for question in session.turns:
            ai = travel_agent.invoke(
                {"question": question, "history": history, "traveller": session.traveller},
                config=_turn_config(session),
            )
            history += [HumanMessage(question), AIMessage(ai.content)]
    _flush_langchain()


def run_langgraph(base_url: str) -> None:
    """LangGraph's prebuilt ReAct agent (opt-in: ~3.5x the runs and bytes of ``langchain_agent``)."""
    from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
    from langgraph.prebuilt import ToolNode, create_react_agent

    model, tools = _langchain_parts(base_url)
    # handle_tool_errors=True: the TimeoutError becomes an error ToolMessage the model answers
    # (the prebuilt default re-raises anything but argument-validation errors).
    node = ToolNode(tools, handle_tool_errors=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent: "moved to langchain.agents"
        agent = create_react_agent(model, node, name=AGENT_NAME)
    for session in SESSIONS:
        history: list[BaseMessage] = []
        for question in session.turns:
            messages = [
                SystemMessage(SYSTEM_TEMPLATE.format(traveller=session.traveller, date="2026-06-01")),
                *history,
                HumanMessage(question),
            ]
            config = {**_turn_config(session), "recursion_limit": 2 * MAX_STEPS + 1}
            result = agent.invoke({"messages": messages}, config=config)  # type: ignore[arg-type]
            history += [HumanMessage(question), AIMessage(result["messages"][-1].content)]
    _flush_langchain()


def run_langgraph_react(base_url: str, *, versions: bool, sessions: tuple[Session, ...] = SESSIONS) -> None:
    """LangGraph's prebuilt ReAct agent with a checkpointer: one thread per session, native tracing."""
    from langchain_core.messages import HumanMessage
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.prebuilt import ToolNode, create_react_agent

    model, tools = _langchain_parts(base_url, streaming=False)
    checkpointer = InMemorySaver()  # the conversation memory LangGraph's docs pair with thread_id
    for session in sessions:
        # The prompt names the traveller, so each session gets its agent (built once, as an app
        # builds one per user); the checkpointer is shared, the thread is the session.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # create_react_agent: "moved to langchain.agents"
            agent = create_react_agent(
                model,
                ToolNode(tools, handle_tool_errors=True),
                prompt=SYSTEM_TEMPLATE.format(traveller=session.traveller, date="2026-06-01"),
                checkpointer=checkpointer,
                name=AGENT_NAME,
            )
        metadata = _metadata(session) if versions else {"user_id": session.user_id}
        metadata.pop("thread_id", None)  # it comes from configurable, as LangGraph users set it
        config: dict[str, Any] = {
            "run_name": AGENT_NAME,
            "configurable": {"thread_id": session.session_id},
            "metadata": metadata,
            "recursion_limit": 2 * MAX_STEPS + 1,
        }
        if versions:
            config["tags"] = TAGS
        for question in session.turns:
            agent.invoke({"messages": [HumanMessage(question)]}, config=config)  # type: ignore[arg-type]
    _flush_langchain()


# --------------------------------------------------------------------------
# Dataset + evaluate() experiments (scenario eval_with_dataset)
# --------------------------------------------------------------------------

DATASET_NAME = "travel-golden"
# Two examples keep the cassette small: the parallel tool calls and the tool timeout.
GOLDEN: tuple[tuple[int, dict[str, Any]], ...] = (
    (1, {"cities": ["Tokyo", "London"], "tool": "get_weather"}),
    (2, {"cities": ["Lisbon"], "tool": "get_weather"}),
)


def mentions_cities(outputs: dict[str, Any], reference_outputs: dict[str, Any]) -> dict[str, Any]:
    """Share of the expected cities the answer names (continuous 0..1)."""
    cities = reference_outputs.get("cities") or []
    hits = sum(1 for c in cities if c in (outputs.get("answer") or ""))
    return {"key": "mentions_cities", "score": hits / len(cities) if cities else 1.0}


def no_apology(outputs: dict[str, Any]) -> bool:
    """True unless the agent had to apologise (a tool failed)."""
    return "Sorry" not in (outputs.get("answer") or "")


def failure_type(outputs: dict[str, Any]) -> dict[str, Any]:
    """Categorical failure label for the answer."""
    answer = outputs.get("answer") or ""
    return {"key": "failure_type", "value": "tool_timeout" if "timed out" in answer else "none"}


def run_eval(base_url: str) -> None:
    """One production session, a 2-example dataset, and two evaluate() experiments on it."""
    from langsmith import Client, evaluate, tracing_context
    from langsmith.run_trees import get_cached_client

    client: Client = get_cached_client()
    agent = TraceableAgent(base_url, traceable_root=True, tool_spans=True, wrap=True)
    session = SESSIONS[2]  # the tool timeout, traced into the production project
    history: list[dict[str, Any]] = []
    for question in session.turns:
        with tracing_context(metadata=_metadata(session), client=client):
            answer = agent.turn(question, history, session.traveller)["answer"]
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]

    dataset = client.create_dataset(
        DATASET_NAME, description="First-turn travel questions with the cities to name"
    )
    client.create_examples(
        dataset_id=dataset.id,
        examples=[
            {
                "inputs": {"question": SESSIONS[i].turns[0], "traveller": SESSIONS[i].traveller},
                "outputs": ref,
                "metadata": {"session": SESSIONS[i].session_id},
            }
            for i, ref in GOLDEN
        ],
    )

    def target(inputs: dict[str, Any]) -> dict[str, Any]:
        return agent.turn(inputs["question"], [], inputs["traveller"])

    for prefix, version in (("baseline", "1.3.0"), ("candidate", AGENT_VERSION)):
        evaluate(
            target,
            data=DATASET_NAME,
            evaluators=[mentions_cities, no_apology, failure_type],
            experiment_prefix=prefix,
            description=f"travel agent {version} on {DATASET_NAME}",
            metadata={"agent_version": version, "prompt_version": PROMPT_VERSION},
            max_concurrency=0,
            client=client,
        )
    client.flush()


# --------------------------------------------------------------------------


SCENARIOS: dict[str, Callable[[str], None]] = {
    "traceable_full": lambda url: run_traceable(url, traceable_root=True, tool_spans=True, feedback=True),
    "traceable_no_tool_spans": lambda url: run_traceable(
        url, traceable_root=True, tool_spans=False, feedback=False
    ),
    "traceable_hidden_io": lambda url: run_traceable(
        url, traceable_root=True, tool_spans=True, feedback=True
    ),
    "wrap_openai_only": lambda url: run_traceable(
        url, traceable_root=False, tool_spans=False, feedback=False
    ),
    "langchain_agent": run_langchain,
    "langgraph_react": lambda url: run_langgraph_react(url, versions=True),
    # One session (the tool timeout) keeps the second LangGraph cassette small.
    "langgraph_react_no_versions": lambda url: run_langgraph_react(
        url, versions=False, sessions=SESSIONS[2:]
    ),
    "langgraph_agent": run_langgraph,
    "eval_with_dataset": run_eval,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--openai-base-url", required=True)
    args = parser.parse_args()
    if os.environ.get("LANGSMITH_TRACING") != "true":
        raise SystemExit("LANGSMITH_TRACING must be 'true' (capture.py sets it)")
    SCENARIOS[args.scenario](args.openai_base_url)


if __name__ == "__main__":
    main()
