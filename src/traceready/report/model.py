"""The audit report: a public, versioned format (``REPORT_FORMAT_VERSION``, JSON Schema shipped).

Everything in it is statistics and ids; no prompt or output content appears unless asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from traceready.connector import Inventory
from traceready.findings import Finding, Status
from traceready.instrumentation import Instrumentation

REPORT_FORMAT_VERSION = "1.2"
"""1.1 added ``instrumentations`` (the scopes, families and frameworks that wrote the spans), the optional
``agent`` and ``counts.sources``, and a criterion's ``summary`` (a presence read as a count).
1.2 added the optional ``maps_as`` (whose mapping and catalog read a file of another vendor's export)."""

PRIORITY = ("d", "a", "b", "e", "j", "f", "g", "c", "h", "i")
"""Order in which gaps block an improvement loop: without structure and full steps nothing else helps."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceCounts(_Frozen):
    """What one input of several (a file of a folder) gave: pulled = mapped + rejected, and losses."""

    name: str
    records_pulled: int
    spans_mapped: int
    records_rejected: int
    bytes_read: int | None = None
    """Decompressed bytes read from the file."""
    values_cut: int = 0
    """String values cut to a prefix for being over ``max_value_bytes``."""
    problem: str | None = None
    """What was lost: unreadable, or truncated after N bytes."""
    looks_like: str | None = None
    """What the input holds when it is not the expected format (e.g. a LangSmith runs export)."""


class Counts(_Frozen):
    """What was read: pulled = mapped + rejected."""

    records_pulled: int
    spans_mapped: int
    records_rejected: int
    rejections: dict[str, int]
    traces: int
    late_spans: int = 0
    data_quality: dict[str, int] = {}
    sources: tuple[SourceCounts, ...] = ()
    """Per input, when there were several or one had a problem (left out of JSON when empty)."""

    def accounting(self) -> str:
        """``21 pulled = 21 mapped + 0 rejected; 6 traces``."""
        return (
            f"{self.records_pulled} pulled = {self.spans_mapped} mapped + "
            f"{self.records_rejected} rejected; {self.traces} traces"
        )


class Sample(_Frozen):
    """A uniform sample of the window's traces: ratios are estimates with 95% intervals."""

    traces_drawn: int
    traces_in_window: int


class Overall(_Frozen):
    """The answer to the product's question, with what blocks it, most important first."""

    ready: bool
    score: float
    verdict: str
    blockers: tuple[str, ...]
    self_reported: tuple[str, ...]


class Agent(_Frozen):
    """The agent as the answers file describes it (self-reported), shown in the report's header."""

    description: str | None = None
    architecture: str | None = None
    """single (one agent) or multi (several agents)."""
    models: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    failure_taxonomy: str | None = None
    """The published taxonomy g recommends for it: TRAIL for one tool-using agent, MAST for several."""

    def describe(self) -> str:
        """The agent in one line."""
        parts = [self.description.rstrip(".")] if self.description else []
        if self.architecture:
            parts.append("one agent" if self.architecture == "single" else "several agents")
        if self.models:
            parts.append(f"models: {', '.join(self.models)}")
        if self.tools:
            parts.append(f"tools: {', '.join(self.tools)}")
        if self.failure_taxonomy:
            parts.append(f"failure taxonomy to use: {self.failure_taxonomy}")
        return "; ".join(parts) + " (self-reported)"


class Report(_Frozen):
    """One audit."""

    format_version: str = REPORT_FORMAT_VERSION
    tool_version: str
    generated_at: str
    connector: str
    maps_as: str | None = None
    """The connector whose mapping read the records and whose catalog has the fixes, when it is not
    ``connector`` (``langsmith`` for ``audit file`` on a LangSmith runs export); absent from the JSON
    otherwise."""
    vendor: str
    target: str
    window: str
    counts: Counts
    inventory: Inventory = Inventory()
    """Project facts the connector found beside the spans (None = the source cannot show it)."""
    instrumentations: tuple[Instrumentation, ...] = ()
    """Instrumentation scopes that wrote the spans (OTel sources), most spans first."""
    sample: Sample | None = None
    agent: Agent | None = None
    """What the agent is, when the answers file says (absent from the JSON otherwise)."""
    overall: Overall
    findings: tuple[Finding, ...]


_INVENTORY_LABELS = {"automation_rules": "active automation rules"}
"""Labels where the field name alone would mislead (rules count only the enabled ones)."""


def describe_inventory(inventory: Inventory) -> str | None:
    """The inventory in one line, or None when the source shows no project facts at all."""
    facts = inventory.model_dump(exclude_none=True, exclude={"experiment_versions"})
    if not facts:
        return None
    parts = []
    for key, value in facts.items():
        label = _INVENTORY_LABELS.get(key, key.replace("_", " "))
        if isinstance(value, tuple | list):
            parts.append(f"{label}: {', '.join(map(str, value)) or 'none'}")
        elif isinstance(value, datetime):
            parts.append(f"{label} {value.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
        else:
            parts.append(f"{label} {value}")
    if inventory.experiment_versions:
        parts.append(f"versions named by experiments: {', '.join(inventory.experiment_versions)}")
    return "; ".join(parts)


def describe_source(source: SourceCounts) -> str:
    """One input's line: what was pulled, mapped and rejected, and what was lost or is odd about it."""
    text = (
        f"{source.name}: {source.records_pulled} pulled = {source.spans_mapped} mapped + "
        f"{source.records_rejected} rejected"
    )
    if source.bytes_read is not None:
        text += f", {source.bytes_read:,} bytes read"
    if source.values_cut:
        text += f", {source.values_cut} long values cut to a prefix"
    if source.problem:
        text += f"; {source.problem}"
    if source.looks_like:
        text += f"; looks like {source.looks_like}"
    return text


def overall_of(findings: list[Finding]) -> Overall:
    """Ready only when all ten are PRESENT; UNKNOWN counts as 0 in the score, never as met."""
    # Observed gaps first (absent, then partial); unknowns need answers, not fixes, so they come last.
    order = {status: rank for rank, status in enumerate((Status.ABSENT, Status.PARTIAL, Status.UNKNOWN))}
    blockers = sorted(
        (f for f in findings if f.status is not Status.PRESENT),
        key=lambda f: (
            order[f.status],
            PRIORITY.index(f.requirement) if f.requirement in PRIORITY else 99,
        ),
    )
    score = round(sum(f.score for f in findings) / len(findings), 4) if findings else 0.0
    self_reported = tuple(f.requirement for f in findings if f.evidence.value == "self-reported")
    if not blockers:
        verdict = "Ready: every requirement is met"
        if self_reported:
            verdict += f" ({', '.join(self_reported)} self-reported)"
        verdict += "."
    else:
        parts = []
        for status in (Status.ABSENT, Status.PARTIAL, Status.UNKNOWN):
            ids = [f.requirement for f in blockers if f.status is status]
            if ids:
                parts.append(f"{status.value.lower()}: {', '.join(ids)}")
        first = blockers[0]
        verdict = f"Not ready ({'; '.join(parts)})."
        if first.status is Status.UNKNOWN:
            verdict += " Report what traces cannot show with --answers (see traceready's README)."
        else:
            verdict += f" Fix first: {first.requirement}) {first.title}."
    return Overall(
        ready=not blockers,
        score=score,
        verdict=verdict,
        blockers=tuple(f.requirement for f in blockers),
        self_reported=self_reported,
    )
