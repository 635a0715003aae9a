"""Which instrumentation wrote the spans: scope names and versions, the SDK, the framework.

OTel records carry their instrumentation scope (``scope``) and the resource's ``telemetry.sdk.*``;
from the scope name follows the family of conventions (OpenInference, OpenLLMetry, OTel GenAI,
Strands, pydantic-ai, Google ADK) and the framework it instruments. Vendor records name theirs
in the payload: a LangSmith run its tracer library and SDK (``extra.runtime``) and the framework
(``extra.metadata.ls_integration``, LangGraph's ``langgraph_*`` metadata), a Braintrust row the SDK
and the integration that made it (``context.span_origin``). The report names what was detected, and
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
    # The OTel project's GenAI instrumentations (opentelemetry-python-genai, on util-genai).
    ("opentelemetry.instrumentation.genai.openai_agents", "otel-genai", "openai-agents"),
    ("opentelemetry.instrumentation.genai.openai", "otel-genai", "openai"),
    ("opentelemetry.instrumentation.genai.", "otel-genai", None),
    ("opentelemetry.util.genai", "otel-genai", None),
    ("opentelemetry.instrumentation.openai", "openllmetry", "openai"),
    ("traceloop", "openllmetry", None),
    ("strands.telemetry", "strands", "strands-agents"),
    ("gcp.vertex.agent", "google-adk", "google-adk"),
    ("pydantic-ai", "pydantic-ai", "pydantic-ai"),
    ("logfire", "pydantic-ai", None),
    # Vendor SDKs (scope names built by _vendor_scope). The family is whose conventions shape the
    # run: LangChain's tracer (LangGraph included), the Agents SDK's spans, else the vendor SDK's own.
    ("langsmith:langgraph", "langchain", "langgraph"),
    ("langsmith:langchain", "langchain", "langchain"),
    ("langsmith:", "langsmith", None),
    ("braintrust:openai-agents", "openai-agents", "openai-agents"),
    ("braintrust:openai", "braintrust", "openai"),
    ("braintrust:anthropic", "braintrust", "anthropic"),
    ("braintrust:", "braintrust", None),
)

_UNVERSIONED: dict[str, tuple[str, str]] = {
    # A scope name two instrumentations share, told apart by the version only one of them writes:
    # OpenLLMetry's opentelemetry-instrumentation-openai-agents names its tracer with its version;
    # the OTel project's opentelemetry-instrumentation-openai-agents-v2 (0.1.0) with "".
    "opentelemetry.instrumentation.openai_agents": ("otel-genai", "openai-agents"),
}

FAMILIES = frozenset(family for _, family, _ in _FAMILIES)
"""The convention families recommendations may be fitted to (``<gap>@<family>`` catalog keys)."""


class Instrumentation(BaseModel):
    """One instrumentation scope seen in the spans."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str
    """The OTel instrumentation scope (vendor runs: ``langsmith:<tracer>``, ``braintrust:<integration>``)."""
    version: str | None = None
    family: str | None = None
    """Conventions it writes: openinference, openllmetry, otel-genai, strands, pydantic-ai, google-adk;
    in vendor runs langchain, openai-agents, or the vendor SDK's own (langsmith, braintrust)."""
    framework: str | None = None
    sdk: str | None = None
    """The OTel SDK that exported it (``telemetry.sdk.name`` language version); for vendor runs the
    vendor SDK (``langsmith-py 0.15.1 (langchain-core 1.8.3)``, ``braintrust.sdk.python 0.48.1``)."""
    spans: int


def classify(scope: str, version: str | None = None) -> tuple[str | None, str | None]:
    """The family and framework of a scope (None, None when it is not one traceready knows)."""
    if version is None and scope in _UNVERSIONED:
        return _UNVERSIONED[scope]
    for prefix, family, framework in _FAMILIES:
        if scope.startswith(prefix):
            return family, framework
    return None, None


