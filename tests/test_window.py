"""``--since``: the units people type, and a word when the window is empty or absurd."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from traceready.errors import UsageError
from traceready.window import parse_since

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("30m", timedelta(minutes=30)),
        ("90 min", timedelta(minutes=90)),
        ("24h", timedelta(hours=24)),
        ("2 hours", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("7days", timedelta(days=7)),
        ("1 day", timedelta(days=1)),
        ("7D", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("2 weeks", timedelta(weeks=2)),
        ("45s", timedelta(seconds=45)),
        ("3650d", timedelta(days=3650)),
    ],
)
def test_durations_in_the_units_people_type(text: str, back: timedelta) -> None:
    assert parse_since(text, NOW) == NOW - back


def test_iso_dates_and_times_are_read_as_utc_when_naive() -> None:
    assert parse_since("2026-11-25", NOW) == datetime(2026, 11, 25, tzinfo=UTC)
    assert parse_since("2026-12-01T08:30:00Z", NOW) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("0d", "is an empty window", id="zero"),
        pytest.param("2027-01-01", "is an empty window", id="future_date"),
        pytest.param("100000d", "reaches back more than ten years (100000 days)", id="absurd"),
        pytest.param("99999999999w", "reaches back more than ten years", id="overflow"),
        pytest.param("10y", "months and years are not accepted", id="years"),
        pytest.param("6 months", "months and years are not accepted", id="months"),
        pytest.param("7 fortnights", "unknown unit 'fortnights'", id="unknown_unit"),
        pytest.param("last week", "is neither a duration nor an ISO date", id="words"),
    ],
)
def test_empty_absurd_or_unreadable_windows_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_since(text, NOW)
    assert message in caught.value.one_line()
    assert caught.value.exit_code == 2
