#!/usr/bin/env python3
"""Write ``tests/data/exports/``: vendor export files made by the vendors' own SDKs, as users make them.

Each part runs the real SDK against a local server holding this project's recorded traces, then
dumps what the SDK returned the way its docs and users do. Nothing reaches the network.

``langsmith``   the LangSmith replay server (``tests/connectors/langsmith/replay.py`` over
                ``cassettes/langsmith/``, v1) read with langsmith's ``Client.list_runs``; written
                one ``run.model_dump_json()`` a line, and as ``json.dumps([run.model_dump() ...],
                default=str)``.
``braintrust``  the fake Braintrust data plane (``cassettes/braintrust/``) read with braintrust's
                ``ObjectFetcher.fetch()`` over ``project_logs`` (the BTQL query the SDK builds for
                every object it fetches), written as the BTQL answer ``{"data": [rows]}``.
``phoenix``     a real local Phoenix (``LocalPhoenix``) loaded with the bundled OpenInference sample,
                read with arize-phoenix-client's ``spans.get_spans`` (JSON array of REST spans) and
                ``spans.get_spans_dataframe`` written with ``to_json(orient="records", lines=True)``.

Run from the repository root with a Python that has the part's SDK (``MANIFEST.toml`` records the
versions): ``python scripts/generate_exports.py langsmith braintrust`` in a venv with
``langsmith==0.15.1 braintrust==0.48.1``; ``.venv/bin/python scripts/generate_exports.py phoenix``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "exports"
sys.path.insert(0, str(ROOT))

LANGSMITH_SCENARIOS = ("traceable_full", "langchain_agent")
BRAINTRUST_SCENARIOS = ("logger_traced_tools",)
PHOENIX_SAMPLE = "openinference_full"


def langsmith() -> None:
    """Runs of each scenario's project, as ``Client.list_runs`` returns them."""
    import langsmith as ls

    from tests.connectors.langsmith.replay import ReplayServer

    with ReplayServer(backend="v1") as url:
        client = ls.Client(api_url=url, api_key="replay-key")
        for scenario in LANGSMITH_SCENARIOS:
            project = "travel-agent-" + scenario.replace("_", "-")
            start = dt.datetime(2026, 11, 13, tzinfo=dt.UTC)
            runs = list(client.list_runs(project_name=project, start_time=start))
            runs.sort(key=lambda run: (run.start_time, str(run.id)))
            lines = "".join(run.model_dump_json() + "\n" for run in runs)
            (OUT / f"langsmith_{scenario}.runs.jsonl").write_text(lines, encoding="utf-8")
            if scenario == "traceable_full":
                dumped = json.dumps([run.model_dump() for run in runs], default=str, indent=1)
                (OUT / f"langsmith_{scenario}.runs.json").write_text(dumped + "\n", encoding="utf-8")
            print(f"langsmith {scenario}: {len(runs)} runs (langsmith {ls.__version__})")


def braintrust() -> None:
    """Project logs rows, as braintrust's ObjectFetcher fetches an object's rows through BTQL."""
    from importlib.metadata import version

    from braintrust.logger import BraintrustState, ObjectFetcher

    from tests.connectors.braintrust.fake import KEY, FakeBraintrust, project_name
    from tests.connectors.braintrust.server import serve

    class ProjectLogs(ObjectFetcher[dict[str, Any]]):
        """``project_logs('<id>')``: the SDK fetches experiments and datasets the same way."""

        def __init__(self, state: BraintrustState, project_id: str) -> None:
            # The fake data plane pages by _pagination_key, as the real one does for logs.
            order = [{"expr": {"op": "ident", "name": ["_pagination_key"]}, "dir": "desc"}]
            super().__init__("project_logs", _internal_btql={"sort": order})
            self._state, self._project_id = state, project_id

        def _get_state(self) -> BraintrustState:
            return self._state

        @property
        def id(self) -> str:
            return self._project_id

    for scenario in BRAINTRUST_SCENARIOS:
        fake = FakeBraintrust(scenario)
        with serve(fake) as url:
            state = BraintrustState()
            state.login(app_url=url, api_key=KEY)
            project = state.api_conn().get_json("v1/project", {"project_name": project_name(scenario)})
            project_id = project["objects"][0]["id"]
            rows = list(ProjectLogs(state, project_id).fetch())
        dumped = json.dumps({"data": rows}, indent=1, sort_keys=True)
        (OUT / f"braintrust_{scenario}.logs.json").write_text(dumped + "\n", encoding="utf-8")
        print(f"braintrust {scenario}: {len(rows)} rows (braintrust {version('braintrust')})")


def phoenix() -> None:
    """Spans of the bundled sample loaded into a real local Phoenix, read with phoenix.client."""
    import tempfile
    from importlib.metadata import version

    from phoenix.client import Client

    from traceready.connectors.phoenix.otlp_loader import load_otlp_file, wait_for_spans
    from traceready.connectors.phoenix.server import LocalPhoenix

    sample = ROOT / "src" / "traceready" / "samples" / "otel" / f"{PHOENIX_SAMPLE}.otlp.jsonl"
    with tempfile.TemporaryDirectory() as work, LocalPhoenix(working_dir=Path(work)) as server:
        sent = load_otlp_file(server.base_url, PHOENIX_SAMPLE, sample)
        wait_for_spans(server.base_url, PHOENIX_SAMPLE, sent, timeout=120)
        client = Client(base_url=server.base_url)
        spans = client.spans.get_spans(project_identifier=PHOENIX_SAMPLE, limit=1000)
        frame = client.spans.get_spans_dataframe(project_identifier=PHOENIX_SAMPLE, limit=1000)
    spans = sorted(spans, key=lambda s: (s["start_time"], s["context"]["span_id"]))
    dumped = json.dumps(spans, indent=1)
    (OUT / f"phoenix_{PHOENIX_SAMPLE}.spans.json").write_text(dumped + "\n", encoding="utf-8")
    # The frame is indexed by span id (also a column): to_json(orient="records") writes the columns.
    frame = frame.sort_values("start_time", kind="stable")
    frame.to_json(OUT / f"phoenix_{PHOENIX_SAMPLE}.dataframe.jsonl", orient="records", lines=True)
    print(
        f"phoenix {PHOENIX_SAMPLE}: {len(spans)} spans, {len(frame)} dataframe rows "
        f"(arize-phoenix {version('arize-phoenix')}, arize-phoenix-client {version('arize-phoenix-client')}, "
        f"pandas {version('pandas')})"
    )


PARTS = {"langsmith": langsmith, "braintrust": braintrust, "phoenix": phoenix}

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for part in sys.argv[1:] or PARTS:
        PARTS[part]()
