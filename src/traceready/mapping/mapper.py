"""Turning one raw record into a ``Span`` (or a counted ``Rejection``) through a mapping spec.

The spec is compiled once; mapping a record is then a few dict look-ups per field. LLM fields are
read only for model calls and tool fields only for tool steps, which keeps the hot path short.
Nothing here raises on odd input: a wrong type is a missing fact, an unusable record a Rejection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any, Final

from traceready.mapping.messages import FLAT_READERS, MESSAGE_FORMATS, FlatReaders
from traceready.mapping.messages.flat import FlatReader
from traceready.mapping.paths import Path, unflatten_parts, walk
from traceready.mapping.spec import FIELD_NAMES, MappingSpec, Source
from traceready.mapping.transforms import (
    TRANSFORMS,
    as_float,
    as_int,
    as_str,
    as_str_list,
    as_unix_ns,
)
from traceready.model import (
    KIND_AGENT,
    KIND_CHAIN,
    KIND_DECISION,
    KIND_LLM,
    KIND_TOOL,
    KIND_UNKNOWN,
    STATUS_ERROR,
    ErrorInfo,
    JsonText,
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

_LLM_KINDS = frozenset({KIND_LLM, KIND_DECISION})
_KINDS = {kind.value: kind for kind in SpanKind}
_STATUSES = {status.value: status for status in StatusCode}
"""Exact spellings by dict look-up: the enums' own lookup costs a Python-level call per span."""

# Positions in ``spec.FIELD_NAMES``: a layout keeps each field's reads at its position, so a read is
# a tuple index by a constant (inlined by mypyc), not a dict look-up by name (callgrind, score loop:
# -17.8 M instructions on 4,000 replicated spans, -11.7 M on 3,000 fat spans).
_SPAN_ID: Final = 0
_TRACE_ID: Final = 1
_PARENT_ID: Final = 2
_SESSION_ID: Final = 3
_NAME: Final = 4
_START_NS: Final = 5
_END_NS: Final = 6
_STATUS_CODE: Final = 7
_STATUS_MESSAGE: Final = 8
_ERROR_TYPE: Final = 9
_ERROR_MESSAGE: Final = 10
_ERROR_STACKTRACE: Final = 11
_INPUT: Final = 12
_OUTPUT: Final = 13
_METADATA: Final = 14
_TAGS: Final = 15
_VERSIONS_HARNESS: Final = 16
_VERSIONS_PROMPT: Final = 17
_ENVIRONMENT: Final = 18
_SCORES: Final = 19
_URL: Final = 20
_LLM_PROVIDER: Final = 21
_LLM_MODEL: Final = 22
_LLM_RESPONSE_MODEL: Final = 23
_LLM_PARAMS: Final = 24
_LLM_INPUT_MESSAGES: Final = 25
_LLM_OUTPUT_MESSAGES: Final = 26
_LLM_TOOLS_OFFERED: Final = 27
_LLM_COST_USD: Final = 28
_LLM_FINISH_REASONS: Final = 29
_LLM_USAGE_INPUT_TOKENS: Final = 30
_LLM_USAGE_OUTPUT_TOKENS: Final = 31
_LLM_USAGE_TOTAL_TOKENS: Final = 32
_LLM_USAGE_REASONING_TOKENS: Final = 33
_LLM_USAGE_CACHED_INPUT_TOKENS: Final = 34
_TOOL_NAME: Final = 35
_TOOL_CALL_ID: Final = 36
_TOOL_ARGUMENTS: Final = 37
_TOOL_RESULT: Final = 38


