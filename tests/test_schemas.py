"""The report and span exports are public formats: shipped schemas match the models and validate output."""

from __future__ import annotations

import jsonschema
import orjson
import pytest

from tests.test_scenarios import audit
from traceready.schemas import SCHEMAS, shipped_schema


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_shipped_schema_matches_the_models(name: str) -> None:
    assert shipped_schema(name) == SCHEMAS[name](), (
        f"regenerate: traceready schema {name} > src/traceready/schemas/{name}.schema.json"
    )


@pytest.mark.parametrize("scenario", ["openinference_full", "plain_spans", "redacted"])
def test_reports_validate_against_the_shipped_schema(scenario: str) -> None:
    report = orjson.loads(audit(scenario).model_dump_json())
    jsonschema.validate(report, shipped_schema("report"))


def test_exported_spans_validate_against_the_shipped_schema(tmp_path) -> None:
    from click.testing import CliRunner

    from tests.conftest import SAMPLES
    from traceready.cli import app

    out = tmp_path / "spans.jsonl"
    result = CliRunner().invoke(
        app,
        ["audit", "otel", str(SAMPLES / "otel_genai.otlp.jsonl"), "--export-spans", str(out), "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().splitlines()
    assert len(lines) == 21
    schema = shipped_schema("span")
    for line in lines:
        jsonschema.validate(orjson.loads(line), schema)


def test_invalid_report_is_rejected_by_the_schema() -> None:
    report = orjson.loads(audit("plain_spans").model_dump_json())
    report["findings"][0]["status"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, shipped_schema("report"))
