"""The mapper works out where sources sit once per set of keys: values still come from each record."""

from __future__ import annotations

from typing import Any

from traceready.mapping import mapper as mapper_module
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import FIELDS, load_mapping
from traceready.model import Span

MAPPER = Mapper(load_mapping("otel"))


def _record(span_id: str, attributes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "trace_id": "1" * 32,
        "span_id": span_id,
        "parent_id": None,
        "name": "step",
        "start_ns": 1,
        "end_ns": 2,
        "status": {"code": "unset", "message": None},
        "attributes": attributes,
        "resource": {},
        "events": {},
    }
    return record | fields


def _span(record: dict[str, Any]) -> Span:
    result = MAPPER.map_record(record)
    assert isinstance(result, Span), result
    return result


def test_records_with_the_same_keys_keep_their_own_values() -> None:
    first = _span(_record("a" * 16, {"gen_ai.request.model": "gpt-4o", "session.id": "s1"}))
    second = _span(_record("b" * 16, {"gen_ai.request.model": "o3", "session.id": "s2"}))
    assert (first.llm and first.llm.model, first.session_id) == ("gpt-4o", "s1")
    assert (second.llm and second.llm.model, second.session_id) == ("o3", "s2")


def test_a_key_present_but_empty_falls_through_to_the_next_source() -> None:
    attributes = {"session.id": "", "gen_ai.conversation.id": "conv-7"}
    assert _span(_record("c" * 16, attributes)).session_id == "conv-7"
    attributes = {"session.id": "s3", "gen_ai.conversation.id": "conv-7"}
    assert _span(_record("d" * 16, attributes)).session_id == "s3"


def test_nested_and_flat_spellings_of_one_path_both_resolve() -> None:
    nested = _span(_record("e" * 16, {"metadata": '{"harness_version": "v7"}'}))
    flat = _span(_record("f" * 16, {"metadata.harness_version": "v8"}))
    neither = _span(_record("0" * 15 + "1", {"metadata": '{"other": 1}'}))
    assert (nested.versions.harness, flat.versions.harness, neither.versions.harness) == ("v7", "v8", None)


def test_status_and_resource_are_read_whatever_keys_they_hold() -> None:
    record = _record("1" * 16, {}, status={"code": "error", "message": "boom"})
    record["resource"] = {"service.version": "2.1", "deployment.environment": "prod"}
    mapped = _span(record)
    assert (mapped.status.value, mapped.error and mapped.error.message) == ("error", "boom")
    assert (mapped.versions.harness, mapped.environment) == ("2.1", "prod")
    record["status"] = "not a dict"
    assert _span(record).status.value == "unset"


def test_layouts_are_bounded_when_every_record_has_new_keys(monkeypatch: Any) -> None:
    monkeypatch.setattr(mapper_module, "_LAYOUT_CACHE", 8)
    mapper = Mapper(load_mapping("otel"))
    for number in range(50):
        attributes = {f"custom.{number}": "x", "gen_ai.request.model": f"m{number}"}
        mapped = mapper.map_record(_record(f"{number + 1:016x}", attributes))
        assert isinstance(mapped, Span)
        assert mapped.llm is not None and mapped.llm.model == f"m{number}"
    assert len(mapper._layouts._cache) <= 8


def test_key_sets_of_the_same_sizes_keep_their_own_layouts() -> None:
    """Records are matched to a layout by their keys, not by how many keys each root holds."""
    mapper = Mapper(load_mapping("otel"))
    models = ["gen_ai.request.model", "llm.model_name"]
    others = [f"custom.{number}" for number in range(2 * mapper_module._RECENT_PER_SIZES)]
    for _ in range(3):
        for key in [*models, *others]:
            mapped = mapper.map_record(_record("a" * 16, {key: "gpt-4o"}))
            assert isinstance(mapped, Span)
            assert (mapped.llm.model if mapped.llm else None) == ("gpt-4o" if key in models else None)


def test_the_same_keys_in_another_order_read_the_same_values() -> None:
    mapper = Mapper(load_mapping("otel"))
    first = {"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hi"}
    second = dict(reversed(first.items()))
    for attributes in (first, second, first, second):
        mapped = mapper.map_record(_record("a" * 16, attributes | {"openinference.span.kind": "LLM"}))
        assert isinstance(mapped, Span) and mapped.llm is not None
        messages = mapped.llm.input_messages or ()
        assert [(m.role, m.content) for m in messages] == [("user", "hi")]


def test_field_positions_cover_every_spec_field() -> None:
    """Layouts keep reads by position in ``FIELD_NAMES``: every field a spec may fill has one."""
    names = mapper_module.FIELD_NAMES
    assert len(names) == len(set(names))
    assert set(names) == FIELDS
    for position, name in enumerate(names):
        assert getattr(mapper_module, "_" + name.upper().replace(".", "_")) == position
