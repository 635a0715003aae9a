"""i) Sandboxed execution: experiments run apart from production.

Spans rarely show this: experiment projects in the inventory and environment tags on spans are
observed evidence; then the answers file, marked self-reported; then the vendor's own deployment
environments (a production one beside a non-production one), which show that versions are staged
but not that experiments run apart, so they earn PARTIAL at most.
"""

from __future__ import annotations

from typing import ClassVar

from traceready.answers import Answers
from traceready.checks.base import Check, Context, Metric, Reported, Trace
from traceready.findings import Evidence, Finding, Status

NON_PRODUCTION = ("dev", "test", "stag", "sandbox", "experiment", "eval", "local", "ci", "qa")
_MAX_ENVIRONMENTS = 32


def is_production(environment: str) -> bool:
    """True unless the environment name says development, test, staging or experiment."""
    folded = environment.lower()
    return not any(word in folded for word in NON_PRODUCTION)


def _spans_both(environments: list[str] | tuple[str, ...]) -> bool:
    """True when the names include a production and a non-production environment."""
    return any(is_production(e) for e in environments) and any(not is_production(e) for e in environments)


class SandboxCheck(Check):
    """Experiment runs are kept apart from production runs."""

    id: ClassVar[str] = "i"
    title: ClassVar[str] = "Sandboxed execution"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(
            "i.spans_with_environment",
            "spans tagged with their environment",
            "i.environment_missing",
            scored=False,
        ),
    )
    extra_gaps: ClassVar[tuple[str, ...]] = (
        "i.no_sandbox_evidence",
        "i.prod_and_experiments_mixed",
        "i.no_isolation",
    )

    def __init__(self, thresholds: object = None) -> None:
        super().__init__(thresholds)  # type: ignore[arg-type]
        self.environments: dict[str, None] = {}

    def merge(self, other: SandboxCheck) -> None:
        """Add counters and the environments seen."""
        super().merge(other)
        for name in other.environments:
            if len(self.environments) < _MAX_ENVIRONMENTS:
                self.environments.setdefault(name)

    def observe(self, trace: Trace) -> None:
        """Count environment tags."""
        for span in trace.spans:
            self.count("i.spans_with_environment", span.environment is not None, span)
            if span.environment and len(self.environments) < _MAX_ENVIRONMENTS:
                self.environments.setdefault(span.environment)

    def finish(self, context: Context) -> Finding:
        """Decide from inventory, environment tags, then the answers file."""
        ratios = self.ratios()
        envs = sorted(self.environments)
        experiments = context.inventory.experiment_projects
        isolated = context.answers.sandbox.experiments_isolated
        mixed = _spans_both(envs)
        notes = [f"Environments seen: {', '.join(envs)}."] if envs else []
        staged = context.inventory.environments
        if staged:
            notes.append(f"Vendor environments: {', '.join(staged)}.")
        if experiments:
            status, evidence, reason = (
                Status.PRESENT,
                Evidence.INVENTORY,
                (
                    "1 experiment project is kept apart from production."
                    if experiments == 1
                    else f"{experiments} experiment projects are kept apart from production."
                ),
            )
            gaps: list[str] = []
        elif mixed:
            status, evidence, reason = (
                Status.PARTIAL,
                Evidence.OBSERVED,
                ("Production and non-production runs share one target, told apart only by environment tags."),
            )
            gaps = ["i.prod_and_experiments_mixed"]
        elif isolated is True:
            status, evidence, reason = (
                Status.PRESENT,
                Evidence.SELF_REPORTED,
                ("Experiments run apart from production (self-reported)."),
            )
            gaps = []
        elif isolated is False:
            status, evidence, reason = (
                Status.ABSENT,
                Evidence.SELF_REPORTED,
                ("Experiments run against production (self-reported)."),
            )
            gaps = ["i.no_isolation"]
        elif staged and _spans_both(staged):
            status, evidence, reason = (
                Status.PARTIAL,
                Evidence.INVENTORY,
                (
                    "The vendor keeps production and non-production environments apart, "
                    "but no experiment project shows that experiments run outside production."
                ),
            )
            gaps = ["i.no_sandbox_evidence"]
        else:
            status, evidence, reason = (
                Status.UNKNOWN,
                Evidence.NONE,
                (
                    "Spans cannot show whether experiments run apart from production, "
                    "and nothing was reported."
                ),
            )
            gaps = ["i.no_sandbox_evidence"]
        if context.answers.sandbox.how:
            notes.append(
                f"How experiments are kept apart (self-reported): {context.answers.sandbox.how.rstrip('.')}."
            )
        if isolated is True and mixed:
            notes.append(
                "Contradiction: isolation is self-reported, but production and "
                "non-production spans arrive in the same target."
            )
        score = {Status.PRESENT: 1.0, Status.PARTIAL: 0.5}.get(status, 0.0)
        return self.verdict(ratios).model_copy(
            update={
                "status": status,
                "score": score,
                "reason": reason,
                "evidence": evidence,
                "gaps": tuple(gaps),
                "notes": tuple(notes),
                "examples": (),
            }
        )

    def reported(self, answers: Answers) -> Reported | None:
        """Only "not sure" is left to say here: yes and no are levelled in ``finish``."""
        if answers.sandbox.experiments_isolated == "unknown":
            return Reported(Status.UNKNOWN, "Not sure whether experiments run apart from production.")
        return None
