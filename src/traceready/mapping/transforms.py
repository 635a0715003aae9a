"""Named value transforms that mapping YAML refers to (``transform: int``).

Each takes a raw value and returns the converted value, or None when it cannot convert: a wrong
type in the input is a missing fact, never an exception. ``register_transform`` adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import orjson

Transform = Callable[[Any], Any]

_json_loads: Final = orjson.loads
"""Compiled, a ``Final`` name is a C static; ``orjson.loads`` is an attribute look-up per call."""

TRANSFORMS: dict[str, Transform] = {}


def register_transform(name: str, transform: Transform) -> None:
    """Make ``transform`` available to mapping files under ``name``; odd input gives None, never raises."""
    if not callable(transform):
        raise TypeError(f"transform {name!r} is not callable")
    TRANSFORMS[name] = never_raising(transform)


def never_raising(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``function`` with any type or value error on odd input turned into None ("not this shape")."""

    def guarded(value: Any) -> Any:
        try:
            return function(value)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError):
            return None

    guarded.__name__ = getattr(function, "__name__", "transform")
    guarded.__doc__ = function.__doc__
    return guarded


def as_str(value: Any) -> str | None:
    """A non-empty string; numbers become their decimal text."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or value is None:
        return None
    # Type tuples, not ``int | float``: compiled, a union is built by ``PyNumber_Or`` on every call.
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError:  # an int longer than Python's string-conversion limit
            return None
    return None


def as_int(value: Any) -> int | None:
    """A whole number from an int, an integral float or a numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            number = as_float(value)
            return int(number) if number is not None and number.is_integer() else None
    return None


def as_float(value: Any) -> float | None:
    """A finite float from a number or a numeric string."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def as_json(value: Any) -> Any:
    """Decode a JSON document held in a string (twice if it was encoded twice); else the value."""
    for _ in range(2):
        if not isinstance(value, str):
            return value
        if value[:1] in ("[", "{", '"'):
            # The usual case: decode the text as it is, without first copying it (a request body)
            # to strip it; orjson itself skips whitespace after the document.
            try:
                value = _json_loads(value)
                continue
            except orjson.JSONDecodeError:
                pass
        text = value.strip()
        if not text or text[0] not in '[{"' or len(text) == len(value):
            return value  # not JSON, or already tried as it is
        try:
            value = _json_loads(text)
        except orjson.JSONDecodeError:
            return value
    return value


def as_object(value: Any) -> dict[str, Any] | None:
    """A JSON object, decoded from a string when needed."""
    decoded = as_json(value)
    return decoded if isinstance(decoded, dict) else None


def as_str_list(value: Any) -> tuple[str, ...] | None:
    """A list of strings from a list, a JSON array string or a single string."""
    decoded = as_json(value)
    if isinstance(decoded, str):
        return (decoded,) if decoded else ()
    if isinstance(decoded, (list, tuple)):
        return tuple(str(item) for item in decoded if isinstance(item, (str, int, float)))
    return None


def as_unix_ns(value: Any) -> int | None:
    """Unix nanoseconds from an int, a numeric string, or an ISO-8601 timestamp."""
    if isinstance(value, str) and len(value) < 20 and value.isdigit():
        # The usual case, OTLP's int64 as decimal text: nothing to strip, no sign, in range.
        try:
            return int(value)
        except ValueError:
            return None  # digits that int() does not read (superscripts), as below
    if isinstance(value, str) and len(value) >= 20 and value[10] == "T":
        nanos = _iso_unix_ns(value)
        if nanos >= 0:
            return nanos
    if isinstance(value, str) and value and not value.strip().lstrip("-").isdigit():
        return iso_unix_ns(value)
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def iso_unix_ns(text: str) -> int | None:
    """An ISO-8601 timestamp with an offset as unix ns (``datetime.fromisoformat``), or None.

    The general path: ``as_unix_ns`` reads the usual form faster (``_iso_unix_ns``) to the same result.
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    nanos = int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000
    return nanos if nanos >= 0 else None


class _Minute:
    """A minute's text (``2026-12-03T06:38``), its offset text and its unix ns."""

    def __init__(self, text: str, offset: str, nanos: int) -> None:
        self.text = text
        self.offset = offset
        self.nanos = nanos


_LAST_MINUTE: Final = [_Minute("", "", 0)]
"""The minute read last: a vendor's spans come in time order, so most share it."""
_MINUTES: Final[dict[str, _Minute]] = {}
"""Minutes read lately by their text and offset; bounded, cleared when full."""
_MINUTES_MAX: Final = 4096
_MINUTE_NS: Final = 60_000_000_000
_NANOS_BOUND: Final = (1 << 32) * 1_000_000_000
"""Up to here (the year 2106) a float timestamp keeps microseconds apart from the next second, so
``int(moment.timestamp())`` is the minute's seconds plus the text's, as the fast path counts."""


