"""compare: a live local Phoenix next to the same traces as a file is recognised as the same agent."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from tests.phoenix.conftest import PhoenixFixture
from traceready.cli import app

SCENARIO = "openinference_full"


def test_phoenix_and_the_same_file_are_the_same_agent_and_agree_on_a_to_e(phoenix_server: PhoenixFixture):
    file_target = f"otel:{phoenix_server.files[SCENARIO]}"
    phoenix_target = f"phoenix:{SCENARIO}"
    result = CliRunner(env={"PHOENIX_ENDPOINT": phoenix_server.base_url}).invoke(
        app, ["compare", phoenix_target, file_target, "--since", "3650d", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    (group,) = report["same_agent"]
    assert group["targets"] == [phoenix_target, file_target]
    assert group["traces"] == 6
    assert group["disagreements"] == []
    rows = {row["requirement"]: row for row in report["requirements"]}
    for requirement in "abcde":
        statuses = [cell["status"] for cell in rows[requirement]["cells"]]
        assert statuses[0] == statuses[1] == "PRESENT", requirement
        assert rows[requirement]["lacks"] == [], requirement
    # What Phoenix holds beside the spans (a dataset, a scored experiment) puts it ahead on i and j.
    assert rows["j"]["leader"] == phoenix_target
    assert report["readiest"] == phoenix_target
    phoenix = report["targets"][0]["report"]
    assert phoenix["connector"] == "phoenix"
    assert phoenix["counts"]["spans_mapped"] == phoenix_server.projects[SCENARIO]
    # Phoenix gives deep links to its spans; the file has none.
    examples = [e for f in phoenix["findings"] for e in f["examples"]]
    assert examples and all(e["url"].startswith(phoenix_server.base_url) for e in examples)