STRICT_FLAT_ROOT = "attributes"
"""Below this root a flattened structure is there only when one of its leaves holds a value (the
rule of OTel attributes, where a null attribute is no attribute); below other roots, any key is."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    id: int
    path: Path
    transform: Callable[[Any], Any] | None
    format: Callable[[Any], tuple[Message, ...] | None] | None
    flattened: bool
    values: dict[str, str] | None
    plain: bool
    """True when the raw value is the value: no format, transform or value table."""
    lazy: bool
    """True when JSON text that cannot decode to an empty value is kept as ``JsonText``."""
    flat_reader: FlatReaders | None
    """Reads this flattened source's messages straight from the flat keys (``FLAT_READERS``)."""

    def convert(self, value: Any) -> Any:
        """The raw value (not None) through this source's format, transform and value table."""
        if self.format is not None:
            return self.format(value)
        if self.transform is not None:
            if self.lazy and isinstance(value, str) and _decodes_non_empty(value):
                return JsonText(value, self.transform)
            value = self.transform(value)
        if self.values is not None:
            key = as_str(value)
            return self.values.get(key.lower()) if key else None
        return value


_Read = tuple[_Compiled, int, str | None]
"""How a layout reads a source: the source, the position of the dict it is found in
(``_Context.roots``), and the one key of that dict that holds its value when no nested or flattened
spelling can (None: ask ``_Layout.value``)."""

_RECORD = ""
"""The record itself, as a root: a bare path (``span_id``) is a key of the record."""


