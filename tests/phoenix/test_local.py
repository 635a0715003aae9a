"""The local Phoenix server and its seeding, as the demo and the end-to-end tests rely on them."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped,unused-ignore]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.phoenix.conftest import AuthPhoenixFixture, PhoenixFixture, pid_alive, require_phoenix
from traceready.connectors.phoenix.demo_seed import (
    ANNOTATION_CONFIG,
    EVALUATOR_NAME,
    HARNESS_VERSION,
    PROMPT_TAG,
    TRAIL_LABELS,
)
from traceready.connectors.phoenix.otlp_loader import (
    _prepare_request,
    _to_protobuf,
    count_spans,
    iter_otlp_requests,
    load_otlp_file,
    wait_for_spans,
)
from traceready.connectors.phoenix.server import LocalPhoenix, LocalPhoenixError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _get(base_url: str, path: str, **params: Any) -> Any:
    response = httpx.get(base_url + path, params=params, trust_env=False, timeout=30)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


def _all_spans(base_url: str, project: str) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        body = _get(base_url, f"/v1/projects/{project}/spans", **params)
        spans.extend(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            return spans


def _file_spans(path: Path) -> list[dict[str, Any]]:
    return [
        span
        for request in iter_otlp_requests(path)
        for resource_spans in request["resourceSpans"]
        for scope_spans in resource_spans["scopeSpans"]
        for span in scope_spans["spans"]
    ]


def _from_nanos(nanos: int) -> datetime:
    return datetime.fromtimestamp(nanos / 1e9, UTC)


def _micros(iso: str) -> int:
    return (datetime.fromisoformat(iso) - EPOCH) // timedelta(microseconds=1)


# -- the server ------------------------------------------------------------------------------------


def test_http_listens_on_loopback_only(phoenix_server: PhoenixFixture) -> None:
    server = phoenix_server.server
    listeners = server.listeners()
    assert ("127.0.0.1", server.port) in listeners
    others = [entry for entry in listeners if entry != ("127.0.0.1", server.port)]
    # Phoenix hard-codes its OTLP gRPC listener on [::] (PHOENIX_GRPC_PORT=0 makes the port random);
    # nothing else may listen, and never the HTTP port on a wider address.
    assert len(others) <= 1, listeners
    for address, port in others:
        assert port != server.port
        assert address in ("::", "0.0.0.0"), listeners
    assert phoenix_server.base_url == f"http://127.0.0.1:{server.port}"


def test_server_output_goes_to_its_log(phoenix_server: PhoenixFixture) -> None:
    log = phoenix_server.server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Application startup complete" in log


def _serve_and_raise(server: LocalPhoenix, error: type[BaseException]) -> None:
    with server:
        assert pid_alive(server.pid)
        assert httpx.get(server.base_url + "/healthz", trust_env=False).text == "OK"
        raise error("boom")


_CTRL_C_CHILD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in an interactive terminal
from traceready.connectors.phoenix.server import LocalPhoenix
with LocalPhoenix() as phoenix:
    print(phoenix.pid, phoenix.working_dir, flush=True)
    time.sleep(120)
"""


