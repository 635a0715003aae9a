"""Every sentence the checks can write, in every status, reads as plain English a reader can act on.

Each sample scenario is audited with no answers and no inventory, and the richest and the poorest
samples also with self-reported answers (yes and no) and with a vendor inventory (empty and full):
every reason, note and criterion description of every finding is read against the rules below.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache

import pytest

from tests.conftest import SAMPLES
from tests.test_scenarios import EXPECTED
from traceready.answers import Answers
from traceready.audit import run_audit
from traceready.connector import Inventory
from traceready.connectors.otel import OtelConnector
from traceready.findings import Finding, Status
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.recommend import load_catalog
from traceready.report.terminal import reason_of

ANSWERS = {
    "none": Answers(),
    "yes": Answers.model_validate(
        {
            "sandbox": {"experiments_isolated": True, "how": "a staging project"},
            "eval_harness": {
                "datasets": 2,
                "scored_experiments": 1,
                "automated_evaluators": 0,
                "last_run": date.today().isoformat(),
            },
            "versioning": {"harness_in_version_control": True},
            "failures": {"taxonomy": "TRAIL"},
            "retention": {"days": 7},
        }
    ),
    "no": Answers.model_validate(
        {
            "sandbox": {"experiments_isolated": False},
            "eval_harness": {"datasets": 0, "scored_experiments": 0, "automated_evaluators": 0},
            "versioning": {"harness_in_version_control": False},
        }
    ),
}
INVENTORIES = {
    "none": Inventory(),
    "empty": Inventory(
        datasets=0, dataset_examples=0, experiments=0, scored_experiments=0, automated_evaluators=0
    ),
    "full": Inventory(
        datasets=2,
        dataset_examples=12,
        experiments=3,
        scored_experiments=2,
        last_experiment_at=datetime.now(UTC),
        automated_evaluators=1,
        experiment_projects=1,
        failure_taxonomies=("failure_type",),
        environments=("production", "staging"),
        retention_days=14,
    ),
}


class _WithInventory(OtelConnector):
    """The sample file as a vendor project with this inventory."""

    facts = Inventory()

    def inventory(self) -> Inventory:
        return self.facts


@cache
def findings(scenario: str, answers: str, inventory: str) -> tuple[Finding, ...]:
    connector = _WithInventory([SAMPLES / f"{scenario}.otlp.jsonl"])
    connector.facts = INVENTORIES[inventory]
    catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
    report = run_audit(connector, Mapper(load_mapping("otel")), catalog=catalog, answers=ANSWERS[answers])
    return report.findings


STATES = [(scenario, "none", "none") for scenario in EXPECTED] + [
    (scenario, answers, inventory)
    for scenario in ("openinference_full", "plain_spans")
    for answers in ANSWERS
    for inventory in INVENTORIES
    if (answers, inventory) != ("none", "none")
]


def _problems(text: str, sentence: bool = True) -> list[str]:
    """What makes a sentence (or, ``sentence`` False, a criterion's fragment) hard to read or act on."""
    rules = {
        "starts lower-case": sentence and text[:1].islower(),
        "no full stop": sentence and not text.endswith("."),
        "doubled punctuation": bool(re.search(r"\.\.(?!\.)|\s[.;,]|;\.", text.replace("...", ""))),
        "says a source twice": text.count("(self-reported)") > 1,
        "a count beside 1 of 1": "found)" in text
        or bool(re.search(r"\b1 of 1 (datasets|experiments)", text)),
        "'only' before nothing": "only 0 of" in text.lower(),
        "0 of 0": "0 of 0 " in text,
    }
    return [rule for rule, broken in rules.items() if broken]


@pytest.mark.parametrize(("scenario", "answers", "inventory"), STATES)
def test_every_sentence_reads_plainly(scenario: str, answers: str, inventory: str) -> None:
    seen = []
    for finding in findings(scenario, answers, inventory):
        texts = [(text, True) for text in (finding.reason, reason_of(finding), *finding.notes)]
        texts += [(r.describe(), False) for r in (*finding.metrics, *finding.breakdown)]
        for text, sentence in texts:
            seen.append(text)
            problems = _problems(text, sentence)
            assert not problems, (finding.requirement, finding.status.value, text, problems)
        if finding.status is Status.ABSENT and finding.score > 0:
            # A red ABSENT beside a score above 0 says why, or the two seem to contradict.
            assert "Core criterion unmet" in finding.reason, finding.reason
            assert f"the score {finding.score:.2f} counts the other criteria" in finding.reason
    assert seen


def test_the_states_reach_every_status_of_every_requirement_that_has_one() -> None:
    reached: dict[str, set[Status]] = {}
    for state in STATES:
        for finding in findings(*state):
            reached.setdefault(finding.requirement, set()).add(finding.status)
    # Statuses each requirement reaches in these states: enough to read every kind of sentence.
    assert reached["a"] >= {Status.PRESENT, Status.ABSENT}
    assert reached["i"] >= {Status.PRESENT, Status.ABSENT, Status.UNKNOWN}
    assert reached["j"] >= {Status.PRESENT, Status.ABSENT, Status.UNKNOWN}
    assert reached["h"] >= {Status.PARTIAL, Status.ABSENT}


def test_a_presence_criterion_is_said_as_a_count() -> None:
    j = next(f for f in findings("openinference_full", "none", "full") if f.requirement == "j")
    described = [r.describe() for r in j.metrics]
    assert "datasets with examples: 2" in described
    assert not any(" of 1 " in text for text in described[:4])
    empty = next(f for f in findings("openinference_full", "none", "empty") if f.requirement == "j")
    assert empty.reason.startswith("Core criterion unmet: no datasets with examples, so ABSENT")