class _Context:
    """One record, the dicts paths go into (the record first; empty where not a dict), their layout.

    A plain class, not a dataclass: compiled by mypyc, a dataclass keeps the interpreted
    ``__init__`` that ``dataclasses`` generates, a Python call per record.
    """

    def __init__(self, record: dict[str, Any], roots: list[dict[str, Any]], layout: _Layout) -> None:
        self.record = record
        self.roots = roots
        self.layout = layout

    def raw(self, read: _Read) -> Any:
        """A source's raw value in this record, before any conversion (None when absent)."""
        source, root, key = read
        base = self.roots[root]
        return base[key] if key is not None else self.layout.value(source, base)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each source finds its value, for one set of keys at the record's roots.

    Spans of one instrumentation carry the same keys, so this is worked out once per key set (see
    ``_Layouts``) and a record then costs a look-up per field it has, not per source of the
    mapping. Semantics are those of ``Path.get``: the whole key first, then the longest prefix
    holding a dict or a JSON object string; flattened sources see dotted keys below their path.
    """

    fields: tuple[tuple[_Read, ...], ...]
    """Per field (at its position in ``FIELD_NAMES``), the sources worth reading for these keys, in
    spec order; empty for a field these keys cannot fill."""
    params: tuple[tuple[str, tuple[_Read, ...]], ...]
    kind: tuple[_Read, ...]
    direct: dict[int, str]
    nested: dict[int, tuple[tuple[str, tuple[str, ...]], ...]]
    flat: dict[int, tuple[tuple[str, tuple[str, ...]], ...]]
    """Per flattened source, its keys with the rest of each key split at its dots."""
    planned: dict[int, _Planned]
    """Flattened sources whose converted value is read straight from the flat keys."""
    usage: bool
    """True when a token count has a source among these keys (else ``Usage()`` without reads)."""
    exception: bool
    """True when an error message or stacktrace has a source among these keys."""

    def value(self, source: _Compiled, base: dict[str, Any]) -> Any:
        """The raw value of a source found in ``base`` (the dict at its root), or None."""
        key = self.direct.get(source.id)
        if key is not None:
            value = base[key]
            if value is not None:
                return value
        for key, remainder in self.nested.get(source.id, ()):
            node = base[key]
            if node is not None:
                found = walk(node, remainder)
                if found is not None:
                    return found
        below = self.flat.get(source.id)
        if below is not None:
            items = [(parts, base[key]) for key, parts in below]
            if source.path.root != STRICT_FLAT_ROOT or any(value is not None for _, value in items):
                return unflatten_parts(items)
        return None


class _Planned:
    """A flattened source's messages read from its flat keys, without unflattening them.

    Gives what ``_Layout.value`` and then the source's message format give for the same keys.
    """

    def __init__(self, keys: tuple[str, ...], strict: bool, reader: FlatReader) -> None:
        self.keys = keys
        self.strict = strict
        self.reader = reader

    def read(self, base: dict[str, Any]) -> tuple[Message, ...] | None:
        """The messages, or None (below the strict root, when no key holds a value)."""
        if self.strict and all(base[key] is None for key in self.keys):
            return None
        return self.reader.read(base)


_LAYOUT_CACHE = 4096
"""Distinct key sets remembered; real traces have a few dozen, odd input may have more."""
_RECENT_PER_SIZES = 8
"""Key sets kept for a quick check per combination of root sizes (``_Layouts.context``)."""

_Keys = tuple[tuple[Any, ...], ...]
"""The keys at each root of a record, in order: what a layout is worked out from."""


def _has_keys(roots: list[dict[Any, Any]], keys: _Keys) -> bool:
    """True when each root holds exactly ``keys`` (the same keys in the same order)."""
    for i in range(len(roots)):
        base, known = roots[i], keys[i]
        if len(base) != len(known):
            return False
        for j, key in enumerate(base):
            expected = known[j]
            if key is expected:
                continue
            # Strings compared with mypyc's str equality, other keys only by identity: a false "no"
            # only sends the record on to the full look-up.
            if not (isinstance(key, str) and isinstance(expected, str) and key == expected):
                return False
    return True


class _Layouts:
    """Layouts by the key sets at the record's roots, computed on first sight; the cache is bounded."""

    def __init__(
        self,
        fields: dict[str, tuple[_Compiled, ...]],
        params: dict[str, tuple[_Compiled, ...]],
        kind: tuple[_Compiled, ...],
    ) -> None:
        self._fields, self._params, self._kind = fields, params, kind
        every = [s for group in (*fields.values(), *params.values(), kind) for s in group]
        self._sources = {s.id: s for s in every}
        self.roots = (_RECORD, *dict.fromkeys(s.path.root for s in every if s.path.rest))
        """The dicts paths are looked up in: the record, and the roots paths go below (``attributes``)."""
        self._below = self.roots[1:]
        self._position = {root: i for i, root in enumerate(self.roots)}
        self._direct: list[dict[str, list[int]]] = [{} for _ in self.roots]
        self._nested: list[dict[str, list[tuple[int, int, tuple[str, ...]]]]] = [{} for _ in self.roots]
        self._flat: list[dict[str, list[int]]] = [{} for _ in self.roots]
        for source in every:
            if not source.path.rest:  # a bare path is one key of the record, never nested or flattened
                self._direct[0].setdefault(source.path.root, []).append(source.id)
                continue
            i = self._position[source.path.root]
            self._direct[i].setdefault(source.path.rest, []).append(source.id)
            for prefix, remainder in source.path.prefixes:
                self._nested[i].setdefault(prefix, []).append((source.id, prefix.count(".") + 1, remainder))
            if source.flattened:
                self._flat[i].setdefault(source.path.rest, []).append(source.id)
        self._flat_depth = [max((p.count(".") + 1 for p in flat), default=0) for flat in self._flat]
        self._cache: dict[_Keys, _Layout] = {}
        self._recent: dict[int, list[tuple[_Keys, _Layout]]] = {}
        """Per combination of root sizes, the last key sets seen with it, most recent first."""

    def context(self, record: dict[str, Any]) -> _Context:
        """The record with its root dicts and their layout."""
        roots = [record]
        sizes = len(record)
        for root in self._below:
            base = record.get(root)
            if not isinstance(base, dict):
                base = {}  # not a dict: no keys to find
            roots.append(base)
            sizes = (sizes * 1021 + len(base)) & 0xFFFFFFFFFFFF
        # Most records have the keys of one of the last few records with roots of their sizes:
        # comparing the keys in place costs ~60 % of copying them into a tuple of tuples and
        # hashing and comparing that in ``_cache`` (callgrind, this method: -19 M instructions on
        # 4,000 replicated spans, -16 M on 3,000 fat spans).
        recent = self._recent.get(sizes)
        if recent is not None:
            for i in range(len(recent)):
                keys, layout = recent[i]
                if _has_keys(roots, keys):
                    if i:
                        recent.insert(0, recent.pop(i))
                    return _Context(record, roots, layout)
        keys = tuple(map(tuple, roots))
        found = self._cache.get(keys)
        if found is None:
            if len(self._cache) >= _LAYOUT_CACHE:
                self._cache.clear()  # bounded memory on input where every record differs
                self._recent.clear()
                recent = None
            found = self._cache[keys] = self._layout(keys)
        if recent is None:
            recent = self._recent[sizes] = []
        recent.insert(0, (keys, found))
        del recent[_RECENT_PER_SIZES:]
        return _Context(record, roots, found)

    def _layout(self, keys: _Keys) -> _Layout:
        direct: dict[int, str] = {}
        nested: dict[int, list[tuple[int, str, tuple[str, ...]]]] = {}
        flat: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        for i, root_keys in enumerate(keys):
            index_direct, index_nested, index_flat = self._direct[i], self._nested[i], self._flat[i]
            for key in root_keys:
                for source_id in index_direct.get(key, ()):
                    direct[source_id] = key
                for source_id, length, remainder in index_nested.get(key, ()):
                    nested.setdefault(source_id, []).append((length, key, remainder))
                if index_flat and isinstance(key, str):
                    dot, seen = key.find("."), 0
                    while dot != -1 and seen < self._flat_depth[i]:
                        for source_id in index_flat.get(key[:dot], ()):
                            flat.setdefault(source_id, []).append((key, tuple(key[dot + 1 :].split("."))))
                        dot, seen = key.find(".", dot + 1), seen + 1

        def reads(sources: tuple[_Compiled, ...]) -> tuple[_Read, ...]:
            kept: list[_Read] = []
            for source in sources:
                if source.id in direct or source.id in nested or source.id in flat:
                    root = self._position[source.path.root] if source.path.rest else 0
                    alone = source.id not in nested and source.id not in flat
                    kept.append((source, root, direct[source.id] if alone else None))
            return tuple(kept)

        fields = tuple(reads(self._fields.get(name, ())) for name in FIELD_NAMES)
        return _Layout(
            fields=fields,
            params=tuple((name, kept) for name, sources in self._params.items() if (kept := reads(sources))),
            kind=reads(self._kind),
            direct=direct,
            nested={
                source_id: tuple((key, remainder) for _, key, remainder in sorted(found, key=lambda f: -f[0]))
                for source_id, found in nested.items()
            },
            flat={source_id: tuple(below) for source_id, below in flat.items()},
            planned=self._planned(flat, direct, nested),
            usage=any(fields[field] for field in _USAGE_FIELDS),
            exception=bool(fields[_ERROR_MESSAGE] or fields[_ERROR_STACKTRACE]),
        )

    def _planned(
        self,
        flat: dict[int, list[tuple[str, tuple[str, ...]]]],
        direct: dict[int, str],
        nested: dict[int, list[tuple[int, str, tuple[str, ...]]]],
    ) -> dict[int, _Planned]:
        """Flattened sources read straight from their keys: only flat keys, of a shape read plainly."""
        planned: dict[int, _Planned] = {}
        for source_id, below in flat.items():
            source = self._sources[source_id]
            if source.flat_reader is None or source_id in direct or source_id in nested:
                continue
            reader = source.flat_reader(below)
            if reader is not None:
                strict = source.path.root == STRICT_FLAT_ROOT
                planned[source_id] = _Planned(tuple(key for key, _ in below), strict, reader)
        return planned


