"""Fast paths of the per-field transforms and helpers give what the general way gives."""

from __future__ import annotations

from typing import Any

import pytest

from traceready.mapping.transforms import as_float, as_str, as_str_list, as_unix_ns
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
