"""Cassettes: vcrpy recordings of vendor APIs, replayed with the network blocked.

Requests match on method, path, body and the query without the audit window (``start_time`` and
``end_time`` move with the clock; tests assert the window separately on the request).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import vcr  # type: ignore[import-untyped]

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
FILTER_HEADERS = ["authorization", "x-api-key", "api_key", "cookie", "set-cookie"]
MATCH_ON = ["method", "path", "query_without_window", "body"]
_WINDOW = frozenset({"start_time", "end_time", "start", "end"})


def _query(request: Any) -> list[tuple[str, str]]:
    return sorted(
        (k, v) for k, v in parse_qsl(urlsplit(request.uri).query, keep_blank_values=True) if k not in _WINDOW
    )


def query_without_window(first: Any, second: Any) -> None:
    """vcrpy matcher: equal queries once the window parameters are removed."""
    assert _query(first) == _query(second)


def configure(recorder: vcr.VCR) -> vcr.VCR:
    """Register our matcher on a VCR and store bodies decoded (reviewable YAML, never gzip)."""
    recorder.register_matcher("query_without_window", query_without_window)
    recorder.decode_compressed_response = True
    return recorder


def replayer() -> vcr.VCR:
    """A VCR that only replays: a request not in the cassette fails the test."""
    return configure(vcr.VCR(record_mode="none", filter_headers=FILTER_HEADERS, match_on=MATCH_ON))
