"""A real Phoenix project, exported with the real phoenix client, audited as a file: the live verdicts.

The spans are written as users write them (``spans.get_spans`` dumped as a JSON array,
``get_spans_dataframe().to_json(orient="records", lines=True)``) and audited with ``traceready audit
file``. On what the spans hold (a-e, and the span ratios of f, g, h) the export and the live project
agree; the rest is what Phoenix keeps beside the spans: server-side cost, annotations, experiments.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.connectors.file.test_exports import by_requirement, ratios
from tests.phoenix.conftest import PhoenixFixture
from traceready.cli import app

SCENARIO = "openinference_full"
BESIDE_THE_SPANS = {
    "h.llm_spans_with_cost": "Phoenix prices tokens server-side; the export has no cost",
    "h.priceable_llm_spans_with_cost": "the same server-side cost",
    "g.failures_labelled": "span annotations are a separate call (get_span_annotations_dataframe)",
    "f.versioned_traces_with_scores": "experiments name the version; the export has none",
}


def audit(*args: str) -> dict:
    result = CliRunner().invoke(app, ["audit", *args, "-f", "json", "--no-history"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


@pytest.mark.parametrize("shape", ["spans", "dataframe"])
def test_an_export_by_the_phoenix_client_gets_the_live_verdicts_on_what_spans_hold(
    phoenix_server: PhoenixFixture, tmp_path: Path, shape: str
) -> None:
    from phoenix.client import Client

    client = Client(base_url=phoenix_server.base_url)
    path = tmp_path / f"{SCENARIO}.{shape}.json"
    if shape == "spans":
        spans = client.spans.get_spans(project_identifier=SCENARIO, limit=1000)
        path.write_text(json.dumps(spans))
    else:
        frame = client.spans.get_spans_dataframe(project_identifier=SCENARIO, limit=1000)
        frame.to_json(path, orient="records", lines=True, date_format="iso")
    live = audit("phoenix", "--project", SCENARIO, "--endpoint", phoenix_server.base_url, "--since", "3650d")
    export = audit("file", str(path))
    assert (
        export["counts"]["spans_mapped"]
        == live["counts"]["spans_mapped"]
        == phoenix_server.projects[SCENARIO]
    )
    mine, theirs = by_requirement(export), by_requirement(live)
    assert {k: mine[k]["status"] for k in "abcde"} == {k: theirs[k]["status"] for k in "abcde"}
    for requirement in "abcdefgh":
        ours, live_ratios = ratios(mine[requirement]), ratios(theirs[requirement])
        same = set(ours) - set(BESIDE_THE_SPANS)
        assert {m: ours[m] for m in same} == {m: live_ratios[m] for m in same}, requirement
    assert ratios(theirs["h"])["h.llm_spans_with_cost"] == (10, 10)
    assert ratios(mine["h"])["h.llm_spans_with_cost"] == (0, 10)
    assert (mine["i"]["status"], mine["j"]["status"]) == ("UNKNOWN", "UNKNOWN")