_USAGE_FIELDS = (
    _LLM_USAGE_INPUT_TOKENS, _LLM_USAGE_OUTPUT_TOKENS, _LLM_USAGE_TOTAL_TOKENS,
    _LLM_USAGE_REASONING_TOKENS, _LLM_USAGE_CACHED_INPUT_TOKENS,
)  # fmt: skip
_LAZY_FIELDS = frozenset({"input", "output"})
"""Fields whose JSON text may stay undecoded: ``Span.input`` and ``Span.output`` decode it when read."""
_NOT_AFTER_BRACKET = frozenset(" \t\r\n\f}]")


def _decodes_non_empty(text: str) -> bool:
    """True when ``as_json(text)`` is certain to give a non-empty dict, list or this text itself.

    Text that opens an object or array and goes on with something other than whitespace or its
    close is either a non-empty container (it parses) or not JSON (``as_json`` gives the text):
    never empty, never None. Anything else (short text, a JSON string, ``{}``) is decoded at once.
    """
    return len(text) > 2 and text[0] in "{[" and text[1] not in _NOT_AFTER_BRACKET


def _compile(source_id: int, source: Source, lazy: bool, shortcuts: bool) -> _Compiled:
    return _Compiled(
        id=source_id,
        path=Path.parse(source.path),
        transform=TRANSFORMS[source.transform] if source.transform else None,
        format=MESSAGE_FORMATS[source.format] if source.format else None,
        flattened=source.flattened,
        values={k.lower(): v for k, v in source.values.items()} if source.values else None,
        plain=not (source.format or source.transform or source.values),
        lazy=lazy and source.transform == "json" and not source.format and not source.values,
        flat_reader=FLAT_READERS.get(source.format)
        if shortcuts and source.flattened and source.format
        else None,
    )


