"""Fast paths of the per-field transforms and helpers give what the general way gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from traceready.mapping.transforms import (
    as_float,
    as_str,
    as_str_list,
    as_unix_ns,
    as_utc_unix_ns,
    iso_unix_ns,
)
from traceready.model import has_sampling_params, sampling_params


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1795609528582294846", 1795609528582294846),  # OTLP's int64 as text
        ("0", 0),
        ("0042", 42),
        (" 42 ", 42),
        ("-1", None),
        ("9" * 19, 9_999_999_999_999_999_999),
        ("9" * 25, int("9" * 25)),  # past int64: the general way
        ("\u0663", 3),  # a non-ASCII digit
        ("\u00b2", None),  # a digit that int() refuses
        ("2026-06-01T10:00:00Z", 1780308000_000_000_000),
        ("", None),
        (17, 17),
        (1.0, 1),
        (True, None),
    ],
)
def test_unix_ns(value: Any, expected: int | None) -> None:
    assert as_unix_ns(value) == expected


_OFFSETS = st.sampled_from(["Z", "+00:00", "-00:00", "+05:30", "-08:00", "+14:00", "", "+0530", "+05:30:15"])
_FRACTIONS = st.sampled_from(["", ".000000", ".999999", ".5", ".123", ".1234567", ".000001"])


@given(
    moment=st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2200, 1, 1)),
    fraction=_FRACTIONS,
    offset=_OFFSETS,
)
@example(moment=datetime(1970, 1, 1), fraction=".000001", offset="+00:01")  # before the epoch
@example(moment=datetime(2106, 2, 7, 6, 28, 15), fraction=".999999", offset="Z")  # 2**32 s
def test_iso_timestamps_read_as_the_general_path_reads_them(
    moment: datetime, fraction: str, offset: str
) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + offset
    assert as_unix_ns(text) == iso_unix_ns(text)
    assert as_unix_ns(text) == as_unix_ns(text)  # the remembered minute gives the same again


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-03T06:38:60Z",  # no leap seconds
        "2026-12-03T06:38:5xZ",
        "2026-13-03T06:38:05Z",
        "2026-12-03T06:38:05.12345xZ",
        "2026-12-03T06:38:05.123456+05:3x",
        "2026-12-03T06:38:05 Z",
        "2026-12-03T06:38:05.123456Z ",
        " 2026-12-03T06:38:05Z",
        "2026-12-03T06:38:\u0665\u0665Z",  # non-ASCII digits
        "2026-W49-4T06:38:05Z",  # an ISO week date
    ],
)
def test_odd_iso_text_reads_as_the_general_path_reads_it(text: str) -> None:
    assert as_unix_ns(text) == iso_unix_ns(text)


def test_a_remembered_minute_is_not_taken_for_another_offset_or_minute() -> None:
    texts = [
        "2026-12-03T06:38:05.000001Z",
        "2026-12-03T06:38:05.000001+05:30",
        "2026-12-03T06:38:05.000001-05:30",
        "2026-12-03T06:39:05.000001-05:30",
        "2026-12-03T06:38:05.000001Z",
        "2026-12-04T06:38:05+00:00",
    ]
    for text in texts * 2:
        assert as_unix_ns(text) == iso_unix_ns(text)


def test_langsmith_times_without_offset_are_utc() -> None:
    moment = datetime(2026, 12, 3, 6, 38, 5, 123456, tzinfo=UTC)
    expected = int(moment.timestamp()) * 1_000_000_000 + 123_456_000
    assert as_utc_unix_ns("2026-12-03T06:38:05.123456") == expected
    assert as_utc_unix_ns("2026-12-03T06:38:05.123456Z") == expected
    later = moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert as_utc_unix_ns(later) == expected


def test_numbers_and_lists_of_scalars() -> None:
    assert (as_str(3), as_str(2.5), as_str(True), as_str([1])) == ("3", "2.5", None, None)
    assert (as_float(3), as_float("2.5"), as_float(False), as_float(None)) == (3.0, 2.5, None, None)
    assert as_str_list(["a", 1, 2.5, None, True, {"b": 1}]) == ("a", "1", "2.5", "True")
    assert as_str_list(("a",)) == ("a",)


def test_sampling_params_are_recognised_however_spelled_and_each_time() -> None:
    params = {"topP": 0.9, "max_tokens": 5, "gen_ai.request.seed": 7, "stream": True, "top_k": None}
    for _ in range(3):
        assert sampling_params(params) == {"topP": 0.9, "max_tokens": 5}
    assert sampling_params({"n": 2, "N": 3, "context_window": 8}) == {"n": 2, "N": 3}
    assert sampling_params(None) == {}


def test_has_sampling_params_says_whether_sampling_params_finds_any() -> None:
    for params in ({"topP": 0.9}, {"stream": True, "top_k": None}, {"context_window": 8}, {}, None):
        assert has_sampling_params(params) is bool(sampling_params(params))
