"""j) Evaluation harness: datasets and scored experiments that run programmatically.

Mostly inventory (datasets, experiments, evaluators); spans add evaluation results attached to
steps (OTel ``gen_ai.evaluation.result`` events, evaluator spans). Without inventory the answers
file fills in, marked self-reported.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from traceready.answers import Answers, EvalHarnessAnswers, known
from traceready.checks.base import Check, Context, Metric, Reported, Trace
from traceready.checks.thresholds import Thresholds
from traceready.findings import Evidence, Finding, Ratio, Status
from traceready.model import KIND_EVALUATOR


def _presence(metric: str, label: str, count: int | None) -> Ratio | None:
    """A criterion met when anything is found: 1 of 1 or 0 of 1, said as a count ("datasets...: 2")."""
    if count is None:
        return None
    return Ratio(
        metric=metric,
        numerator=1 if count > 0 else 0,
        denominator=1,
        label=label,
        summary=f"{label}: {count}" if count else f"no {label}",
    )


class EvalHarnessCheck(Check):
    """Datasets, scored experiments and automated evaluators exist and ran recently."""

    id: ClassVar[str] = "j"
    title: ClassVar[str] = "Evaluation harness"
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("j.datasets", "datasets with examples", "j.no_datasets", core=True),
        Metric("j.scored_experiments", "scored experiments", "j.no_scored_experiments"),
        Metric("j.automated_evaluators", "automated evaluators", "j.no_automated_evaluators"),
        Metric("j.recent_runs", "recent experiment runs", "j.no_recent_runs"),
        Metric(
            "j.traces_with_scores",
            "traces with evaluation scores",
            "j.no_scores_on_traces",
            scored=False,
        ),
    )

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        super().__init__(thresholds)
        self._traces_with_scores = self.counter("j.traces_with_scores")

    def observe(self, trace: Trace) -> None:
        """Count traces that carry evaluation scores or evaluator spans."""
        scored = any(s.scores or s.kind is KIND_EVALUATOR for s in trace.spans)
        roots = trace.roots()
        self.count_into(self._traces_with_scores, scored, roots[0] if roots else trace.spans[0])

    def finish(self, context: Context) -> Finding:
        """Level inventory evidence, else self-reported answers."""
        observed = self.ratios()[-1]
        inventory, answers = context.inventory, context.answers.eval_harness
        recent_cutoff = date.today() - timedelta(days=self.thresholds.recent_days)
        if inventory.datasets is not None:
            evidence = Evidence.INVENTORY
            counts: tuple[int | None, ...] = (
                inventory.datasets if inventory.dataset_examples else 0,
                inventory.scored_experiments,
                inventory.automated_evaluators,
                None
                if inventory.experiments is None
                else int(
                    inventory.last_experiment_at is not None
                    and inventory.last_experiment_at.date() >= recent_cutoff
                ),
            )
        else:
            evidence = Evidence.SELF_REPORTED
            counts = _reported_counts(answers, recent_cutoff)
        days = self.thresholds.recent_days
        ratios = [
            r.model_copy(
                update={"summary": f"{'an' if r.numerator else 'no'} experiment run in the last {days} days"}
            )
            if r.metric == "j.recent_runs"
            else r
            for r in (_presence(m.id, m.label, c) for m, c in zip(self.metrics[:4], counts, strict=True))
            if r is not None
        ]
        notes = [f"How performance is measured: {answers.how} (self-reported)."] if known(answers.how) else []
        if (frequency := known(answers.frequency)) is not None:
            notes.append(f"The suites run {frequency.replace('_', ' ')} (self-reported).")
        claims_scores = evidence is Evidence.SELF_REPORTED and bool(known(answers.scored_experiments))
        if claims_scores and observed.denominator and not observed.numerator:
            notes.append("Scored experiments are self-reported; no observed trace carries a score.")
        if not ratios:
            if observed.numerator:
                return self.verdict([observed.model_copy(update={"scored": True})]).model_copy(
                    update={
                        "status": Status.PARTIAL,
                        "score": round(observed.value or 0.0, 4),
                        "reason": (
                            f"{observed.describe()}, but no dataset or experiment was seen or reported."
                        ),
                        "gaps": ("j.no_datasets",),
                        "metrics": (observed,),
                    }
                )
            return self.verdict(
                [],
                evidence=Evidence.NONE,
                extra_gaps=["j.no_datasets"],
                empty_reason="No dataset, experiment or evaluator was seen or reported.",
            )
        return self.verdict([*ratios, observed], evidence=evidence, notes=notes)

    def reported(self, answers: Answers) -> Reported | None:
        """Counts are levelled in ``finish``; "not sure" to every question here leaves j unknown."""
        given = answers.eval_harness.model_dump(exclude_none=True)
        if given and all(value == "unknown" for value in given.values()):
            return Reported(Status.UNKNOWN, "Not sure how the agent is evaluated.")
        return None


def _reported_counts(answers: EvalHarnessAnswers, recent_cutoff: date) -> tuple[int | None, ...]:
    """Datasets, scored experiments, automated evaluators, a recent run, from the answers."""
    datasets = known(answers.datasets)
    if datasets and known(answers.test_cases) == 0:
        datasets = 0  # suites without a single task are no dataset with examples
    evaluators = known(answers.automated_evaluators)
    if evaluators is None and answers.automated is False:
        evaluators = 0  # human review only
    last_run = known(answers.last_run)
    recent = None if last_run is None else int(last_run >= recent_cutoff)
    if recent is None and answers.frequency in ("daily", "weekly"):
        recent = 1
    elif recent is None and answers.frequency == "never":
        recent = 0
    return datasets, known(answers.scored_experiments), evaluators, recent