def test_stopped_by_pid_when_the_body_raises_or_on_ctrl_c(capfd: pytest.CaptureFixture[str]) -> None:
    require_phoenix()
    # Ctrl-C: a child process runs the server; SIGINT goes to the child's process group as a terminal
    # sends it. Started first so that both servers boot at the same time.
    child = subprocess.Popen(
        [sys.executable, "-c", _CTRL_C_CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        waited: list[float] = []
        server = LocalPhoenix(on_wait=waited.append)
        with pytest.raises(RuntimeError, match="boom"):
            _serve_and_raise(server, RuntimeError)
        assert waited, "progress is reported while the server starts"
        assert waited == sorted(waited)
        assert not pid_alive(server.pid)
        assert not server.running
        assert not server.working_dir.exists(), "the temporary working dir is removed at exit"
        server.stop()  # idempotent
        captured = capfd.readouterr()
        assert "Phoenix" not in captured.out + captured.err, "server output belongs in its log"

        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, f"the child did not start Phoenix: {child.communicate()[1][-2000:]}"
        pid_text, working_dir = line.split(maxsplit=1)
        server_pid = int(pid_text)
        assert pid_alive(server_pid)
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert child.returncode in (-signal.SIGINT, 130), err[-2000:]
        assert "KeyboardInterrupt" in err
        assert not pid_alive(server_pid)
        assert not Path(working_dir.strip()).exists()
    finally:
        if child.poll() is None:
            child.kill()  # the server then gets SIGTERM from the kernel (parent-death signal)
            child.wait()


def test_start_failure_names_the_log_and_stops_the_server(tmp_path: Path) -> None:
    require_phoenix()
    server = LocalPhoenix(working_dir=tmp_path, startup_timeout=0.5)
    with pytest.raises(LocalPhoenixError) as caught:
        server.start()
    assert "did not answer /healthz within" in str(caught.value)
    assert str(server.log_path) in str(caught.value)
    assert "phoenix serve on" in str(caught.value), "the message carries the tail of the log"
    assert not pid_alive(server.pid)
    assert server.log_path.exists(), "a given working dir is kept"


# -- spans -----------------------------------------------------------------------------------------


def test_every_sample_is_loaded_in_its_own_project(phoenix_server: PhoenixFixture) -> None:
    names = {p["name"] for p in _get(phoenix_server.base_url, "/v1/projects")["data"]}
    assert set(phoenix_server.projects) <= names
    assert sum(phoenix_server.projects.values()) == 148


@pytest.mark.parametrize(
    "scenario",
    [
        "final_io_only",
        "llm_spans_no_tool_spans",
        "openinference_full",
        "openllmetry_legacy",
        "otel_genai",
        "otel_genai_legacy",
        "plain_spans",
        "redacted",
    ],
)
def test_spans_are_queryable_with_their_original_ids_and_times(
    phoenix_server: PhoenixFixture, scenario: str
) -> None:
    file_spans = _file_spans(phoenix_server.files[scenario])
    spans = _all_spans(phoenix_server.base_url, scenario)
    assert len(spans) == phoenix_server.projects[scenario] == len(file_spans)
    got = {s["context"]["span_id"]: s for s in spans}
    assert set(got) == {s["spanId"] for s in file_spans}
    for span in file_spans:
        stored = got[span["spanId"]]
        assert stored["context"]["trace_id"] == span["traceId"]
        assert stored["parent_id"] == (span.get("parentSpanId") or None)
        assert stored["name"] == span["name"]
        for ours, theirs in (("startTimeUnixNano", "start_time"), ("endTimeUnixNano", "end_time")):
            nanos = int(span[ours])
            # Phoenix stores datetime.fromtimestamp(ns / 1e9): microseconds, rounded through a float.
            assert _micros(stored[theirs]) == _micros(_from_nanos(nanos).isoformat())
            assert abs(_micros(stored[theirs]) - nanos // 1000) <= 1


def test_the_failed_tool_span_keeps_its_id(phoenix_server: PhoenixFixture) -> None:
    failed = [
        s
        for s in _file_spans(phoenix_server.files["openinference_full"])
        if s.get("status", {}).get("code") == 2
    ]
    assert len(failed) == 1
    body = _get(
        phoenix_server.base_url,
        "/v1/projects/openinference_full/spans",
        span_kind="TOOL",
        status_code="ERROR",
    )
    assert [s["context"]["span_id"] for s in body["data"]] == [failed[0]["spanId"]]


def test_protobuf_conversion_keeps_ids_and_replaces_the_project() -> None:
    trace_id, span_id = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    request = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "openinference.project.name", "value": {"stringValue": "other"}}]
                },
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": trace_id,
                                "spanId": span_id,
                                "parentSpanId": "",
                                "name": "x",
                                "startTimeUnixNano": "1795610808822157589",
                                "endTimeUnixNano": "1795610808834364555",
                                "links": [{"traceId": trace_id, "spanId": "00f067aa0ba902b7"}],
                            }
                        ]
                    }
                ],
            }
        ]
    }
    assert _prepare_request(request, "mine") == 1
    decoded = MessageToDict(ExportTraceServiceRequest.FromString(_to_protobuf(request)))
    resource_spans = decoded["resourceSpans"][0]
    assert resource_spans["resource"]["attributes"] == [
        {"key": "openinference.project.name", "value": {"stringValue": "mine"}}
    ]
    span = resource_spans["scopeSpans"][0]["spans"][0]
    assert base64.b64decode(span["traceId"]).hex() == trace_id
    assert base64.b64decode(span["spanId"]).hex() == span_id
    assert base64.b64decode(span["links"][0]["spanId"]).hex() == "00f067aa0ba902b7"
    assert span["startTimeUnixNano"] == "1795610808822157589"


def test_waiting_for_missing_spans_times_out_with_the_count(phoenix_server: PhoenixFixture) -> None:
    with pytest.raises(TimeoutError, match="only 0 of 1 spans of project no_such_project"):
        wait_for_spans(phoenix_server.base_url, "no_such_project", 1, timeout=0.3)
    assert count_spans(phoenix_server.base_url, "redacted") == phoenix_server.projects["redacted"]


# -- demo extras -----------------------------------------------------------------------------------