def _converted(record: _Context, read: _Read) -> Any:
    value = record.raw(read)
    return None if value is None else read[0].convert(value)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


class Mapper:
    """A compiled mapping spec: ``map_record(raw)`` gives a Span or a Rejection.

    Two shortcuts save work on large spans: JSON text bound for ``Span.input``/``output`` stays
    text until read, and OpenInference messages are read from their flat keys without unflattening.
    ``shortcuts=False`` reads everything the plain way; the spans are the same (tests compare them).
    """

    def __init__(self, spec: MappingSpec, *, shortcuts: bool = True) -> None:
        self.vendor = spec.vendor or spec.extends or "unknown"
        ids = count()
        # A kept JSON text is never checked against the redaction markers; it could only equal
        # one that opens an object or array, so with such a marker everything is decoded.
        lazy_ok = shortcuts and not any(marker[:1] in ("{", "[") for marker in spec.redaction_markers)

        def compile_all(sources: list[Source], lazy: bool = False) -> tuple[_Compiled, ...]:
            return tuple(_compile(next(ids), source, lazy, shortcuts) for source in sources)

        fields = {
            name: compile_all(srcs, lazy_ok and name in _LAZY_FIELDS) for name, srcs in spec.fields.items()
        }
        params = {name: compile_all(srcs) for name, srcs in spec.params.items()}
        self._layouts = _Layouts(fields, params, compile_all(spec.kind))
        self._markers = frozenset(spec.redaction_markers)
        self._root_chain_is_agent = spec.root_chain_is_agent

    def _get(self, record: _Context, field: int) -> Any:
        """The first non-empty value of a field's sources (the hot path: reads inlined)."""
        roots, layout = record.roots, record.layout
        for source, root, key in layout.fields[field]:
            base = roots[root]
            # The usual case is one key in one dict; nested and flattened spellings ask the layout.
            if key is not None:
                value = base[key]
            else:
                planned = layout.planned.get(source.id) if layout.planned else None
                if planned is not None:
                    messages = planned.read(base)  # converted already: None or not empty
                    if messages is not None:
                        return messages
                    continue
                value = layout.value(source, base)
            if value is None:
                continue
            if not source.plain:
                value = source.convert(value)
            # _is_empty inlined: a truthy value is never empty, a falsy one only as "", {} or [].
            if value or (value is not None and not isinstance(value, (str, dict, list))):
                return value
        return None

    def _str(self, record: _Context, field: int) -> str | None:
        return as_str(self._get(record, field))

    def _kind_of(self, record: _Context) -> SpanKind:
        for read in record.layout.kind:
            value = _converted(record, read)
            if value:
                kind = _KINDS.get(value) or _KINDS.get(value.lower()) if isinstance(value, str) else None
                if kind is None:
                    kind = SpanKind(value)  # what is left: padded spellings, non-strings, unknown kinds
                if kind is not KIND_UNKNOWN:
                    return kind
        return KIND_UNKNOWN

    def map_record(self, record: Any) -> Span | Rejection:
        """Map one raw record; never raises on odd input (a record that is no dict is rejected)."""
        # Typed Any, not dict: compiled by mypyc, a dict parameter would raise TypeError on anything else.
        if not isinstance(record, dict):
            return Rejection(reason="unmappable", detail=f"record is a {type(record).__name__}")
        try:
            return self._map(record)
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            return Rejection(
                reason="unmappable", detail=exc.__class__.__name__, raw_id=as_str(record.get("span_id"))
            )

    def _map(self, raw: dict[str, Any]) -> Span | Rejection:
        record = self._layouts.context(raw)
        span_id = self._str(record, _SPAN_ID)
        trace_id = self._str(record, _TRACE_ID)
        if span_id is None or trace_id is None:
            return Rejection(reason="missing_id", raw_id=span_id)
        quality: list[str] = list(raw.get("quality") or ())
        start_ns = as_unix_ns(self._get(record, _START_NS))
        end_ns = as_unix_ns(self._get(record, _END_NS))
        if start_ns is None or end_ns is None:
            quality.append("missing_timestamp")
        elif end_ns < start_ns:
            quality.append("end_before_start")

        kind = self._kind_of(record)
        model = self._str(record, _LLM_MODEL)
        tool_name = self._str(record, _TOOL_NAME)
        if kind is KIND_UNKNOWN and model is not None:
            kind = KIND_LLM
        elif kind is KIND_UNKNOWN and tool_name is not None:
            kind = KIND_TOOL
        parent_id = self._str(record, _PARENT_ID)
        if kind is KIND_CHAIN and parent_id is None and self._root_chain_is_agent:
            kind = KIND_AGENT

        redacted: list[str] = []
        inputs = self._checked(record, _INPUT, redacted)
        outputs = self._checked(record, _OUTPUT, redacted)
        llm = self._llm(record, model, redacted) if kind in _LLM_KINDS else self._usage_only(record, kind)
        tool = self._tool(record, tool_name, redacted) if kind is KIND_TOOL else None

        code = self._str(record, _STATUS_CODE) or "unset"
        status = _STATUSES.get(code) or StatusCode(code)
        error = self._error(record, status)
        if self._oversized(record, _INPUT) or self._oversized(record, _OUTPUT):
            quality.append("oversized_value")
        metadata = self._get(record, _METADATA)
        return Span(
            span_id=span_id,
            trace_id=trace_id,
            parent_id=parent_id,
            session_id=self._str(record, _SESSION_ID),
            kind=kind,
            name=self._str(record, _NAME) or "",
            start_ns=start_ns,
            end_ns=end_ns,
            status=status,
            error=error,
            input=inputs,
            output=outputs,
            llm=llm,
            tool=tool,
            metadata=metadata if isinstance(metadata, dict) else {},
            tags=as_str_list(self._get(record, _TAGS)) or (),
            versions=Versions(
                harness=self._str(record, _VERSIONS_HARNESS), prompt=self._str(record, _VERSIONS_PROMPT)
            ),
            environment=self._str(record, _ENVIRONMENT),
            scores=_scores(self._get(record, _SCORES)),
            redacted=tuple(redacted),
            quality=tuple(quality),
            source=SourceRef(vendor=self.vendor, raw_id=span_id, url=self._str(record, _URL)),
        )

    def _oversized(self, record: _Context, field: int) -> bool:
        """True when a raw value behind ``field`` (before JSON decoding) is over the size note bar."""
        return any(
            isinstance(value := record.raw(read), str) and len(value) > OVERSIZED_VALUE_BYTES
            for read in record.layout.fields[field]
        )

    def _checked(self, record: _Context, field: int, redacted: list[str]) -> Any:
        value = self._get(record, field)
        if isinstance(value, str) and value in self._markers:
            redacted.append(FIELD_NAMES[field])
            return None
        return value

    def _messages(self, record: _Context, field: int, redacted: list[str]) -> tuple[Message, ...] | None:
        messages: tuple[Message, ...] | None = self._get(record, field)
        if messages and any(m.content in self._markers for m in messages if m.content):
            redacted.append(FIELD_NAMES[field])
        return messages

    def _llm(self, record: _Context, model: str | None, redacted: list[str]) -> LlmInfo:
        params = dict(self._get(record, _LLM_PARAMS) or {})
        for key, sources in record.layout.params:
            if key not in params:
                for read in sources:
                    value = _converted(record, read)
                    if not _is_empty(value):
                        params[key] = value
                        break
        tools = self._get(record, _LLM_TOOLS_OFFERED)
        return LlmInfo(
            provider=self._str(record, _LLM_PROVIDER),
            model=model,
            response_model=self._str(record, _LLM_RESPONSE_MODEL),
            params=params or None,
            input_messages=self._messages(record, _LLM_INPUT_MESSAGES, redacted),
            output_messages=self._messages(record, _LLM_OUTPUT_MESSAGES, redacted),
            tools_offered=_names(tools),
            usage=self._usage(record),
            cost_usd=as_float(self._get(record, _LLM_COST_USD)),
            finish_reasons=as_str_list(self._get(record, _LLM_FINISH_REASONS)) or (),
        )

    def _usage_only(self, record: _Context, kind: SpanKind) -> LlmInfo | None:
        """Token counts on a non-model span, and the tools an agent span offers; else None."""
        usage = self._usage(record)
        tools = _names(self._get(record, _LLM_TOOLS_OFFERED)) if kind is KIND_AGENT else None
        if usage.input_tokens is None and usage.output_tokens is None and usage.total_tokens is None:
            return LlmInfo(tools_offered=tools) if tools else None
        return LlmInfo(usage=usage, tools_offered=tools)

    def _usage(self, record: _Context) -> Usage:
        if not record.layout.usage:
            return Usage()  # what the five reads below give; most steps record no tokens
        return Usage(
            input_tokens=as_int(self._get(record, _LLM_USAGE_INPUT_TOKENS)),
            output_tokens=as_int(self._get(record, _LLM_USAGE_OUTPUT_TOKENS)),
            total_tokens=as_int(self._get(record, _LLM_USAGE_TOTAL_TOKENS)),
            reasoning_tokens=as_int(self._get(record, _LLM_USAGE_REASONING_TOKENS)),
            cached_input_tokens=as_int(self._get(record, _LLM_USAGE_CACHED_INPUT_TOKENS)),
        )

    def _tool(self, record: _Context, name: str | None, redacted: list[str]) -> ToolInfo:
        arguments = self._get(record, _TOOL_ARGUMENTS)
        result = self._get(record, _TOOL_RESULT)
        for field, value in (("tool.arguments", arguments), ("tool.result", result)):
            if isinstance(value, str) and value in self._markers:
                redacted.append(field)
        return ToolInfo(
            name=name,
            call_id=self._str(record, _TOOL_CALL_ID),
            arguments=None if "tool.arguments" in redacted else arguments,
            result=None if "tool.result" in redacted else result,
        )

    def _error(self, record: _Context, status: StatusCode) -> ErrorInfo | None:
        if status is not STATUS_ERROR and not record.layout.exception:
            return None  # what the reads below come to, without them: the usual step
        error_type = self._str(record, _ERROR_TYPE)
        recorded = self._str(record, _ERROR_MESSAGE)
        stacktrace = self._get(record, _ERROR_STACKTRACE)
        if status is not STATUS_ERROR and recorded is None and stacktrace is None:
            # Without ERROR status or a recorded exception, ``error.type`` alone is not a failure.
            return None
        return ErrorInfo(
            type=error_type,
            message=recorded or self._str(record, _STATUS_MESSAGE),
            has_stacktrace=bool(stacktrace),
        )


def _names(value: Any) -> tuple[str, ...] | None:
    """Tool names as a tuple of strings (``tool_names`` gives one already), or None."""
    if isinstance(value, tuple) and all(isinstance(name, str) for name in value):
        return value
    return as_str_list(value) if isinstance(value, (list, tuple)) else None


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
