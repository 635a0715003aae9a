"""Turning one raw record into a ``Span`` (or a counted ``Rejection``) through a mapping spec.

The spec is compiled once; mapping a record is then a few dict look-ups per field. LLM fields are
read only for model calls and tool fields only for tool steps, which keeps the hot path short.
Nothing here raises on odd input: a wrong type is a missing fact, an unusable record a Rejection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from pydantic import ValidationError

from traceready.mapping.messages import MESSAGE_FORMATS
from traceready.mapping.paths import Path, items_under, unflatten, walk
from traceready.mapping.spec import MappingSpec, Source
from traceready.mapping.transforms import (
    TRANSFORMS,
    as_float,
    as_int,
    as_str,
    as_str_list,
    as_unix_ns,
)
from traceready.model import (
    ErrorInfo,
    LlmInfo,
    Message,
    Rejection,
    Score,
    SourceRef,
    Span,
    SpanKind,
    StatusCode,
    ToolInfo,
    Usage,
    Versions,
)

OVERSIZED_VALUE_BYTES = 1 << 20
"""A string value above this size is mapped but noted (``oversized_value``)."""

_LLM_KINDS = frozenset({SpanKind.LLM, SpanKind.DECISION})


INDEXED_ROOT = "attributes"
"""The root whose keys are indexed: flat attribute dicts (OTel, Phoenix) hold most of the paths."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    id: int
    path: Path
    transform: Callable[[Any], Any] | None
    format: Callable[[Any], tuple[Message, ...] | None] | None
    flattened: bool
    values: dict[str, str] | None
    indexed: bool
    """True when the path is into ``attributes``: its raw value comes from the record's index."""

    def read(self, ctx: _Context) -> Any:
        if self.indexed:
            value = ctx.hits.get(self.id)
            if value is None and self.id in ctx.flats:
                value = unflatten(items_under(ctx.record[INDEXED_ROOT], self.path.rest))
        else:
            value = self.path.get(ctx.record)
            if value is None and self.flattened:
                base = ctx.record.get(self.path.root)
                if isinstance(base, dict) and self.path.rest:
                    flat = items_under(base, self.path.rest)
                    value = unflatten(flat) if flat else None
        if value is None:
            return None
        if self.format is not None:
            return self.format(value)
        if self.transform is not None:
            value = self.transform(value)
        if self.values is not None:
            key = as_str(value)
            return self.values.get(key.lower()) if key else None
        return value


@dataclass(slots=True)
class _Context:
    """One record with its attribute hits: raw values by source id, and flattened sources present."""

    record: dict[str, Any]
    hits: dict[int, Any]
    flats: set[int]

    def has_any(self, ids: frozenset[int]) -> bool:
        """True when any of these indexed sources found something in this record."""
        return not ids.isdisjoint(self.hits) or not ids.isdisjoint(self.flats)


class _AttributeIndex:
    """Which sources each attribute key feeds, so a record costs a look-up per key it has.

    Without it every source is a path read, most of them misses: the cost grew with the size of
    the mapping, not of the span. Semantics are those of ``Path.get``: the whole key first, then
    the longest prefix holding a dict or a JSON object string; flattened sources see dotted keys
    below their path.
    """

    def __init__(self, sources: list[_Compiled]) -> None:
        self.direct: dict[str, list[int]] = {}
        self.nested: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
        self.flat: dict[str, list[int]] = {}
        for source in sources:
            if not source.indexed:
                continue
            self.direct.setdefault(source.path.rest, []).append(source.id)
            for prefix, remainder in source.path.prefixes:
                self.nested.setdefault(prefix, []).append((source.id, prefix.count(".") + 1, remainder))
            if source.flattened:
                self.flat.setdefault(source.path.rest, []).append(source.id)
        self.flat_depth = max((p.count(".") + 1 for p in self.flat), default=0)

    def context(self, record: dict[str, Any]) -> _Context:
        hits: dict[int, Any] = {}
        flats: set[int] = set()
        attributes = record.get(INDEXED_ROOT)
        if not isinstance(attributes, dict):
            return _Context(record, hits, flats)
        nested_found: dict[int, list[tuple[int, Any, tuple[str, ...]]]] = {}
        direct, nested, flat, depth = self.direct, self.nested, self.flat, self.flat_depth
        for key, value in attributes.items():
            if value is None:
                continue
            ids = direct.get(key)
            if ids is not None:
                for source_id in ids:
                    hits[source_id] = value
            entries = nested.get(key)
            if entries is not None:
                for source_id, length, remainder in entries:
                    nested_found.setdefault(source_id, []).append((length, value, remainder))
            if flat and isinstance(key, str):
                dot, seen = key.find("."), 0
                while dot != -1 and seen < depth:
                    flat_ids = flat.get(key[:dot])
                    if flat_ids is not None:
                        flats.update(flat_ids)
                    dot, seen = key.find(".", dot + 1), seen + 1
        for source_id, found in nested_found.items():
            if source_id in hits:
                continue
            for _, value, remainder in sorted(found, key=lambda item: -item[0]):
                walked = walk(value, remainder)
                if walked is not None:
                    hits[source_id] = walked
                    break
        return _Context(record, hits, flats)