def test_dataset_has_examples(phoenix_server: PhoenixFixture) -> None:
    extras = phoenix_server.extras
    datasets = _get(phoenix_server.base_url, "/v1/datasets")["data"]
    dataset = next(d for d in datasets if d["id"] == extras["dataset_id"])
    assert dataset["name"] == extras["dataset_name"]
    assert dataset["example_count"] == extras["examples"] == 4


def test_experiment_has_runs_scored_by_a_code_evaluator(phoenix_server: PhoenixFixture) -> None:
    base_url, extras = phoenix_server.base_url, phoenix_server.extras
    experiments = _get(base_url, f"/v1/datasets/{extras['dataset_id']}/experiments")["data"]
    assert [e["id"] for e in experiments] == [extras["experiment_id"]]
    experiment = experiments[0]
    assert experiment["metadata"] == {"harness_version": HARNESS_VERSION}
    assert experiment["successful_run_count"] == extras["runs"] == 4
    assert experiment["project_name"] == extras["experiment_project"]
    runs = _get(base_url, f"/v1/experiments/{extras['experiment_id']}/json")
    annotations = [a for run in runs for a in run["annotations"]]
    assert {(a["name"], a["annotator_kind"]) for a in annotations} == {(EVALUATOR_NAME, "CODE")}
    assert sorted(a["score"] for a in annotations) == [0.0, 1.0, 1.0, 1.0], "Lisbon times out"
    # Task and evaluator traces live in the experiment's own project, as run_experiment puts them.
    assert count_spans(base_url, extras["experiment_project"]) == 8
    projects = _get(base_url, "/v1/projects", include_experiment_projects="true")["data"]
    assert extras["experiment_project"] in {p["name"] for p in projects}


def test_failure_taxonomy_config_and_labelled_failed_span(phoenix_server: PhoenixFixture) -> None:
    base_url, extras = phoenix_server.base_url, phoenix_server.extras
    configs = _get(base_url, "/v1/annotation_configs")["data"]
    config = next(c for c in configs if c["name"] == ANNOTATION_CONFIG)
    assert config["type"] == "CATEGORICAL"
    assert [v["label"] for v in config["values"]] == list(TRAIL_LABELS)
    span_id = extras["annotated_span_id"]
    assert span_id is not None
    annotations = _get(
        base_url, f"/v1/projects/{phoenix_server.extras_project}/span_annotations", span_ids=span_id
    )["data"]
    assert [(a["name"], a["result"]["label"]) for a in annotations] == [(ANNOTATION_CONFIG, "timeout")]
    assert annotations[0]["id"] == extras["span_annotation_id"]


def test_prompt_version_is_tagged_production(phoenix_server: PhoenixFixture) -> None:
    base_url, extras = phoenix_server.base_url, phoenix_server.extras
    tagged = _get(base_url, f"/v1/prompts/{extras['prompt_name']}/tags/{PROMPT_TAG}")["data"]
    assert tagged["id"] == extras["prompt_version_id"]
    assert tagged["model_name"] == "gpt-4o-mini"
    versions = _get(base_url, f"/v1/prompts/{extras['prompt_name']}/versions")["data"]
    assert len(versions) == 1


def test_loading_and_seeding_talk_to_the_local_server_only(phoenix_server: PhoenixFixture) -> None:
    assert phoenix_server.network, "the audit hook saw the loading"
    port = phoenix_server.server.port
    for event, address in phoenix_server.network:
        if event == "socket.getaddrinfo":
            assert address == "127.0.0.1", (event, address)
        else:
            assert tuple(address[:2]) == ("127.0.0.1", port), (event, address)


# -- auth ------------------------------------------------------------------------------------------


def test_auth_server_needs_a_key(phoenix_auth_server: AuthPhoenixFixture) -> None:
    base_url = phoenix_auth_server.base_url
    url = base_url + "/v1/projects"
    assert httpx.get(url, trust_env=False).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}, trust_env=False).status_code == 401
    assert httpx.get(url, headers=phoenix_auth_server.headers, trust_env=False).status_code == 200
    admin = {"Authorization": f"Bearer {phoenix_auth_server.admin_secret}"}
    assert httpx.get(url, headers=admin, trust_env=False).status_code == 200


def test_auth_server_takes_spans_with_the_key(
    phoenix_auth_server: AuthPhoenixFixture, tmp_path: Path
) -> None:
    base_url, headers = phoenix_auth_server.base_url, phoenix_auth_server.headers
    sample = Path(__file__).resolve().parents[2] / "src/traceready/samples/otel/final_io_only.otlp.jsonl"
    with pytest.raises(RuntimeError, match="401"):
        load_otlp_file(base_url, "keyed", sample)
    sent = load_otlp_file(base_url, "keyed", sample, headers=headers)
    assert wait_for_spans(base_url, "keyed", sent, headers=headers, timeout=60) == sent == 6