def _digits(text: str, start: int, end: int) -> int:
    """The ASCII digits ``text[start:end]`` as a number, or -1 when any is no ASCII digit."""
    number = 0
    for i in range(start, end):
        digit = ord(text[i]) - 48
        if digit < 0 or digit > 9:
            return -1
        number = number * 10 + digit
    return number


def _iso_unix_ns(text: str) -> int:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`` as unix ns, or -1 for anything else.

    The form vendor APIs print, twice a span: the minute (date, time, offset) is read once by
    ``iso_unix_ns`` and remembered, the seconds and microseconds are added to it. Gives what
    ``iso_unix_ns`` gives for the same text (a property test compares them).
    """
    seconds = _digits(text, 17, 19) if text[16] == ":" else -1
    if seconds < 0 or seconds > 59:
        return -1
    if text[19] == ".":
        micros = _digits(text, 20, 26) if len(text) >= 27 else -1
        if micros < 0:
            return -1
        at = 26
    else:
        micros, at = 0, 19
    size = len(text) - at
    if not ((size == 1 and text[at] == "Z") or (size == 6 and text[at] in "+-" and text[at + 3] == ":")):
        return -1
    minute = _LAST_MINUTE[0]
    if not (text.startswith(minute.text) and len(minute.offset) == size and text.endswith(minute.offset)):
        offset = text[at:]
        key = text[:16] + offset
        found = _MINUTES.get(key)
        if found is None:
            nanos = iso_unix_ns(text[:16] + ":00" + offset)
            # A whole minute below the bound, or this text is not what the fast path takes it for.
            if nanos is None or nanos % _MINUTE_NS or nanos >= _NANOS_BOUND:
                return -1
            if len(_MINUTES) >= _MINUTES_MAX:
                _MINUTES.clear()
            found = _MINUTES[key] = _Minute(text[:16], offset, nanos)
        minute = _LAST_MINUTE[0] = found
    return minute.nanos + seconds * 1_000_000_000 + micros * 1000


def as_utc_unix_ns(value: Any) -> int | None:
    """As ``unix_ns``, reading a timestamp without offset as UTC (LangSmith v1 prints them so)."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T" and value[-1] != "Z":
        tail = value[19:]
        if "+" not in tail and "-" not in tail:
            value += "+00:00"
    return as_unix_ns(value)


def as_bool(value: Any) -> bool | None:
    """A boolean from a bool or the strings true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def unwrap_call_arguments(value: Any) -> Any:
    """Keyword arguments from a recorded Python call (traceloop ``{"args": [], "kwargs": {...}}``).

    OpenInference's smolagents tool spans record the bound signature of ``Tool.__call__(self,
    *args, sanitize_inputs_outputs=False, **kwargs)``: a wrapper's own flags (booleans) beside
    ``args`` and ``kwargs`` are not the tool's arguments.
    """
    decoded = as_json(value)
    if (
        isinstance(decoded, dict)
        and {"args", "kwargs"} <= set(decoded)
        and not decoded["args"]
        and isinstance(decoded["kwargs"], dict)
        and all(isinstance(v, bool) for k, v in decoded.items() if k not in ("args", "kwargs"))
    ):
        return decoded["kwargs"]
    return decoded


OTHER_ERROR_TYPE = "_OTHER"
"""The GenAI conventions' fallback ``error.type`` when an instrumentation has no better value."""


def as_error_type(value: Any) -> str | None:
    """An error type that names a failure: the conventions' ``_OTHER`` fallback names none.

    The OTel GenAI instrumentations (``opentelemetry-util-genai``) write ``error.type=_OTHER`` for a
    failure they cannot type (the OpenAI Agents SDK's tool errors): it says that something failed,
    which the span's status already says, not how. None lets the next source (an exception event's
    type) answer.
    """
    text = as_str(value)
    return None if text is None or text.strip() == OTHER_ERROR_TYPE else text


_NO_CALL_ID = frozenset({"<not specified>"})
"""Placeholders written where a tool call had no id (Google ADK, for a tool that raised)."""


def as_call_id(value: Any) -> str | None:
    """A tool-call id; a placeholder that stands for none is None."""
    text = as_str(value)
    return None if text is None or text in _NO_CALL_ID else text


for _name, _transform in {
    "str": as_str,
    "int": as_int,
    "float": as_float,
    "json": as_json,
    "object": as_object,
    "str_list": as_str_list,
    "unix_ns": as_unix_ns,
    "utc_ns": as_utc_unix_ns,
    "bool": as_bool,
    "call_arguments": unwrap_call_arguments,
    "error_type": as_error_type,
    "call_id": as_call_id,
}.items():
    register_transform(_name, _transform)
