"""g) Failure classification: failures carry a category, not just a stack trace.

Mechanical classes come from ``error.type``, exception types and finish reasons. A taxonomy of
agent failures labels the rest; we recommend published ones: TRAIL (Deshpande et al., 2025,
"TRAIL: Trace Reasoning and Agentic Issue Localization", arXiv:2505.08638) for single tool-using
agents, MAST (Cemri et al., 2025, "Why Do Multi-Agent LLM Systems Fail?", arXiv:2503.13657) for
multi-agent systems.
"""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers, known
from traceready.checks.base import Check, Context, Metric, Reported, Trace
from traceready.checks.thresholds import Thresholds
from traceready.findings import Evidence, Finding, Ratio, Status
from traceready.model import KIND_LLM, Span

FAILURE_FINISH_REASONS = {
    "length": "max_tokens",
    "max_tokens": "max_tokens",
    "content_filter": "content_filter",
    "error": "other",
}

_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("timeout", ("timeout", "timedout", "deadline", "408", "504")),
    ("rate_limit", ("ratelimit", "rate_limit", "429", "toomanyrequests", "throttl")),
    ("auth", ("authentication", "permissiondenied", "unauthorized", "forbidden", "401", "403")),
    (
        "invalid_tool_arguments",
        (
            "validationerror",
            "jsondecodeerror",
            "invalidargument",
            "typeerror",
            "keyerror",
            "valueerror",
            "badrequest",
            "400",
        ),
    ),
    ("max_tokens", ("maxtokens", "length", "context_length", "contextwindow")),
    ("network", ("connection", "apiconnection", "network", "unavailable", "503", "502")),
)
MECHANICAL_CLASSES = (*(name for name, _ in _CLASSES), "content_filter", "other")


def classify(error_type: str) -> str:
    """A mechanical failure class from an error type, exception name or code."""
    folded = error_type.lower().replace(".", "").replace(" ", "")
    for name, needles in _CLASSES:
        if any(needle in folded for needle in needles):
            return name
    return "other"


def failure_class(span: Span) -> str | None:
    """The mechanical class of a failed step, or None when it carries no type at all."""
    if span.error is not None and span.error.type:
        return classify(span.error.type)
    if span.llm is not None:
        for reason in span.llm.finish_reasons:
            if reason.lower() in FAILURE_FINISH_REASONS:
                return FAILURE_FINISH_REASONS[reason.lower()]
    return None


_LABELS = "labels:"
_SEPARATOR = "\x1f"
"""Facts ``labels:<name>\x1f<name>`` count failed steps by the label names their trace carries."""


def _is_failure(span: Span) -> bool:
    if span.is_failed:
        return True
    info = span.llm
    return (
        span.kind is KIND_LLM
        and info is not None
        and any(r.lower() in FAILURE_FINISH_REASONS for r in info.finish_reasons)
    )


