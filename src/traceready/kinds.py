"""The enumerations of the shared model (``traceready.model`` re-exports them).

Kept out of the compiled ``model`` module: mypyc replaces a compiled enum's docstring, and the
published span schema carries these docstrings as descriptions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

_E = TypeVar("_E", bound=StrEnum)


def _folded(cls: type[_E], value: object, prefix: str, default: _E) -> _E:
    """The member whose value is ``value`` trimmed, lower-cased and without ``prefix``; else default."""
    if isinstance(value, str):
        folded = value.strip().lower().removeprefix(prefix)
        for member in cls:
            if member.value == folded:
                return member
    return default


class SpanKind(StrEnum):
    """What a step is; vendor strings fold into it case-insensitively, unknown ones to UNKNOWN."""

    AGENT = "agent"
    LLM = "llm"
    TOOL = "tool"
    CHAIN = "chain"
    RETRIEVER = "retriever"
    EMBEDDING = "embedding"
    RERANKER = "reranker"
    DECISION = "decision"
    EVALUATOR = "evaluator"
    GUARDRAIL = "guardrail"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> SpanKind:
        return _folded(cls, value, "", cls.UNKNOWN)


class StatusCode(StrEnum):
    """OTel span status."""

    UNSET = "unset"
    OK = "ok"
    ERROR = "error"

    @classmethod
    def _missing_(cls, value: object) -> StatusCode:
        return _folded(cls, value, "status_code_", cls.UNSET)
