"""A fake Phoenix answering from a recorded cassette's bodies (an ``httpx.MockTransport`` handler).

Like the real server it answers a span query with the spans of the traces asked for, and 404 for a
route the recording never reached.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import yaml

from tests.cassettes import CASSETTES
from tests.connectors.faults import Fault, Handler, with_fault

CASSETTE = CASSETTES / "phoenix" / "openinference_full_with_experiment.yaml"
PROJECT = "demo"
"""The project the cassette recorded."""


def recorded_bodies(path: Path = CASSETTE) -> dict[str, str]:
    """Response bodies of the cassette by request path (a fake Phoenix serves them)."""
    data = yaml.safe_load(path.read_text())
    return {
        httpx.URL(i["request"]["uri"]).path: i["response"]["body"]["string"] for i in data["interactions"]
    }


def fake_phoenix(bodies: dict[str, str], fault: Fault) -> Handler:
    """A Phoenix answering from recorded bodies, with a fault hook (request, call number)."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = bodies.get(request.url.path)
        if body is None:
            return httpx.Response(404, text="not found")
        wanted = request.url.params.get_list("trace_id")
        if wanted and request.url.path.endswith("/spans"):
            # Like the real server: only the spans of the traces asked for.
            page = json.loads(body)
            page["data"] = [s for s in page["data"] if s["context"]["trace_id"] in wanted]
            body = json.dumps(page)
        return httpx.Response(200, text=body, headers={"content-type": "application/json"})

    return with_fault(fault, answer)