class FailuresCheck(Check):
    """Failed steps say what kind of failure they were."""

    id: ClassVar[str] = "g"
    title: ClassVar[str] = "Failure classification"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "g.failures_with_type",
            "failed steps with an error type or failure finish reason",
            "g.failure_type_missing",
            core=True,
            weight=2.0,
        ),
        Metric(
            "g.failures_labelled",
            "failed steps whose trace carries a categorical label",
            "g.failures_unlabelled",
        ),
    )
    extra_gaps: ClassVar[tuple[str, ...]] = ("g.no_failure_taxonomy",)

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._failures_with_type = self.counter("g.failures_with_type")
        self._failures_labelled = self.counter("g.failures_labelled")

    def observe(self, trace: Trace) -> None:
        """Count failures, their mechanical class and whether the trace is labelled."""
        names: list[str] | None = None
        for span in trace.spans:
            if not _is_failure(span):
                continue
            if names is None:  # most traces hold no failure: gather label names only for one
                names = sorted({score.name for s in trace.spans for score in s.scores if score.label})
            category = failure_class(span)
            self.fact(f"class.{category or 'untyped'}")
            detail = span.error.type if span.error and span.error.type else None
            self.count_into(self._failures_with_type, category is not None, span, detail=detail)
            self.count_into(self._failures_labelled, bool(names), span)
            if names:
                # Which labels: at the end, only a failure taxonomy's labels classify a failure.
                self.fact(_LABELS + _SEPARATOR.join(names))

    def _only_taxonomy_labels(self, labelled: Ratio, taxonomies: set[str]) -> tuple[Ratio, str | None]:
        """Count a labelled failure only when a label comes from a failure taxonomy the vendor holds.

        An evaluator's ``correctness: incorrect`` says that a trace went wrong, not what kind of failure
        it was; counting it would make g PRESENT on labels no meta-agent can act on.
        """
        by_names = {
            key.removeprefix(_LABELS): n for key, n in self.tally.facts.items() if key.startswith(_LABELS)
        }
        taxonomy_labelled = sum(n for key, n in by_names.items() if taxonomies & set(key.split(_SEPARATOR)))
        if taxonomy_labelled == labelled.numerator:
            return labelled, None
        others = sorted({name for key in by_names for name in key.split(_SEPARATOR)} - taxonomies)
        note = (
            f"{labelled.numerator - taxonomy_labelled} labelled failed steps carry no failure-taxonomy label"
            f" (labels seen: {', '.join(others) or 'unnamed'}), so they are not counted as classified."
        )
        return labelled.model_copy(update={"numerator": taxonomy_labelled}), note

    def finish(self, context: Context) -> Finding:
        """Level the ratios; a taxonomy comes from the inventory or the answers file."""
        facts = self.tally.facts
        total = sum(v for k, v in facts.items() if k.startswith("class."))
        breakdown = [
            Ratio(
                metric=f"g.class.{name}",
                numerator=facts[f"class.{name}"],
                denominator=total,
                label=f"failures classed {name.replace('_', ' ')}",
                scored=False,
            )
            for name in (*MECHANICAL_CLASSES, "untyped")
            if facts[f"class.{name}"]
        ]
        taxonomies = context.inventory.failure_taxonomies
        reported = reported_taxonomy(context.answers)
        notes, gaps = [], []
        ratios = self.ratios()
        if taxonomies is not None:
            ratios[1], note = self._only_taxonomy_labels(ratios[1], set(taxonomies))
            notes += [note] if note else []
        evidence = Evidence.OBSERVED
        if taxonomies:
            notes.append(f"Failure taxonomy configured: {', '.join(taxonomies)}.")
        elif reported:
            notes.append(f"Failure taxonomy in use: {reported} (self-reported).")
            if self.tally.denominators.get("g.failures_labelled", 0) and not self.tally.numerators.get(
                "g.failures_labelled", 0
            ):
                notes.append(
                    f"Contradiction: {reported} is reported in use, but no observed failure carries a label."
                )
        else:
            gaps.append("g.no_failure_taxonomy")
            advice = taxonomy_advice(context.answers)
            if total and advice is not None:
                notes.append(advice)
        if not total and reported and not taxonomies:
            evidence = Evidence.SELF_REPORTED
        return self.verdict(
            ratios,
            evidence=evidence,
            breakdown=breakdown,
            notes=notes,
            extra_gaps=gaps if total else [],
            empty_reason="No failed step was observed, so classification cannot be judged.",
        )

    def reported(self, answers: Answers) -> Reported | None:
        """Failed steps logged with an error type (the core), and labelled by a taxonomy."""
        errors, taxonomy = answers.logging.errors, reported_taxonomy(answers)
        if errors is None:
            return None
        if errors == "unknown":
            return Reported(Status.UNKNOWN, "Not sure what is logged when a step fails.")
        missing = () if taxonomy else ("g.no_failure_taxonomy",)
        advice = taxonomy_advice(answers)
        notes = (advice,) if advice is not None and not taxonomy else ()
        if errors == "typed":
            if taxonomy:
                return Reported(
                    Status.PRESENT,
                    f"Failed steps are logged with an error type, and labelled with {taxonomy}.",
                )
            return Reported(
                Status.PARTIAL,
                "Failed steps are logged with an error type, but no failure taxonomy labels them.",
                missing,
                notes,
            )
        logged = "only a message or a stack trace" if errors == "message" else "nothing"
        return Reported(
            Status.ABSENT,
            f"A failed step logs {logged}, no error type.",
            ("g.failure_type_missing", *missing),
            notes,
        )


def reported_taxonomy(answers: Answers) -> str | None:
    """The failure taxonomy the answers name; None for none, not sure, or no answer."""
    taxonomy: str | None = known(answers.failures.taxonomy)
    return None if taxonomy is None or taxonomy.strip().lower() in ("", "none", "no") else taxonomy


def taxonomy_advice(answers: Answers) -> str | None:
    """Which published taxonomy fits the agent described: TRAIL for one agent, MAST for several.

    None when the answers do not describe it; the catalog's advice then names both.
    """
    architecture: str | None = known(answers.agent.architecture)
    if architecture == "multi":
        return (
            "Label failures with MAST (Cemri et al., 2025, arXiv:2503.13657): the agent is described "
            "as several agents (self-reported)."
        )
    if architecture == "single":
        return (
            "Label failures with TRAIL (Deshpande et al., 2025, arXiv:2505.08638): the agent is described "
            "as one tool-using agent (self-reported)."
        )
    return None
