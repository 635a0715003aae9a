"""The enumerations of the shared model (``traceready.model`` re-exports them).

Kept out of the compiled ``model`` module: mypyc replaces a compiled enum's docstring, and the
published span schema carries these docstrings as descriptions.
"""

from __future__ import annotations

from enum import StrEnum


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
        if isinstance(value, str):
            folded = value.strip().lower()
            for member in cls:
                if member.value == folded:
                    return member
        return cls.UNKNOWN


class StatusCode(StrEnum):
    """OTel span status."""

    UNSET = "unset"
    OK = "ok"
    ERROR = "error"

    @classmethod
    def _missing_(cls, value: object) -> StatusCode:
        if isinstance(value, str):
            folded = value.strip().lower().removeprefix("status_code_")
            for member in cls:
                if member.value == folded:
                    return member
        return cls.UNSET