class InstrumentationTally:
    """Counts spans per (scope, version, SDK) as raw records stream by; mergeable."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str | None, str | None], int] = {}
        self._last: tuple[object, object, tuple[str, str | None, str | None] | None] = (None, None, None)
        """The scope and resource objects of the last OTel record and their key: the spans of one
        export block share both dicts, so their key is worked out once a block (held, so neither
        object can be freed and its id reused)."""

    def observe(self, record: dict[str, Any]) -> None:
        """Count one raw record by its scope; records that name no instrumentation are not counted."""
        scope = record.get("scope")
        if not isinstance(scope, dict):
            key = _vendor_scope(record)
        else:
            resource = record.get("resource")
            last_scope, last_resource, key = self._last
            if scope is not last_scope or resource is not last_resource:
                key = _otel_scope(scope, resource)
                self._last = (scope, resource, key)
        if key is not None:
            self.counts[key] = self.counts.get(key, 0) + 1

    def merge(self, other: InstrumentationTally) -> None:
        """Add the counts of a later part of the window."""
        for key, amount in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + amount

    def detected(self) -> tuple[Instrumentation, ...]:
        """The scopes seen, most spans first (ties by name)."""
        found = []
        for (scope, version, sdk), spans in self.counts.items():
            family, framework = classify(scope, version)
            found.append(
                Instrumentation(
                    scope=scope, version=version, family=family, framework=framework, sdk=sdk, spans=spans
                )
            )
        return tuple(sorted(found, key=lambda i: (-i.spans, i.scope, i.version or "")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _vendor_scope(record: dict[str, Any]) -> tuple[str, str | None, str | None] | None:
    """(scope, version, SDK) of a LangSmith run or a Braintrust row, from what its SDK wrote.

    LangSmith (langsmith ``RunTree``, langchain-core ``LangChainTracer``): ``extra.runtime`` names
    the SDK (``sdk``, ``sdk_version``) and the tracing library (``library``: ``langsmith`` for
    ``@traceable``/``wrap_*``, ``langchain-core`` for LangChain); LangGraph stamps
    ``ls_integration: langgraph`` and ``langgraph_*`` keys on the metadata of its runs. Braintrust
    (``span_origin.py``): ``context.span_origin`` holds the SDK name and version and the integration
    that made the span (``instrumentation.name``: ``openai-auto``, ``openai-agents-auto``, …).
    """
    context = record.get("context")
    if isinstance(context, dict) and isinstance(origin := context.get("span_origin"), dict):
        made_by = origin.get("instrumentation")
        integration = _text(made_by.get("name")) if isinstance(made_by, dict) else None
        # The integration ships in the SDK: its version is the SDK's, named once, with the SDK.
        sdk = " ".join(p for p in (_text(origin.get("name")), _text(origin.get("version"))) if p)
        return f"braintrust:{integration or 'sdk'}", None, sdk or None
    extra = record.get("extra")
    if not isinstance(extra, dict) or not isinstance(runtime := extra.get("runtime"), dict):
        return None
    metadata = extra.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    library = _text(runtime.get("library"))
    integration = _text(metadata.get("ls_integration")) or ""
    if integration == "langgraph" or "langgraph_node" in metadata:
        tracer = "langgraph"
    elif integration.startswith("langchain") or library == "langchain-core":
        tracer = "langchain"
    elif library == "langsmith":
        tracer = "traceable"  # @traceable, and wrap_openai / wrap_anthropic built on it
    else:
        tracer = library or "sdk"
    # The tracer has no version of its own: the SDK's, and the tracing library's when it is another.
    sdk = " ".join(p for p in (_text(runtime.get("sdk")), _text(runtime.get("sdk_version"))) if p)
    version = _text(runtime.get("library_version"))
    if library and version and library != "langsmith":
        sdk = f"{sdk} ({library} {version})" if sdk else f"{library} {version}"
    return f"langsmith:{tracer}", None, sdk or None


def _otel_scope(scope: dict[str, Any], resource: Any) -> tuple[str, str | None, str | None] | None:
    """(scope, version, SDK) of an OTel record; None when its scope has no name."""
    if not isinstance(name := scope.get("name"), str) or not name:
        return None
    version = scope.get("version")
    return (
        name,
        version if isinstance(version, str) and version else None,
        _sdk(resource) if isinstance(resource, dict) else None,
    )


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
        about = ", ".join(dict.fromkeys(p for p in (item.family, item.framework) if p))
        parts.append(f"{text} ({about}; {item.spans} spans)" if about else f"{text} ({item.spans} spans)")
    sdks = sorted({i.sdk for i in detected if i.sdk})
    if sdks:
        parts.append("SDK " + ", ".join(sdks))
    return "; ".join(parts) or None
