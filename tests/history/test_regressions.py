"""Regressions between audits, the default tolerance, and waivers before and after they expire."""

from __future__ import annotations

import math
from datetime import date

import pytest
from pydantic import ValidationError

from tests.history.conftest import record
from traceready.findings import Status
from traceready.regressions import DEFAULT_TOLERANCE, assess, find_regressions
from traceready.waivers import Waiver

ARGS = "b.tool_spans_with_arguments"
TODAY = date(2026, 12, 2)


def b(
    status: Status, numerator: int, denominator: int = 500
) -> dict[str, tuple[Status, list[tuple[str, int, int]]]]:
    return {"b": (status, [(ARGS, numerator, denominator)])}


def test_a_level_drop_names_both_levels() -> None:
    found = find_regressions(
        record(findings=b(Status.PRESENT, 480)), record(findings=b(Status.PARTIAL, 470)), 0.1
    )
    assert [r.describe() for r in found] == ["b dropped PRESENT -> PARTIAL"]


def test_a_criterion_that_fell_more_than_the_tolerance_names_both_ratios() -> None:
    found = find_regressions(
        record(findings=b(Status.PARTIAL, 400)), record(findings=b(Status.PARTIAL, 300)), 0.1
    )
    assert [r.describe() for r in found] == [
        "b.tool_spans_with_arguments fell from 0.80 (400 of 500) to 0.60 (300 of 500)"
    ]
    assert (found[0].before_ratio, found[0].after_ratio) == (0.8, 0.6)


@pytest.mark.parametrize(
    ("before", "after", "regressed"),
    [
        pytest.param(400, 350, False, id="a_fall_of_exactly_the_tolerance_is_not_more"),
        pytest.param(400, 349, True, id="just_past_the_tolerance"),
        pytest.param(300, 400, False, id="an_improvement"),
    ],
)
def test_the_tolerance_is_a_strict_bound(before: int, after: int, regressed: bool) -> None:
    found = find_regressions(
        record(findings=b(Status.PARTIAL, before)), record(findings=b(Status.PARTIAL, after)), 0.1
    )
    assert bool(found) is regressed


def test_unknown_has_no_level_and_empty_criteria_are_not_compared() -> None:
    before = record(findings=b(Status.PRESENT, 10, 10))
    after = record(findings=b(Status.UNKNOWN, 0, 0))
    assert find_regressions(before, after, 0.1) == []


def test_the_default_tolerance_is_past_sampling_noise_of_500_traces() -> None:
    # The worst case, p = 0.5 in both audits of 500 traces: the difference has this standard error.
    se_difference = math.sqrt(2 * 0.25 / 500)
    assert DEFAULT_TOLERANCE / se_difference > 3
    # ...and a real drop of a quarter of the traces is caught.
    assert find_regressions(
        record(findings=b(Status.PARTIAL, 250)), record(findings=b(Status.PARTIAL, 125)), DEFAULT_TOLERANCE
    )


def waiver(**fields: object) -> Waiver:
    base: dict[str, object] = {"target": "prod", "requirement": "b", "reason": "known", "expires": TODAY}
    return Waiver.model_validate(base | fields)


def test_a_waived_regression_still_shows_but_stops_counting_until_it_expires() -> None:
    before, after = record(findings=b(Status.PRESENT, 480)), record(findings=b(Status.ABSENT, 0))
    w = waiver(expires=date(2026, 12, 31))
    on_time = assess(after, before, waivers=(w,), today=date(2026, 12, 31))
    (outcome,) = on_time.outcomes
    assert outcome.waived and not outcome.failed and outcome.waivers == (w,)
    assert [r.kind for r in outcome.regressions] == ["level", "criterion"]
    assert on_time.regressions == [] and on_time.gated_score == 1.0
    assert "waived until 2026-12-31: known" in outcome.why()

    expired = assess(after, before, waivers=(w,), today=date(2027, 1, 1))
    (outcome,) = expired.outcomes
    assert not outcome.waived and outcome.failed and outcome.expired == (w,)
    assert len(expired.regressions) == 2 and expired.gated_score == 0.0
    assert "waiver expired 2026-12-31: known" in outcome.why()


def test_a_waiver_for_another_target_does_not_apply() -> None:
    after = record("staging", findings=b(Status.ABSENT, 0))
    (outcome,) = assess(after, None, waivers=(waiver(),), today=TODAY).outcomes
    assert not outcome.waived and outcome.failed


def test_a_star_waiver_applies_to_every_target() -> None:
    after = record("staging", findings=b(Status.ABSENT, 0))
    (outcome,) = assess(after, None, waivers=(waiver(target="*"),), today=TODAY).outcomes
    assert outcome.waived


def test_a_gap_waiver_covers_only_that_gap() -> None:
    known = record(findings=b(Status.PARTIAL, 300), gaps={"b": ("b.arguments_missing",)})
    worse = record(findings=b(Status.PARTIAL, 300), gaps={"b": ("b.arguments_missing", "b.result_missing")})
    w = waiver(gap="b.arguments_missing")
    assert assess(known, None, waivers=(w,), today=TODAY).outcomes[0].waived
    assert not assess(worse, None, waivers=(w,), today=TODAY).outcomes[0].waived


def test_a_lowered_level_is_met_by_anything_at_or_above_it() -> None:
    i_unknown = record(findings={"i": (Status.UNKNOWN, [])})
    out_of_scope = waiver(requirement="i", level="ABSENT")
    (outcome,) = assess(i_unknown, None, waivers=(out_of_scope,), today=TODAY).outcomes
    assert outcome.bar is Status.ABSENT and outcome.meets_bar and outcome.waived
    partial_enough = waiver(level="PARTIAL")
    assert (
        assess(record(findings=b(Status.PARTIAL, 300)), None, waivers=(partial_enough,), today=TODAY)
        .outcomes[0]
        .waived
    )
    (absent,) = assess(
        record(findings=b(Status.ABSENT, 0)), None, waivers=(partial_enough,), today=TODAY
    ).outcomes
    assert not absent.meets_bar and absent.failed


def test_without_waivers_a_requirement_must_be_present() -> None:
    (outcome,) = assess(record(findings=b(Status.PARTIAL, 300)), None, today=TODAY).outcomes
    assert outcome.bar is Status.PRESENT and outcome.failed and not outcome.regressions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"requirement": "k"}, "one of a to j", id="unknown_requirement"),
        pytest.param({"gap": "h.cost_missing"}, "not a gap of requirement b", id="gap_of_another"),
        pytest.param({"level": "PRESENT"}, "PARTIAL or ABSENT", id="level_present"),
        pytest.param({"reason": ""}, "reason", id="no_reason"),
        pytest.param({"expires": "soon"}, "expires", id="not_a_date"),
    ],
)
def test_a_bad_waiver_names_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        waiver(**fields)
