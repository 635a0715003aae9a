#!/usr/bin/env python3
"""Capture the workspace configuration the real SDK creates; build the automation rules from the schema.

Writes ``cassettes/langsmith/workspace_config/`` and its ``MANIFEST.toml`` entry:

``sdk_requests.json``
    every request the real ``langsmith`` SDK sent to the loopback capture server (method, path,
    query, JSON body) while it ran ``create_feedback_config`` (3 keys), ``create_annotation_queue``
    (2 queues with ``rubric_items``) and ``push_prompt`` (a LangChain ``ChatPromptTemplate``, twice:
    ``POST /repos/`` then two ``POST /commits/-/<name>``), including the reads the SDK makes on its
    own (``GET /settings``, ``/repos/-/<name>``, ``/commits/-/<name>/``).
``workspace.json``
    the state the capture server stored (``tests/connectors/langsmith/fake_workspace.py``:
    feedback configs, queues with their rubric items, prompts and commits) plus ``run_rules``. The
    SDK 0.15.1 has no call that creates an automation rule, so the rules are **built from the
    OpenAPI schema**: each is validated by, and dumped through, the SDK's generated
    ``langsmith.types.evaluator.Evaluator`` ("Run rules schema" of ``GET /api/v1/runs/rules``), so
    every field the schema has is present.

Then it reads everything back through the SDK (``list_feedback_configs``, ``list_annotation_queues``,
``read_annotation_queue``, ``list_prompts``), so the SDK's own models accept
what the replay server will answer. Times are fixed (``CLOCK``); ids are stable (uuid5).

Run with a Python that has the pinned SDK (``.venv-capture/bin/python``; ``run.sh`` does it).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the repository: tests.connectors.langsmith, the fake server

from capture_server import CaptureServer  # noqa: E402

from tests.connectors.langsmith.fake import ID_NAMESPACE, TENANT_ID, project_id  # noqa: E402

OUT = HERE.parents[1] / "cassettes" / "langsmith"
FOLDER = "workspace_config"
CLOCK = "2026-11-19T12:00:00+00:00"
"""The day before the scenarios' runs: the workspace was configured first."""
DUMMY_API_KEY = "lsv2-fake-local"
PROMPT = "travel-agent-system"
DATASET_ID = str(uuid.uuid5(ID_NAMESPACE, "dataset:travel-golden"))  # eval_with_dataset's dataset


