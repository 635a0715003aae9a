"""Run the travel agent under the real ``braintrust`` SDK (child process of capture.py).

The agent, its sessions, tools, prompts and model parameters are imported from
``scripts/generate_samples.py`` unchanged, so the Braintrust cassettes describe the
same agent as the OTel samples and the Phoenix cassette. Only the instrumentation
differs:

* ``--part logger``: ``braintrust.init_logger(project)``; the turn is a
  ``@braintrust.traced`` function whose root span gets ``metadata``
  (session/user ids, harness version, git sha) and ``tags``; the OpenAI client is
  ``braintrust.wrap_openai(openai.OpenAI(...))`` pointed at scripts/fake_openai.py.
  ``--tools traced`` decorates each tool with ``@braintrust.traced(type="tool")``;
  ``--tools plain`` leaves them plain functions (no tool spans, the wrappers'
  known limit: ``wrap_openai`` does not create spans for chat-completions tool calls).
* ``--part openai_agents``: the agent as an OpenAI Agents SDK ``Agent`` (the SDK's default
  Responses API model on scripts/fake_openai.py, both tools as ``function_tool``; the SDK answers
  the model with the raised error), traced by Braintrust's integration the way its docs show:
  ``agents.set_trace_processors([BraintrustTracingProcessor(init_logger(project))])``. Each turn is
  an Agents SDK ``trace()`` with ``group_id`` = the session id (the SDK's documented way to link the
  traces of one conversation) and ``metadata`` (user id, harness version, git sha); the history is
  passed back as input items (``result.to_input_list()``), as the SDK's multi-turn examples do.
* ``--part eval``: ``init_dataset`` + ``insert`` of golden cases, then two
  ``braintrust.Eval`` runs (baseline, and a candidate compared against it) whose
  task is the same traced agent and whose scorers are deterministic code.

Everything the SDK sends goes to the recorder on 127.0.0.1 (see recorder.py).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

SCRIPTS_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SCRIPTS_DIR))

import braintrust  # noqa: E402
import generate_samples as agent  # noqa: E402
import openai  # noqa: E402
from braintrust.git_fields import RepoInfo  # noqa: E402
from braintrust.score import Score  # noqa: E402

HARNESS_VERSION = f"{agent.AGENT_NAME}@{agent.AGENT_VERSION}"
BASELINE_HARNESS_VERSION = f"{agent.AGENT_NAME}@1.3.0"


def make_client(base_url: str) -> Any:
    raw = openai.OpenAI(base_url=base_url, api_key="sk-fake-traceready", max_retries=0)
    return braintrust.wrap_openai(raw)


def trace_tools() -> None:
    """Decorate the agent's tools in place, as a user would with ``@traced(type="tool")``."""
    for name, fn in list(agent.TOOL_IMPLS.items()):
        agent.TOOL_IMPLS[name] = braintrust.traced(name=name, type="tool")(fn)


class Turn:
    """The session and history of the turn being run (the agent function's closure)."""

    session: agent.Session
    history: list[dict[str, Any]]


CURRENT = Turn()


def make_agent(client: Any, *, production: bool) -> Any:
    hooks = agent.Hooks()  # no-op hooks: the Braintrust SDK does the tracing

    @braintrust.traced(name=agent.AGENT_NAME)
    def travel_agent(question: str) -> str:
        session = CURRENT.session
        if production:
            braintrust.current_span().log(
                metadata={
                    "session_id": session.session_id,
                    "user_id": session.user_id,
                    "harness_version": HARNESS_VERSION,
                    "git_sha": agent.GIT_SHA,
                },
                tags=["production", agent.AGENT_NAME],
            )
        return agent.run_turn(client, hooks, session, CURRENT.history, question)

    return travel_agent


def run_logger(project: str, base_url: str, tools: str, sessions: list[str]) -> None:
    logger = braintrust.init_logger(project=project)
    if tools == "traced":
        trace_tools()
    client = make_client(base_url)
    travel_agent = make_agent(client, production=True)
    for session in agent.SESSIONS:
        if sessions and session.session_id not in sessions:
            continue
        CURRENT.session = session
        CURRENT.history = []
        for question in session.turns:
            answer = travel_agent(question)
            CURRENT.history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ]
    logger.flush()


# --------------------------------------------------------------------------
# OpenAI Agents SDK under Braintrust's trace processor
# --------------------------------------------------------------------------


def run_openai_agents(project: str, base_url: str) -> None:
    import asyncio

    from agents import (
        Agent,
        ModelSettings,
        OpenAIResponsesModel,
        Runner,
        function_tool,
        set_trace_processors,
        trace,
    )
    from braintrust.wrappers.openai import BraintrustTracingProcessor

    logger = braintrust.init_logger(project=project)
    set_trace_processors([BraintrustTracingProcessor(logger)])
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-fake-traceready", max_retries=0)
    params = agent.REQUEST_PARAMS
    tools = [
        function_tool(agent.get_weather, description_override=agent.TOOL_DESCRIPTIONS["get_weather"]),
        function_tool(
            agent.convert_currency, description_override=agent.TOOL_DESCRIPTIONS["convert_currency"]
        ),
    ]

    async def conversation(session: agent.Session) -> None:
        travel_agent = Agent(
            name=agent.AGENT_NAME,
            instructions=agent.SYSTEM_TEMPLATE.format(traveller=session.traveller, date="2026-06-01"),
            model=OpenAIResponsesModel(model=agent.MODEL, openai_client=client),
            model_settings=ModelSettings(temperature=params["temperature"], max_tokens=params["max_tokens"]),
            tools=tools,
        )
        items: list[Any] = []
        for question in session.turns:
            with trace(
                f"{agent.AGENT_NAME} turn",
                group_id=session.session_id,
                metadata={
                    "user_id": session.user_id,
                    "harness_version": HARNESS_VERSION,
                    "git_sha": agent.GIT_SHA,
                },
            ):
                result = await Runner.run(travel_agent, [*items, {"role": "user", "content": question}])
            items = result.to_input_list()

    async def main() -> None:
        for session in agent.SESSIONS:
            await conversation(session)

    asyncio.run(main())
    logger.flush()


