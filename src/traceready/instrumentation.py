"""Which instrumentation wrote the spans: scope names and versions, the SDK, the framework.

OTel records carry their instrumentation scope (``scope``) and the resource's ``telemetry.sdk.*``;
from the scope name follows the family of conventions (OpenInference, OpenLLMetry, OTel GenAI,
Strands, pydantic-ai, Google ADK) and the framework it instruments. The report names what was detected, and
recommendations fit the family (``Catalog.for_gaps``): a trace whose OpenInference instrumentation
hides inputs gets OpenInference's switch, not the OTel GenAI capture variable.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

_FAMILIES: tuple[tuple[str, str, str | None], ...] = (
    # (scope name prefix, family, framework); the first match wins.
    ("openinference.instrumentation.langchain", "openinference", "langchain"),
    ("openinference.instrumentation.openai_agents", "openinference", "openai-agents"),
    ("openinference.instrumentation.smolagents", "openinference", "smolagents"),
    ("openinference.instrumentation.llama_index", "openinference", "llama-index"),
    ("openinference.instrumentation.crewai", "openinference", "crewai"),
    ("openinference.instrumentation.google_adk", "openinference", "google-adk"),
    ("openinference.instrumentation.openai", "openinference", "openai"),
    ("openinference.instrumentation", "openinference", None),
    ("opentelemetry.instrumentation.langchain", "openllmetry", "langchain"),
    ("opentelemetry.instrumentation.openai_agents", "openllmetry", "openai-agents"),
    ("opentelemetry.instrumentation.openai_v2", "otel-genai", "openai"),
    ("opentelemetry.util.genai", "otel-genai", None),
    ("opentelemetry.instrumentation.openai", "openllmetry", "openai"),
    ("traceloop", "openllmetry", None),
    ("strands.telemetry", "strands", "strands-agents"),
    ("gcp.vertex.agent", "google-adk", "google-adk"),
    ("pydantic-ai", "pydantic-ai", "pydantic-ai"),
    ("logfire", "pydantic-ai", None),
)

FAMILIES = frozenset(family for _, family, _ in _FAMILIES)
"""The convention families recommendations may be fitted to (``<gap>@<family>`` catalog keys)."""


class Instrumentation(BaseModel):
    """One instrumentation scope seen in the spans."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str
    version: str | None = None
    family: str | None = None
    """Conventions it writes: openinference, openllmetry, otel-genai, strands, pydantic-ai, google-adk."""
    framework: str | None = None
    sdk: str | None = None
    """The OTel SDK that exported it (``telemetry.sdk.name`` language version)."""
    spans: int


def classify(scope: str) -> tuple[str | None, str | None]:
    """The family and framework of a scope name (None, None when it is not one traceready knows)."""
    for prefix, family, framework in _FAMILIES:
        if scope.startswith(prefix):
            return family, framework
    return None, None


class InstrumentationTally:
    """Counts spans per (scope, version, SDK) as raw records stream by; mergeable."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str | None, str | None], int] = {}

    def observe(self, record: dict[str, Any]) -> None:
        """Count one raw OTel record by its scope; records without a scope are not counted."""
        scope = record.get("scope")
        if not isinstance(scope, dict) or not isinstance(name := scope.get("name"), str) or not name:
            return
        version = scope.get("version")
        resource = record.get("resource")
        key = (
            name,
            version if isinstance(version, str) and version else None,
            _sdk(resource) if isinstance(resource, dict) else None,
        )
        self.counts[key] = self.counts.get(key, 0) + 1

    def merge(self, other: InstrumentationTally) -> None:
        """Add the counts of a later part of the window."""
        for key, amount in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + amount

    def detected(self) -> tuple[Instrumentation, ...]:
        """The scopes seen, most spans first (ties by name)."""
        found = []
        for (scope, version, sdk), spans in self.counts.items():
            family, framework = classify(scope)
            found.append(
                Instrumentation(
                    scope=scope, version=version, family=family, framework=framework, sdk=sdk, spans=spans
                )
            )
        return tuple(sorted(found, key=lambda i: (-i.spans, i.scope, i.version or "")))


def _sdk(resource: dict[str, Any]) -> str | None:
    parts = [resource.get(f"telemetry.sdk.{key}") for key in ("name", "language", "version")]
    text = " ".join(str(p) for p in parts if isinstance(p, str | int) and p != "")
    return text or None


def families(detected: tuple[Instrumentation, ...]) -> tuple[str, ...]:
    """The convention families detected, most spans first."""
    return tuple(dict.fromkeys(i.family for i in detected if i.family is not None))


def describe(detected: tuple[Instrumentation, ...]) -> str | None:
    """The instrumentations in one line, or None when the source records none."""
    parts = []
    for item in detected:
        text = item.scope + (f" {item.version}" if item.version else "")
        about = ", ".join(p for p in (item.family, item.framework) if p)
        parts.append(f"{text} ({about}; {item.spans} spans)" if about else f"{text} ({item.spans} spans)")
    sdks = sorted({i.sdk for i in detected if i.sdk})
    if sdks:
        parts.append("SDK " + ", ".join(sdks))
    return "; ".join(parts) or None
