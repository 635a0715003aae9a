"""f) Baseline snapshots: a harness or prompt version on every trace, tied to performance data."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from traceready.answers import Answers, known
from traceready.checks.base import Check, Context, Metric, Reported, Trace
from traceready.findings import Finding, Ratio, Status

_MAX_VERSIONS = 64


class BaselinesCheck(Check):
    """Traces say which build ran, and versions can be compared on scores."""

    id: ClassVar[str] = "f"
    title: ClassVar[str] = "Baseline snapshots"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "f.traces_with_version",
            "traces with a harness or prompt version",
            "f.version_missing",
            core=True,
            weight=2.0,
        ),
        Metric(
            "f.versioned_traces_with_scores",
            "versioned traces tied to scores or experiments",
            "f.versions_not_linked_to_scores",
        ),
    )
    extra_gaps: ClassVar[tuple[str, ...]] = ("f.single_version", "f.harness_not_in_version_control")

    def __init__(self, thresholds: object = None) -> None:
        super().__init__(thresholds)  # type: ignore[arg-type]
        self._traces_with_version = self.counter("f.traces_with_version")
        self._versioned_traces_with_scores = self.counter("f.versioned_traces_with_scores")
        self.versions: dict[str, None] = {}
        self.unscored: Counter[str] = Counter()
        """Versioned traces without scores, by version: linked later if an experiment names it."""

    def merge(self, other: BaselinesCheck) -> None:
        """Add counters and the versions seen.

        Exact while the parts together met at most ``_MAX_VERSIONS`` versions without scores: past
        that bound a part files its later versions under ``(other)`` by its own order of meeting them.
        """
        super().merge(other)
        self.unscored.update(other.unscored)
        for version in other.versions:
            if len(self.versions) < _MAX_VERSIONS:
                self.versions.setdefault(version)

    def observe(self, trace: Trace) -> None:
        """Count versioned traces and whether scores accompany them."""
        roots = trace.roots()
        root = roots[0] if roots else trace.spans[0]
        version = next(
            (
                s.versions.harness or s.versions.prompt
                for s in trace.spans
                if s.versions.harness or s.versions.prompt
            ),
            None,
        )
        self.count_into(self._traces_with_version, version is not None, root)
        if version is not None:
            if len(self.versions) < _MAX_VERSIONS:
                self.versions.setdefault(version)
            scored = any(s.scores for s in trace.spans)
            self.count_into(self._versioned_traces_with_scores, scored, root)
            if not scored:
                self.unscored[version if len(self.unscored) < _MAX_VERSIONS else "(other)"] += 1

    def finish(self, context: Context) -> Finding:
        """Level the ratios; inventory experiments that carry a version count as linked."""
        ratios = self.ratios()
        named = set(context.inventory.experiment_versions)
        linked = sum(count for version, count in self.unscored.items() if version in named)
        if linked:
            # Traces of a version an experiment was scored on are tied to performance data too.
            ratios[1] = ratios[1].model_copy(update={"numerator": ratios[1].numerator + linked})
        notes, gaps = [], []
        if len(self.versions) < 2 and self.tally.numerators.get("f.traces_with_version", 0):
            notes.append(f"{len(self.versions)} version observed; comparing versions needs at least 2.")
            gaps.append("f.single_version")
        in_vcs = known(context.answers.versioning.harness_in_version_control)
        if in_vcs is False:
            gaps.append("f.harness_not_in_version_control")
            notes.append("The harness is not under version control (self-reported).")
        elif in_vcs:
            notes.append("The harness is under version control (self-reported).")
        breakdown = [
            Ratio(
                metric="f.distinct_versions",
                numerator=min(len(self.versions), 2),
                denominator=2,
                label="distinct versions needed to compare",
                scored=False,
            )
        ]
        finding = self.verdict(
            ratios,
            breakdown=breakdown,
            notes=notes,
            extra_gaps=[g for g in gaps if g != "f.single_version"],
            empty_reason="No traces were observed.",
        )
        if "f.single_version" in gaps:
            finding = finding.model_copy(update={"gaps": (*finding.gaps, "f.single_version")})
        return finding

    def reported(self, answers: Answers) -> Reported | None:
        """The harness version on every trace (the core), and the harness under version control."""
        on_traces = answers.versioning.version_on_traces
        in_vcs = answers.versioning.harness_in_version_control
        not_in_vcs = ("f.harness_not_in_version_control",) if in_vcs is False else ()
        if on_traces is True:
            if in_vcs is False:
                return Reported(
                    Status.PARTIAL,
                    "Traces record a harness version, but the harness is not under version control.",
                    not_in_vcs,
                )
            return Reported(Status.PRESENT, "Every trace records the version of the harness that ran.")
        if on_traces is False:
            return Reported(
                Status.ABSENT, "Traces do not record the harness version.", ("f.version_missing", *not_in_vcs)
            )
        if in_vcs is False:
            return Reported(
                Status.ABSENT, "The harness is not under version control.", ("f.version_missing", *not_in_vcs)
            )
        if on_traces is not None:
            return Reported(Status.UNKNOWN, "Not sure whether traces record the harness version.")
        if in_vcs is True:
            return Reported(
                Status.PARTIAL,
                "The harness is under version control; nothing says its version is recorded on traces.",
                ("f.version_missing",),
            )
        return None
