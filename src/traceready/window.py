"""The audit window (``--since 7d``) and uniform trace sampling (``--sample N``)."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from traceready.errors import UsageError

T = TypeVar("T")

_DURATION = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$", re.IGNORECASE)
_UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
}
"""``--since`` units: s, m, h, d, w and their spelled-out forms (``7d``, ``7 days``, ``2weeks``)."""
_LONG_UNITS = frozenset({"mo", "mon", "month", "months", "y", "yr", "yrs", "year", "years"})
"""Months and years are refused by name: trace stores keep days to months, and a month has no fixed
length; ``--since 365d`` or an ISO date says exactly what is meant."""
MAX_SINCE = timedelta(days=3650)
"""The longest window: no trace store keeps ten years, and a longer one is a typo (``100000d``)."""


@dataclass(frozen=True, slots=True)
class Window:
    """Traces started in ``[start, end)``; ``end`` None means now."""

    start: datetime
    end: datetime | None = None

    def describe(self) -> str:
        """The window in words."""
        end = self.end.isoformat(timespec="seconds") if self.end else "now"
        return f"traces started {self.start.isoformat(timespec='seconds')} to {end}"


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The window start: a duration before now, or an ISO date or time (UTC when naive).

    Durations take s, m, h, d, w or their words (``30m``, ``24h``, ``7d``, ``7 days``, ``2 weeks``).
    An empty window (``0d``, a time in the future) or one over ten years (``100000d``) is a
    UsageError saying so, as is a month or year unit.
    """
    now = now or datetime.now(UTC)
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit in _LONG_UNITS:
            raise UsageError(
                f"--since {text!r}: months and years are not accepted",
                hint="use days or weeks (e.g. 90d, 52w) or an ISO date",
            )
        if unit not in _UNITS:
            raise UsageError(f"--since {text!r}: unknown unit {unit!r}", hint=_SINCE_HINT)
        try:
            span = timedelta(**{_UNITS[unit]: amount})
        except OverflowError:
            span = MAX_SINCE * 2
        return _checked(text, now, span)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {text!r} is neither a duration nor an ISO date", hint=_SINCE_HINT
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _checked(text, now, now - moment)


_SINCE_HINT = "durations take s, m, h, d or w (7d, 24h, 30m, 2w, '7 days'); or give an ISO date"


def _checked(text: str, now: datetime, span: timedelta) -> datetime:
    """``now - span``, refusing an empty or absurdly long window."""
    if span <= timedelta(0):
        raise UsageError(f"--since {text!r} is an empty window: it starts now or later", hint=_SINCE_HINT)
    if span > MAX_SINCE:
        raise UsageError(
            f"--since {text!r} reaches back more than ten years ({span.days} days)",
            hint="no trace store keeps traces that long; give at most 3650d or an ISO date",
        )
    return now - span


def reservoir_sample(items: Iterable[T], size: int, seed: int = 0) -> tuple[list[T], int]:
    """A uniform sample of ``size`` items in one pass with memory for ``size`` only; and the count seen."""
    rng = random.Random(seed)
    sample: list[T] = []
    seen = 0
    for item in items:
        seen += 1
        if len(sample) < size:
            sample.append(item)
        else:
            slot = rng.randrange(seen)
            if slot < size:
                sample[slot] = item
    return sample, seen


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as vendors print it (``Z`` or an offset; naive means UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