def _compile(source_id: int, source: Source) -> _Compiled:
    return _Compiled(
        id=source_id,
        path=Path.parse(source.path),
        transform=TRANSFORMS[source.transform] if source.transform else None,
        format=MESSAGE_FORMATS[source.format] if source.format else None,
        flattened=source.flattened,
        values={k.lower(): v for k, v in source.values.items()} if source.values else None,
        indexed=source.path.startswith(INDEXED_ROOT + ".") and len(source.path) > len(INDEXED_ROOT) + 1,
    )


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


class Mapper:
    """A compiled mapping spec: ``map_record(raw)`` gives a Span or a Rejection."""

    def __init__(self, spec: MappingSpec) -> None:
        self.vendor = spec.vendor or spec.extends or "unknown"
        ids = count()

        def compile_all(sources: list[Source]) -> tuple[_Compiled, ...]:
            return tuple(_compile(next(ids), source) for source in sources)

        self._fields = {name: compile_all(srcs) for name, srcs in spec.fields.items()}
        # A field read only from attributes, none of which the span has, is absent: no loop needed.
        self._attribute_only = {
            name: frozenset(s.id for s in sources)
            for name, sources in self._fields.items()
            if sources and all(s.indexed for s in sources)
        }
        self._params = {name: compile_all(srcs) for name, srcs in spec.params.items()}
        self._kind = compile_all(spec.kind)
        every = [s for group in (*self._fields.values(), *self._params.values(), self._kind) for s in group]
        self._index = _AttributeIndex(every)
        self._markers = frozenset(spec.redaction_markers)

    def _get(self, record: _Context, name: str) -> Any:
        only = self._attribute_only.get(name)
        if only is not None and not record.has_any(only):
            return None
        hits, flats = record.hits, record.flats
        for source in self._fields.get(name, ()):
            if source.indexed and source.id not in hits and source.id not in flats:
                continue  # the span has no attribute this source reads: no call, no work
            value = source.read(record)
            if not _is_empty(value):
                return value
        return None

    def _str(self, record: _Context, name: str) -> str | None:
        return as_str(self._get(record, name))

    def _kind_of(self, record: _Context) -> SpanKind:
        for source in self._kind:
            value = source.read(record)
            if value:
                kind = SpanKind(value)
                if kind is not SpanKind.UNKNOWN:
                    return kind
        return SpanKind.UNKNOWN

    def map_record(self, record: dict[str, Any]) -> Span | Rejection:
        """Map one raw record; never raises on odd input."""
        try:
            return self._map(record)
        except (ValidationError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            raw_id = as_str(record.get("span_id")) if isinstance(record, dict) else None
            return Rejection(reason="unmappable", detail=exc.__class__.__name__, raw_id=raw_id)

    def _map(self, raw: dict[str, Any]) -> Span | Rejection:
        record = self._index.context(raw)
        span_id = self._str(record, "span_id")
        trace_id = self._str(record, "trace_id")
        if span_id is None or trace_id is None:
            return Rejection(reason="missing_id", raw_id=span_id)
        quality: list[str] = list(raw.get("quality") or ())
        start_ns = as_unix_ns(self._get(record, "start_ns"))
        end_ns = as_unix_ns(self._get(record, "end_ns"))
        if start_ns is None or end_ns is None:
            quality.append("missing_timestamp")
        elif end_ns < start_ns:
            quality.append("end_before_start")

        kind = self._kind_of(record)
        model = self._str(record, "llm.model")
        tool_name = self._str(record, "tool.name")
        if kind is SpanKind.UNKNOWN and model is not None:
            kind = SpanKind.LLM
        elif kind is SpanKind.UNKNOWN and tool_name is not None:
            kind = SpanKind.TOOL

        redacted: list[str] = []
        inputs = self._checked(record, "input", redacted)
        outputs = self._checked(record, "output", redacted)
        llm = self._llm(record, model, redacted) if kind in _LLM_KINDS else self._usage_only(record)
        tool = self._tool(record, tool_name, redacted) if kind is SpanKind.TOOL else None

        status = StatusCode(self._str(record, "status_code") or "unset")
        error = self._error(record, status)
        if self._oversized(record, "input") or self._oversized(record, "output"):
            quality.append("oversized_value")
        metadata = self._get(record, "metadata")
        return Span(
            span_id=span_id,
            trace_id=trace_id,
            parent_id=self._str(record, "parent_id"),
            session_id=self._str(record, "session_id"),
            kind=kind,
            name=self._str(record, "name") or "",
            start_ns=start_ns,
            end_ns=end_ns,
            status=status,
            error=error,
            input=inputs,
            output=outputs,
            llm=llm,
            tool=tool,
            metadata=metadata if isinstance(metadata, dict) else {},
            tags=as_str_list(self._get(record, "tags")) or (),
            versions=Versions(
                harness=self._str(record, "versions.harness"),
                prompt=self._str(record, "versions.prompt"),
            ),
            environment=self._str(record, "environment"),
            scores=_scores(self._get(record, "scores")),
            redacted=tuple(redacted),
            quality=tuple(quality),
            source=SourceRef(vendor=self.vendor, raw_id=span_id, url=self._str(record, "url")),
        )

    def _oversized(self, record: _Context, name: str) -> bool:
        """True when a raw value behind ``name`` (before JSON decoding) is over the size note bar."""
        return any(
            isinstance(
                value := (record.hits.get(source.id) if source.indexed else source.path.get(record.record)),
                str,
            )
            and len(value) > OVERSIZED_VALUE_BYTES
            for source in self._fields.get(name, ())
        )

    def _checked(self, record: _Context, name: str, redacted: list[str]) -> Any:
        value = self._get(record, name)
        if isinstance(value, str) and value in self._markers:
            redacted.append(name)
            return None
        return value

    def _messages(self, record: _Context, name: str, redacted: list[str]) -> tuple[Message, ...] | None:
        messages: tuple[Message, ...] | None = self._get(record, name)
        if messages and any(m.content in self._markers for m in messages if m.content):
            redacted.append(name)
        return messages

    def _llm(self, record: _Context, model: str | None, redacted: list[str]) -> LlmInfo:
        params = dict(self._get(record, "llm.params") or {})
        for key, sources in self._params.items():
            if key not in params:
                for source in sources:
                    value = source.read(record)
                    if not _is_empty(value):
                        params[key] = value
                        break
        tools = self._get(record, "llm.tools_offered")
        return LlmInfo(
            provider=self._str(record, "llm.provider"),
            model=model,
            response_model=self._str(record, "llm.response_model"),
            params=params or None,
            input_messages=self._messages(record, "llm.input_messages", redacted),
            output_messages=self._messages(record, "llm.output_messages", redacted),
            tools_offered=tuple(tools) if isinstance(tools, list | tuple) else None,
            usage=self._usage(record),
            cost_usd=as_float(self._get(record, "llm.cost_usd")),
            finish_reasons=as_str_list(self._get(record, "llm.finish_reasons")) or (),
        )

    def _usage_only(self, record: _Context) -> LlmInfo | None:
        """Token counts on a non-model span (an agent rolling up its children), else None."""
        usage = self._usage(record)
        if usage.input_tokens is None and usage.output_tokens is None and usage.total_tokens is None:
            return None
        return LlmInfo(usage=usage)

    def _usage(self, record: _Context) -> Usage:
        return Usage(
            input_tokens=as_int(self._get(record, "llm.usage.input_tokens")),
            output_tokens=as_int(self._get(record, "llm.usage.output_tokens")),
            total_tokens=as_int(self._get(record, "llm.usage.total_tokens")),
            reasoning_tokens=as_int(self._get(record, "llm.usage.reasoning_tokens")),
            cached_input_tokens=as_int(self._get(record, "llm.usage.cached_input_tokens")),
        )

    def _tool(self, record: _Context, name: str | None, redacted: list[str]) -> ToolInfo:
        arguments = self._get(record, "tool.arguments")
        result = self._get(record, "tool.result")
        for field, value in (("tool.arguments", arguments), ("tool.result", result)):
            if isinstance(value, str) and value in self._markers:
                redacted.append(field)
        return ToolInfo(
            name=name,
            call_id=self._str(record, "tool.call_id"),
            arguments=None if "tool.arguments" in redacted else arguments,
            result=None if "tool.result" in redacted else result,
        )

    def _error(self, record: _Context, status: StatusCode) -> ErrorInfo | None:
        error_type = self._str(record, "error.type")
        recorded = self._str(record, "error.message")
        stacktrace = self._get(record, "error.stacktrace")
        if status is not StatusCode.ERROR and recorded is None and stacktrace is None:
            # Without ERROR status or a recorded exception, ``error.type`` alone is not a failure.
            return None
        return ErrorInfo(
            type=error_type,
            message=recorded or self._str(record, "status_message"),
            has_stacktrace=bool(stacktrace),
        )


def _scores(value: Any) -> tuple[Score, ...]:
    if not isinstance(value, list):
        return ()
    scores = []
    for item in value:
        if isinstance(item, dict) and (name := as_str(item.get("name"))):
            scores.append(
                Score(
                    name=name,
                    value=as_float(item.get("value", item.get("score"))),
                    label=as_str(item.get("label")),
                    source=as_str(item.get("source")),
                )
            )
    return tuple(scores)