def queue_id(name: str) -> str:
    """Stable id of a queue (the SDK would draw a uuid4)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"annotation-queue:{name}"))


FEEDBACK_CONFIGS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "failure_category",
        {
            "type": "categorical",
            "categories": [
                {"value": 0, "label": "tool_timeout"},
                {"value": 1, "label": "wrong_tool"},
                {"value": 2, "label": "hallucinated_fact"},
                {"value": 3, "label": "gave_up"},
            ],
        },
    ),
    (
        "correctness",
        {
            "type": "categorical",
            "categories": [{"value": 0, "label": "incorrect"}, {"value": 1, "label": "correct"}],
        },
    ),
    ("helpfulness", {"type": "continuous", "min": 0, "max": 1}),
)
QUEUES: tuple[dict[str, Any], ...] = (
    {
        "name": "failure-triage",
        "description": "Failed travel-agent traces, one failure category each",
        "rubric_instructions": "Pick the category that explains why the turn failed.",
        "rubric_items": [
            {
                "feedback_key": "failure_category",
                "description": "Why did the turn fail?",
                "value_descriptions": {"0": "a tool timed out", "1": "the wrong tool was called"},
                "is_required": True,
            },
            {"feedback_key": "correctness", "description": "Was the final answer right anyway?"},
        ],
    },
    {
        "name": "answer-review",
        "description": "Sampled answers for a helpfulness score",
        "rubric_items": [
            {"feedback_key": "helpfulness", "score_descriptions": {"0": "useless", "1": "complete"}}
        ],
    },
)
TEMPLATES = (
    "You are a concise travel assistant helping {traveller}. Today is {date}.",
    "You are a concise travel assistant helping {traveller}. Today is {date}. "
    "If a tool fails, say so honestly.",
)


def _judge(key: str) -> dict[str, Any]:
    return {
        "structured": {
            "prompt": [["system", f"Grade the answer's {key} from 0 to 1."], ["human", "{input}\n{output}"]],
            "schema": {
                "title": key,
                "type": "object",
                "properties": {key: {"type": "number", "minimum": 0, "maximum": 1}},
                "required": [key],
            },
            "model": {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "chat_models", "openai", "ChatOpenAI"],
            },
            "variable_mapping": {"input": "input", "output": "output"},
            "template_format": "f-string",
        }
    }


def run_rules() -> list[dict[str, Any]]:
    """The workspace's automation rules, in the SDK's generated Run rules schema (every field)."""
    from langsmith.types.evaluator import Evaluator

    def project(name: str) -> dict[str, str]:
        return {"session_id": project_id(name), "session_name": name}

    triage = queue_id("failure-triage")
    rules: list[dict[str, Any]] = [
        {  # an online LLM judge on production traces: an automated evaluator
            "display_name": "helpfulness judge",
            **project("travel-agent-traceable-full"),
            "filter": "eq(is_root, true)",
            "sampling_rate": 0.25,
            "evaluators": [_judge("helpfulness")],
        },
        {  # routing only: failed runs go to people, nothing is scored automatically
            "display_name": "errors to failure-triage",
            **project("travel-agent-langchain-agent"),
            "filter": 'eq(status, "error")',
            "sampling_rate": 1.0,
            "add_to_annotation_queue_id": triage,
            "add_to_annotation_queue_name": "failure-triage",
        },
        {  # routing only: good answers become dataset examples
            "display_name": "good answers to travel-golden",
            **project("travel-agent-traceable-full"),
            "filter": 'and(eq(feedback_key, "user_score"), eq(feedback_score, 1))',
            "sampling_rate": 1.0,
            "add_to_dataset_id": DATASET_ID,
            "add_to_dataset_name": "travel-golden",
        },
        {  # a code evaluator on every experiment over the dataset
            "display_name": "cities named",
            "dataset_id": DATASET_ID,
            "dataset_name": "travel-golden",
            "sampling_rate": 1.0,
            "code_evaluators": [
                {
                    "code": "def perform_eval(run, example):\n"
                    "    cities = example['outputs']['cities']\n"
                    "    answer = run['outputs'].get('answer') or ''\n"
                    "    return {'cities_named': sum(c in answer for c in cities) / len(cities)}\n",
                    "language": "python",
                }
            ],
        },
        {  # switched off: evaluates nothing
            "display_name": "old correctness judge",
            **project("travel-agent-wrap-openai-only"),
            "sampling_rate": 1.0,
            "is_enabled": False,
            "evaluators": [_judge("correctness")],
        },
        {  # samples nothing: evaluates nothing
            "display_name": "paused judge",
            **project("travel-agent-traceable-no-tool-spans"),
            "sampling_rate": 0.0,
            "evaluators": [_judge("helpfulness")],
        },
        {  # another agent's project: no fact about the audited one
            "display_name": "staging judge",
            **project("travel-agent-staging"),
            "sampling_rate": 1.0,
            "evaluators": [_judge("helpfulness")],
        },
    ]
    out = []
    for rule in rules:
        full = {
            "id": str(uuid.uuid5(ID_NAMESPACE, f"rule:{rule['display_name']}")),
            "tenant_id": TENANT_ID,
            "created_at": CLOCK,
            "updated_at": CLOCK,
            "evaluator_version": 1 if rule.get("evaluators") or rule.get("code_evaluators") else 0,
            "is_enabled": True,
            "transient": False,
            "extend_only": False,
            "include_extended_stats": False,
            "use_corrections_dataset": False,
            "num_few_shot_examples": 0,
            **rule,
        }
        out.append(Evaluator.model_validate(full).model_dump(mode="json"))
    return out


def capture() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the SDK against the capture server; the requests it sent and the stored state."""
    for name in [n for n in os.environ if n.startswith(("LANGSMITH_", "LANGCHAIN_"))]:
        del os.environ[name]
    from langchain_core.prompts import ChatPromptTemplate
    from langsmith import Client

    server = CaptureServer(clock=CLOCK)
    with server as url:
        client = Client(api_url=url, api_key=DUMMY_API_KEY, auto_batch_tracing=False)
        for key, config in FEEDBACK_CONFIGS:
            client.create_feedback_config(key, feedback_config=config)  # type: ignore[arg-type]
        for queue in QUEUES:
            client.create_annotation_queue(queue_id=queue_id(queue["name"]), **queue)
        for n, template in enumerate(TEMPLATES):
            prompt = ChatPromptTemplate.from_messages([("system", template), ("human", "{question}")])
            # A description on a later push would PATCH the prompt's metadata: only on the first.
            description = None if n else "System prompt of the travel agent"
            client.push_prompt(PROMPT, object=prompt, description=description)
        created = len(server.requests)
        read_back(client)
        requests = server.requests[:created]
    state = server.workspace["config"]
    return requests, state


