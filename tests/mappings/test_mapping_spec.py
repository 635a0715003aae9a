"""``--mapping mine.yaml``: a user's file laid over the built-in OTel mapping, and bad files refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from traceready.connectors.otel.otlp import iter_request
from traceready.errors import NotFoundError, UsageError
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Span

AGENT_REV = "fields:\n  versions.harness: [attributes.metadata.agent_rev]\n"


def openinference_tool_request(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The first OpenInference tool span of the real sample, with its ``metadata`` JSON replaced."""
    request: dict[str, Any] = json.loads(
        (SAMPLES / "openinference_full.otlp.jsonl").read_text().splitlines()[0]
    )
    scope = next(s for s in request["resourceSpans"][0]["scopeSpans"] if s["scope"]["name"] == "travel-agent")
    span = next(s for s in scope["spans"] if s["name"] == "get_weather")
    attributes = [a for a in span["attributes"] if a["key"] != "metadata"]
    if metadata is not None:
        attributes.append({"key": "metadata", "value": {"stringValue": json.dumps(metadata)}})
    span["attributes"] = attributes
    scope["spans"] = [span]
    request["resourceSpans"][0]["scopeSpans"] = [scope]
    return request


def map_with(mapping: Path | None, request: dict[str, Any]) -> Span:
    (record,) = list(iter_request(request))
    span = Mapper(load_mapping("otel", mapping)).map_record(record)
    assert isinstance(span, Span), span
    return span


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("extends: otel\n", id="extends_only"),
        pytest.param("vendor: otel\nextends: otel\n", id="vendor_and_extends"),
    ],
)
def test_user_mapping_puts_the_harness_version_where_the_team_records_it(tmp_path: Path, header: str) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(header + AGENT_REV)
    request = openinference_tool_request({"harness_version": "travel-agent@1.4.0", "agent_rev": "rev-42"})

    assert map_with(None, request).versions.harness == "travel-agent@1.4.0"
    assert map_with(mine, request).versions.harness == "rev-42"


def test_user_mapping_falls_back_to_the_built_in_sources(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("vendor: otel\nextends: otel\n" + AGENT_REV)
    span = map_with(mine, openinference_tool_request({"harness_version": "travel-agent@1.4.0"}))
    assert span.versions.harness == "travel-agent@1.4.0"
    assert span.tool is not None and span.tool.name == "get_weather"


def test_user_mapping_reads_a_flat_dotted_attribute_too(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("vendor: otel\nextends: otel\n" + AGENT_REV)
    request = openinference_tool_request(None)
    request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"].append(
        {"key": "metadata.agent_rev", "value": {"stringValue": "rev-7"}}
    )
    assert map_with(mine, request).versions.harness == "rev-7"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param(
            "vendor: otel\nfields:\n  versions.harnes: [attributes.x]\n",
            "versions.harnes",
            id="unknown_field",
        ),
        pytest.param(
            "vendor: otel\nfields:\n  versions.harness: [{path: attributes.x, transform: bogus}]\n",
            "versions.harness",
            id="unknown_transform",
        ),
        pytest.param(
            "vendor: otel\nfields:\n  llm.input_messages: [{path: attributes.x, format: klingon}]\n",
            "llm.input_messages",
            id="unknown_message_format",
        ),
        pytest.param(
            "vendor: otel\nfeilds:\n  versions.harness: [attributes.x]\n", "feilds", id="misspelt_section"
        ),
        pytest.param(
            "vendor: otel\nfields:\n  versions.harness: [attributes.x\n", "not valid YAML", id="bad_yaml"
        ),
        pytest.param("- versions.harness\n", "YAML mapping", id="not_a_mapping"),
    ],
)
def test_invalid_mapping_file_is_a_one_line_usage_error_naming_the_problem(
    tmp_path: Path, text: str, names: str
) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(text)

    with pytest.raises(UsageError) as caught:
        load_mapping("otel", mine)

    message = caught.value.one_line()
    assert "\n" not in message
    assert message.startswith(str(mine))
    assert names in message


def test_unknown_transform_message_lists_the_known_ones(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("vendor: otel\nfields:\n  versions.harness: [{path: attributes.x, transform: bogus}]\n")
    with pytest.raises(UsageError, match=r"unknown transform 'bogus'; known: .*\bint\b"):
        load_mapping("otel", mine)


def test_mapping_for_another_vendor_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("vendor: langsmith\nextends: langsmith\n" + AGENT_REV)
    with pytest.raises(UsageError, match="extends 'langsmith' but the audit reads 'otel'"):
        load_mapping("otel", mine)


def test_missing_mapping_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="mapping file not found"):
        load_mapping("otel", tmp_path / "nope.yaml")
