"""Dotted paths into raw records, compiled once per mapping spec.

A path such as ``attributes.metadata.harness_version`` names a root key (``attributes``) and a rest
(``metadata.harness_version``). The rest is looked up first as one flat key (OTel attributes are
flat: ``gen_ai.request.model``), then by walking nested dicts (LangSmith's ``extra.metadata``),
trying the longest key at each level so flat and nested spellings both resolve. A JSON object held
as a string on the way (OpenInference ``metadata``) is decoded and walked into.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Path:
    """A compiled dotted path."""

    text: str
    root: str
    rest: str
    parts: tuple[str, ...]
    prefixes: tuple[tuple[str, tuple[str, ...]], ...]
    """Proper dotted prefixes of ``rest``, longest first, with the parts after each."""

    @classmethod
    def parse(cls, text: str) -> Path:
        """Compile ``root.rest``; a bare ``root`` selects the whole root value."""
        root, _, rest = text.partition(".")
        parts = tuple(rest.split(".")) if rest else ()
        prefixes = tuple((".".join(parts[:cut]), parts[cut:]) for cut in range(len(parts) - 1, 0, -1))
        return cls(text, root, rest, parts, prefixes)

    def get(self, record: dict[str, Any]) -> Any:
        """The value at this path, or None when any step is missing."""
        base = record.get(self.root)
        if not self.rest:
            return base
        if not isinstance(base, dict):
            return None
        value = base.get(self.rest)
        if value is not None:
            return value
        # The hot path is a miss on a flat dict: a few look-ups of the prefixes, no string work.
        for prefix, remainder in self.prefixes:
            node = base.get(prefix)
            if node is not None:
                found = walk(node, remainder)
                if found is not None:
                    return found
        return None


def walk(node: Any, parts: tuple[str, ...]) -> Any:
    """Walk nested dicts (JSON object strings decoded), at each level trying the longest key first."""
    if not parts:
        return node
    if isinstance(node, str) and node.startswith("{"):
        node = decode_json_object(node)
    if not isinstance(node, dict):
        return None
    for cut in range(len(parts), 0, -1):
        key = parts[0] if cut == 1 else ".".join(parts[:cut])
        if key in node:
            found = walk(node[key], parts[cut:])
            if found is not None:
                return found
    return None


@lru_cache(maxsize=1024)
def decode_json_object(text: str) -> dict[str, Any] | None:
    """Decode a JSON object held in a string, or None when it is not one.

    Cached: one span's metadata string is walked into for several fields. Callers only read it.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def items_under(mapping: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Flat keys below ``prefix.`` with the prefix removed (``llm.input_messages.0.x`` -> ``0.x``)."""
    head = prefix + "."
    cut = len(head)
    return {key[cut:]: value for key, value in mapping.items() if key.startswith(head)}


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Nest dotted keys into dicts (``0.message.role`` -> ``{"0": {"message": {"role": ...}}}``).

    A key that is both a leaf and a prefix keeps its leaf under ``""`` so nothing is lost.
    """
    return unflatten_parts([(tuple(key.split(".")), value) for key, value in flat.items()])


def unflatten_parts(flat: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """As ``unflatten``, for keys already split at their dots (the mapper splits them once)."""
    root: dict[str, Any] = {}
    for parts, value in flat:
        node = root
        heads, last = parts[:-1], parts[-1]
        for head in heads:
            child = node.get(head)
            if not isinstance(child, dict):
                child = {} if child is None else {"": child}
                node[head] = child
            node = child
        if isinstance(node.get(last), dict):
            node[last][""] = value
        else:
            node[last] = value
    return root


def indexed(node: Any) -> list[Any]:
    """The values of a dict keyed by ``"0"``, ``"1"``... in numeric order, or a list as it is."""
    if isinstance(node, list):
        return node
    if not isinstance(node, dict):
        return []
    numbered = sorted(
        (int(key), value)
        for key, value in node.items()
        if isinstance(key, str) and key.isascii() and key.isdigit()
    )
    return [value for _, value in numbered]