def read_back(client: Any) -> None:
    """Read through the SDK's own models: what they accept, the replay can answer."""
    configs = list(client.list_feedback_configs())
    assert [c.feedback_key for c in configs] == [k for k, _ in FEEDBACK_CONFIGS], configs
    queues = list(client.list_annotation_queues())
    assert [q.name for q in queues] == [q["name"] for q in QUEUES], queues
    triage = client.read_annotation_queue(queues[0].id)
    rubric = triage.rubric_items or []
    assert rubric[0]["feedback_config"].feedback_config["type"] == "categorical", rubric
    prompts = client.list_prompts()
    assert [(p.repo_handle, p.num_commits) for p in prompts.repos] == [(PROMPT, len(TEMPLATES))], prompts


def _request(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "method": entry["method"],
        "path": entry["path"],
        "query": entry.get("query") or {},
        "body": entry.get("body"),
        "user_agent": (entry.get("headers") or {}).get("user-agent"),
    }


def main() -> None:
    requests, state = capture()
    state["run_rules"] = run_rules()
    folder = OUT / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    dump = json.dumps([_request(r) for r in requests], indent=1, sort_keys=True)
    (folder / "sdk_requests.json").write_text(dump + "\n", encoding="utf-8")
    (folder / "workspace.json").write_text(
        json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    write_manifest_entry()
    counts = {k: len(v) for k, v in state.items()}
    print(f"{FOLDER}: {len(requests)} SDK requests; {counts}")


def write_manifest_entry() -> None:
    """Add or replace this folder's entry in MANIFEST.toml (convert.py keeps it on rebuilds)."""
    import convert

    versions = {p: importlib.metadata.version(p) for p in ("langsmith", "langchain-core")}
    python = sys.version.split()[0]
    manifest = OUT / "MANIFEST.toml"
    entries = tomllib.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}
    entries[FOLDER] = {
        "how": "built from real SDK payloads",
        "server": "scripts/langsmith_capture/capture_server.py (loopback stand-in for LangSmith's workspace "
        "API; answers from tests/connectors/langsmith/fake_workspace.py)",
        "client": ", ".join(f"{k} {v}" for k, v in versions.items()) + f" (Python {python})",
        "date": CLOCK[:10],
        "command": "scripts/langsmith_capture/run.sh workspace_config",
        "converted": "feedback configs, annotation queues and hub prompts: what the SDK's "
        "create_feedback_config / create_annotation_queue / push_prompt sent, stored and answered by "
        "fake_workspace.py (server fields ours: ids uuid5, times fixed to " + CLOCK + ", commit hashes "
        "sha256 of the manifest) and read back through the SDK's models; run_rules: built from the "
        "OpenAPI schema (langsmith.types.evaluator.Evaluator, the Run rules schema of GET "
        "/api/v1/runs/rules), no SDK call creates a rule",
        "feedback_configs": len(FEEDBACK_CONFIGS),
        "annotation_queues": len(QUEUES),
        "prompts": {PROMPT: len(TEMPLATES)},
        "run_rules": len(run_rules()),
        "files": ["sdk_requests.json", "workspace.json"],
    }
    convert.write_manifest(entries, OUT)


if __name__ == "__main__":
    main()
