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

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


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
    """``7d``, ``24h``, ``30m``, ``2w`` before now, or an ISO date or time (UTC when naive)."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--since {text!r} is neither a duration (7d, 24h) nor an ISO date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