# --------------------------------------------------------------------------
# Eval
# --------------------------------------------------------------------------

GOLDEN: list[dict[str, Any]] = [
    {
        "input": {"question": agent.SESSIONS[0].turns[0], "traveller": "Alice"},
        "expected": {"cities": ["Paris"], "facts": ["18°C"]},
        "metadata": {"kind": "weather", "source_session": "sess-1"},
        "tags": ["weather"],
    },
    {
        "input": {"question": agent.SESSIONS[1].turns[0], "traveller": "Bob"},
        "expected": {"cities": ["Tokyo", "London"], "facts": ["24°C", "12°C"]},
        "metadata": {"kind": "weather", "source_session": "sess-2"},
        "tags": ["weather", "parallel-tools"],
    },
    {
        "input": {"question": agent.SESSIONS[2].turns[0], "traveller": "Carol"},
        "expected": {"cities": ["Lisbon"], "facts": ["°C"]},
        "metadata": {"kind": "weather", "source_session": "sess-3", "note": "the weather tool times out"},
        "tags": ["weather", "tool-timeout"],
    },
]


def mentions_cities(input: Any, output: Any, expected: Any) -> float:
    """1 when the answer names every expected city."""
    cities = expected.get("cities") or []
    if not cities:
        return 1.0
    return sum(c in str(output) for c in cities) / len(cities)


def states_facts(input: Any, output: Any, expected: Any) -> Score:
    """Share of expected facts (temperatures, amounts) found in the answer."""
    facts = expected.get("facts") or []
    found = [f for f in facts if f in str(output)]
    return Score(
        name="states_facts",
        score=len(found) / len(facts) if facts else 1.0,
        metadata={"found": found, "missing": [f for f in facts if f not in found]},
    )


def no_apology(output: Any) -> float:
    """0 when the agent had to apologise (a tool failed)."""
    return 0.0 if re.search(r"\bsorry\b", str(output), re.IGNORECASE) else 1.0


def run_eval(project: str, base_url: str) -> None:
    dataset = braintrust.init_dataset(
        project=project,
        name="travel-golden",
        description="First user turns of the travel-agent sessions, with expected facts",
        metadata={"harness_version": HARNESS_VERSION},
    )
    for case in GOLDEN:
        dataset.insert(**case)
    print(dataset.summarize())

    trace_tools()
    client = make_client(base_url)
    travel_agent = make_agent(client, production=False)

    def task(input: dict[str, Any], hooks: Any) -> str:
        CURRENT.session = agent.Session("eval", "eval-runner", input["traveller"], (input["question"],))
        CURRENT.history = []
        hooks.metadata["traveller"] = input["traveller"]
        return str(travel_agent(input["question"]))

    repo = RepoInfo(commit=agent.GIT_SHA, branch="main", dirty=False)
    runs = (
        ("baseline", BASELINE_HARNESS_VERSION, None),
        ("candidate", HARNESS_VERSION, "baseline"),
    )
    for name, harness, base in runs:
        braintrust.Eval(
            project,
            data=braintrust.init_dataset(project=project, name="travel-golden"),
            task=task,
            scores=[mentions_cities, states_facts, no_apology],
            experiment_name=name,
            metadata={"harness_version": harness, "git_sha": agent.GIT_SHA, "model": agent.MODEL},
            tags=["ci", agent.AGENT_NAME],
            base_experiment_name=base,
            repo_info=repo,
            max_concurrency=1,
        )
    braintrust.flush()


def versions() -> dict[str, str]:
    import importlib.metadata as md

    names = ("braintrust", "openai", "openai-agents", "requests", "httpx")
    return {d: md.version(d) for d in names if _installed(d)}


def _installed(name: str) -> bool:
    import importlib.metadata as md

    try:
        md.version(name)
    except md.PackageNotFoundError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("logger", "openai_agents", "eval", "versions"), required=True)
    parser.add_argument("--project", default="")
    parser.add_argument("--openai-base-url", default="")
    parser.add_argument("--tools", choices=("traced", "plain"), default="traced")
    parser.add_argument("--session", action="append", default=[], help="only these session ids")
    args = parser.parse_args()
    if args.part == "versions":
        print(json.dumps(versions()))
    elif args.part == "logger":
        run_logger(args.project, args.openai_base_url, args.tools, args.session)
    elif args.part == "openai_agents":
        run_openai_agents(args.project, args.openai_base_url)
    else:
        run_eval(args.project, args.openai_base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
