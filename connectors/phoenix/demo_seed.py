"""What the demo adds to its Phoenix project beyond spans: the facts a file cannot show.

A dataset of regression questions, a scored experiment run by a deterministic stub of the sample
agent, a failure taxonomy (an annotation config after TRAIL) with one labelled span, and a tagged
prompt version. Talks to the REST API with httpx rather than the official ``arize-phoenix-client``:

- ``import phoenix.client`` runs the server package's ``phoenix/__init__.py`` when arize-phoenix is
  installed (both live in the ``phoenix`` namespace), importing the whole server app: ~11 s on a
  2-core machine, as long as the server takes to start, against ~0.3 s for this module.
- ``run_experiment`` prints to stdout and draws tqdm bars on stderr (the demo owns the terminal), and
  exports its task spans with ``requests``, which sends even loopback requests through
  ``HTTP(S)_PROXY`` when set; our httpx clients ignore the environment (``trust_env=False``).
- The client has no annotation-config API.

The calls are the ones the client makes: ``POST /v1/datasets/upload?sync=true``,
``POST /v1/datasets/{id}/experiments``, ``POST /v1/experiments/{id}/runs``,
``POST /v1/experiment_evaluations``, ``POST /v1/prompts``, ``POST /v1/prompt_versions/{id}/tags``,
plus ``POST /v1/annotation_configs`` and ``POST /v1/span_annotations?sync=true``. Verified on
Phoenix 20.26.1.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypedDict

import httpx
import orjson

from .otlp_loader import post_otlp_requests
from .server import loopback_client, raise_for_status

logger = logging.getLogger(__name__)

DATASET_NAME = "travel-agent-regression"
EXPERIMENT_NAME = "travel-agent@1.4.0"
HARNESS_VERSION = "travel-agent@1.4.0"
EVALUATOR_NAME = "mentions_expected"
ANNOTATION_CONFIG = "failure_type"
ANNOTATION_IDENTIFIER = "traceready-demo"
PROMPT_NAME = "travel-agent-system"
PROMPT_TAG = "production"

TRAIL_LABELS: tuple[str, ...] = (
    # Reasoning errors
    "reasoning_error",
    "hallucination",
    "tool_selection_error",
    "instruction_non_compliance",
    # Planning and coordination errors
    "planning_error",
    "goal_deviation",
    "context_handling_failure",
    # System execution errors
    "tool_execution_error",
    "timeout",
    "rate_limit",
    "authentication_error",
    "service_error",
)
"""``failure_type`` labels after TRAIL (Deshpande et al., 2025, arXiv:2505.08638): its three top
categories and the leaves a tool-using agent meets most."""

_SYSTEM_TEMPLATE = (
    "You are a concise travel assistant helping {{traveller}}. Today is {{date}}. "
    "Use get_weather for weather questions and convert_currency for money questions; "
    "if a tool fails, say so honestly."
)
_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("What's the weather in Paris right now?", "partly cloudy"),
    ("Compare the weather in Tokyo and London today.", "light rain"),
    ("Please convert 250 USD to EUR.", "230"),
    ("What's the weather in Lisbon this afternoon?", "sunny"),
)
_WEATHER: dict[str, tuple[int, str]] = {
    "Paris": (18, "partly cloudy"),
    "Tokyo": (24, "sunny"),
    "London": (12, "light rain"),
}


class DemoExtras(TypedDict):
    """What ``seed_demo_extras`` created."""

    dataset_id: str
    dataset_name: str
    examples: int
    experiment_id: str
    experiment_project: str
    runs: int
    evaluations: int
    annotation_config_id: str
    annotation_labels: int
    annotated_span_id: str | None
    span_annotation_id: str | None
    prompt_name: str
    prompt_version_id: str
    prompt_tag: str


def travel_agent_stub(question: str) -> str:
    """The experiment's task: the sample agent's tools as a deterministic rule (no network, no LLM)."""
    if "convert" in question.lower():
        amount = next(
            (float(w) for w in question.rstrip(".?!").split() if w.replace(".", "", 1).isdigit()), None
        )
        if amount is None:
            return "How much should I convert?"
        return f"{amount:g} USD is {round(amount * 0.92, 2):g} EUR."
    cities = [c for c in ("Paris", "Tokyo", "London", "Lisbon") if c in question]
    parts = []
    for city in cities:
        if city == "Lisbon":
            parts.append("Sorry, the weather service timed out for Lisbon.")
        else:
            temp, conditions = _WEATHER[city]
            parts.append(f"{city}: {temp} C, {conditions}.")
    return " ".join(parts) or "I can help with weather and currency questions."


def _mentions_expected(output: str, expected: str) -> tuple[float, str, str]:
    hit = expected.lower() in output.lower()
    return (1.0 if hit else 0.0), ("pass" if hit else "fail"), f"expected mention of {expected!r}"


def _iso(moment_ns: int) -> str:
    return datetime.fromtimestamp(moment_ns / 1e9, UTC).isoformat()


def _span_json(
    name: str, kind: str, trace_id: str, start_ns: int, end_ns: int, io_pair: tuple[str, str]
) -> dict[str, Any]:
    attributes = {
        "openinference.span.kind": kind,
        "input.value": io_pair[0],
        "input.mime_type": "application/json",
        "output.value": io_pair[1],
        "output.mime_type": "application/json",
    }
    return {
        "traceId": trace_id,
        "spanId": secrets.token_hex(8),
        "name": name,
        "kind": 1,
        "startTimeUnixNano": str(start_ns),
        "endTimeUnixNano": str(end_ns),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
        "status": {"code": 1},
    }


def _otlp_request(spans: list[dict[str, Any]], scope: str) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": scope}, "spans": spans}]}
        ]
    }


def _run_experiment(
    http: httpx.Client,
    base_url: str,
    headers: Mapping[str, str] | None,
    dataset_id: str,
    version_id: str,
    examples: list[dict[str, Any]],
) -> tuple[dict[str, Any], int, int]:
    """Create the experiment, run the task and the evaluator per example, record runs, traces, scores."""
    response = http.post(
        f"/v1/datasets/{dataset_id}/experiments",
        json={
            "name": EXPERIMENT_NAME,
            "description": "Regression questions for the travel agent, answered by its deterministic stub.",
            "metadata": {"harness_version": HARNESS_VERSION},
            "version_id": version_id,
            "repetitions": 1,
        },
    )
    raise_for_status(response, "create an experiment")
    experiment: dict[str, Any] = response.json()["data"]
    spans: list[dict[str, Any]] = []
    runs = evaluations = 0
    for example in examples:
        question = str(example["input"]["question"])
        expected = str(example["output"]["must_mention"])
        trace_id = secrets.token_hex(16)
        start = time.time_ns()
        answer = travel_agent_stub(question)
        end = max(time.time_ns(), start + 1000)
        spans.append(
            _span_json(
                "Task: travel_agent_stub",
                "CHAIN",
                trace_id,
                start,
                end,
                (orjson.dumps({"question": question}).decode(), orjson.dumps({"answer": answer}).decode()),
            )
        )
        response = http.post(
            f"/v1/experiments/{experiment['id']}/runs",
            json={
                "dataset_example_id": example["id"],
                "output": {"answer": answer},
                "repetition_number": 1,
                "start_time": _iso(start),
                "end_time": _iso(end),
                "trace_id": trace_id,
            },
        )
        raise_for_status(response, "record an experiment run")
        run_id = response.json()["data"]["id"]
        runs += 1
        eval_trace = secrets.token_hex(16)
        eval_start = time.time_ns()
        score, label, explanation = _mentions_expected(answer, expected)
        eval_end = max(time.time_ns(), eval_start + 1000)
        spans.append(
            _span_json(
                f"Evaluation: {EVALUATOR_NAME}",
                "EVALUATOR",
                eval_trace,
                eval_start,
                eval_end,
                (
                    orjson.dumps({"answer": answer, "expected": expected}).decode(),
                    orjson.dumps({"score": score, "label": label}).decode(),
                ),
            )
        )
        response = http.post(
            "/v1/experiment_evaluations",
            json={
                "experiment_run_id": run_id,
                "name": EVALUATOR_NAME,
                "annotator_kind": "CODE",
                "start_time": _iso(eval_start),
                "end_time": _iso(eval_end),
                "result": {"score": score, "label": label, "explanation": explanation},
                "trace_id": eval_trace,
            },
        )
        raise_for_status(response, "record an evaluation")
        evaluations += 1
    post_otlp_requests(
        base_url, str(experiment["project_name"]), [_otlp_request(spans, "traceready.demo")], headers=headers
    )
    return experiment, runs, evaluations


def seed_demo_extras(base_url: str, project: str, *, headers: Mapping[str, str] | None = None) -> DemoExtras:
    """Create what the demo shows besides spans; returns what was created.

    A dataset, an experiment over it scored by a code evaluator, a categorical failure taxonomy, a
    label on the failed tool span of ``project`` and a prompt version tagged ``production``.

    Everything goes to ``base_url`` and nowhere else; the experiment's task and evaluator are local
    deterministic functions. Meant for a fresh server: names are fixed, and Phoenix refuses a second
    dataset or annotation config of the same name (409).
    """
    with loopback_client(base_url, headers) as http:
        # (a) dataset
        response = http.post(
            "/v1/datasets/upload",
            params={"sync": "true"},
            json={
                "action": "create",
                "name": DATASET_NAME,
                "description": "Travel-agent questions with the fact a good answer mentions.",
                "inputs": [{"question": q} for q, _ in _EXAMPLES],
                "outputs": [{"must_mention": m} for _, m in _EXAMPLES],
                "metadata": [{"source": "traceready demo"} for _ in _EXAMPLES],
            },
        )
        raise_for_status(response, "create a dataset")
        dataset = response.json()["data"]
        response = http.get(f"/v1/datasets/{dataset['dataset_id']}/examples")
        raise_for_status(response, "list the dataset's examples")
        examples: list[dict[str, Any]] = response.json()["data"]["examples"]

        # (b) experiment with a code evaluator
        experiment, runs, evaluations = _run_experiment(
            http, base_url, headers, dataset["dataset_id"], dataset["version_id"], examples
        )

        # (c) categorical failure taxonomy
        response = http.post(
            "/v1/annotation_configs",
            json={
                "name": ANNOTATION_CONFIG,
                "type": "CATEGORICAL",
                "description": "Agent failure type after the TRAIL taxonomy (arXiv:2505.08638).",
                "optimization_direction": "NONE",
                "values": [{"label": label} for label in TRAIL_LABELS],
            },
        )
        raise_for_status(response, f"create the {ANNOTATION_CONFIG} annotation config")
        config = response.json()["data"]

        # (d) the failed tool span, labelled
        annotated_span_id, annotation_id = _label_failed_tool_span(http, project)

        # (e) prompt version tagged production
        response = http.post(
            "/v1/prompts",
            json={
                "prompt": {"name": PROMPT_NAME, "description": "System prompt of the travel agent."},
                "version": {
                    "description": "travel-prompt-v3",
                    "model_provider": "OPENAI",
                    "model_name": "gpt-4o-mini",
                    "template": {
                        "type": "chat",
                        "messages": [{"role": "system", "content": _SYSTEM_TEMPLATE}],
                    },
                    "template_type": "CHAT",
                    "template_format": "MUSTACHE",
                    "invocation_parameters": {
                        "type": "openai",
                        "openai": {"temperature": 0, "seed": 7, "max_tokens": 256},
                    },
                },
            },
        )
        raise_for_status(response, "create a prompt")
        prompt_version_id = str(response.json()["data"]["id"])
        response = http.post(f"/v1/prompt_versions/{prompt_version_id}/tags", json={"name": PROMPT_TAG})
        raise_for_status(response, f"tag the prompt version {PROMPT_TAG}")

    return DemoExtras(
        dataset_id=str(dataset["dataset_id"]),
        dataset_name=DATASET_NAME,
        examples=len(examples),
        experiment_id=str(experiment["id"]),
        experiment_project=str(experiment["project_name"]),
        runs=runs,
        evaluations=evaluations,
        annotation_config_id=str(config["id"]),
        annotation_labels=len(TRAIL_LABELS),
        annotated_span_id=annotated_span_id,
        span_annotation_id=annotation_id,
        prompt_name=PROMPT_NAME,
        prompt_version_id=prompt_version_id,
        prompt_tag=PROMPT_TAG,
    )


def _label_failed_tool_span(http: httpx.Client, project: str) -> tuple[str | None, str | None]:
    """Label the first TOOL span with status ERROR; (span id, annotation id), or Nones if none failed."""
    response = http.get(
        f"/v1/projects/{project}/spans", params={"span_kind": "TOOL", "status_code": "ERROR", "limit": 1}
    )
    raise_for_status(response, f"find the failed tool span of {project}")
    failed = response.json()["data"]
    if not failed:
        logger.warning("project %s has no failed tool span; no failure_type label added", project)
        return None, None
    span = failed[0]
    span_id = str(span["context"]["span_id"])
    message = str(span.get("status_message") or "")
    errors = " ".join(
        str((e.get("attributes") or {}).get("exception.type", "")) for e in span.get("events") or []
    )
    timed_out = "timeout" in f"{message} {errors}".lower() or "timed out" in message.lower()
    response = http.post(
        "/v1/span_annotations",
        params={"sync": "true"},
        json={
            "data": [
                {
                    "span_id": span_id,
                    "name": ANNOTATION_CONFIG,
                    "annotator_kind": "HUMAN",
                    "result": {
                        "label": "timeout" if timed_out else "tool_execution_error",
                        "explanation": f"{span.get('name')} failed: {message}".strip(),
                    },
                    "metadata": {"taxonomy": "TRAIL"},
                    "identifier": ANNOTATION_IDENTIFIER,
                }
            ]
        },
    )
    raise_for_status(response, "annotate the failed tool span")
    return span_id, str(response.json()["data"][0]["id"])
