"""The conformance suite: every vendor connector against its fake, healthy and hostile, through the CLI.

A connector is done when it passes every case here (add it to ``vendors.VENDORS``). Each case starts
the vendor's fake on 127.0.0.1 behind ``hostile.py``, breaks one route the way real servers and
proxies do, runs ``traceready audit <vendor>`` and checks the exit code and the one line a user
reads. Retry backoff is zeroed and the bounds (deadline, body cap, page cap) lowered through their
``TRACEREADY_*`` variables, so the suite runs fast; what it checks is the outcome, not the time.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from tests.connectors.conformance.hostile import Act, App, Drip, Raw, Reset, Stall, hostile
from tests.connectors.conformance.vendors import VENDORS, Vendor
from traceready.cli import app
from traceready.http import VendorClient

PASSWORD = "pw-conformance-SECRET"
VARIABLE_PREFIXES = ("PHOENIX_", "LANGSMITH_", "LANGCHAIN_", "BRAINTRUST_", "TRACEREADY_")


@pytest.fixture(params=VENDORS, ids=lambda v: v.slug)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    """Each vendor connector in turn."""
    chosen: Vendor = request.param
    return chosen


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(VARIABLE_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen as in production, without the pauses between them."""
    monkeypatch.setattr(VendorClient, "_backoff", lambda self, attempt: 0.0)


def audit(vendor: Vendor, url: str, *extra: str, env: dict[str, str] | None = None) -> Result:
    """``traceready audit <vendor> -f json`` against ``url``."""
    variables = {vendor.key_variable: vendor.key, vendor.endpoint_variable: url, **(env or {})}
    return CliRunner(env=variables).invoke(app, vendor.args("-f", "json", *extra))


def on(route: Any, act: Any) -> Any:
    """A fault answering ``act(request, n)`` on the requests ``route`` matches (n counts those)."""
    count = 0

    def fault(request: httpx.Request, number: int) -> Act | None:
        nonlocal count
        if not route(request):
            return None
        count += 1
        return act(request, count)  # type: ignore[no-any-return]

    return fault


def one_line_error(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("traceready: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def counts(result: Result) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(result.stdout)["counts"]
    return found


def test_a_healthy_server_is_audited(vendor: Vendor) -> None:
    with vendor.fake() as fake, hostile(fake) as server:
        result = audit(vendor, server.url)
    assert result.exit_code == 0, result.output
    found = counts(result)
    assert found["spans_mapped"] > 0
    assert found["records_pulled"] == found["spans_mapped"] + found["records_rejected"]


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        pytest.param(
            httpx.Response(200, html="<!doctype html><title>Sign in to Acme SSO</title>"),
            "not JSON (text/html; charset=utf-8, first bytes '<!doctype html><title>Sign in",
            id="sso_login_page",
        ),
        pytest.param(httpx.Response(200, content=b""), "an empty body", id="empty_body"),
        pytest.param(httpx.Response(200, json=[1, 2]), "expected", id="list_for_an_object"),
        pytest.param(httpx.Response(200, json={"id": 7}), "expected", id="object_for_a_list"),
    ],
)
def test_a_project_lookup_that_is_not_the_api_exits_5_saying_what_came(
    vendor: Vendor, answer: httpx.Response, said: str
) -> None:
    with vendor.fake() as fake, hostile(fake, on(vendor.lookup, lambda r, n: answer)) as server:
        result = audit(vendor, server.url)
    line = one_line_error(result)
    assert result.exit_code == 5, result.output
    assert said in line
    assert "had been pulled" in line


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_to_another_host_is_named_and_never_followed_with_the_key(
    vendor: Vendor, status: int
) -> None:
    with hostile(lambda request: httpx.Response(200, json={})) as elsewhere:
        location = elsewhere.url.replace("127.0.0.1", "localhost") + "/login"
        redirect = on(vendor.lookup, lambda r, n: httpx.Response(status, headers={"location": location}))
        with vendor.fake() as fake, hostile(fake, redirect) as server:
            result = audit(vendor, server.url)
    line = one_line_error(result)
    assert result.exit_code == 5
    assert f"redirect ({status}) to http://localhost:" in line
    assert "another host" in line
    assert elsewhere.seen.requests == []


def test_5xx_after_bounded_retries_exits_5_with_the_count_pulled(vendor: Vendor) -> None:
    busy = on(vendor.spans_route, lambda r, n: httpx.Response(503, headers={"retry-after": "0"}))
    with vendor.fake() as fake, hostile(fake, busy) as server:
        result = audit(vendor, server.url)
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "kept answering 503 after" in line
    assert "had been pulled" in line
    assert len(server.seen.matching(vendor.spans_route)) <= 6


def test_a_reset_mid_pull_exits_5_with_the_count_pulled(
    vendor: Vendor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vendor.batch_module + ".TRACES_PER_BATCH", 2)
    with (
        vendor.fake() as fake,
        hostile(fake, on(vendor.spans_route, lambda r, n: Reset() if n > 1 else None)) as server,
    ):
        result = audit(vendor, server.url)
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "unreachable" in line
    pulled = re.search(r"; (\d+) (?:spans|runs) had been pulled", line)
    assert pulled is not None and int(pulled.group(1)) > 0, line


def test_rows_that_are_not_objects_are_counted_rejections(vendor: Vendor) -> None:
    bad = [42, "a string", None, ["a", "list"]]
    with vendor.fake() as fake:
        inject = on(vendor.spans_route, lambda r, n: vendor.with_rows(fake(r), bad) if n == 1 else None)
        with hostile(fake, inject) as server:
            result = audit(vendor, server.url)
    assert result.exit_code == 0, result.output
    found = counts(result)
    assert found["rejections"].get("not_an_object") == len(bad)
    assert found["records_pulled"] == found["spans_mapped"] + found["records_rejected"]


def test_a_cursor_that_never_ends_stops_at_limit(vendor: Vendor) -> None:
    with vendor.fake() as fake:
        endless = on(vendor.roots, lambda r, n: vendor.with_cursor(fake, r, f"next-{n}"))
        with hostile(fake, endless) as server:
            result = audit(vendor, server.url, "--limit", "2", env={"TRACEREADY_MAX_PAGES": "10000"})
    assert result.exit_code == 0, result.output
    assert counts(result)["traces"] == 2
    assert len(server.seen.matching(vendor.roots)) <= 2 or vendor.slug == "braintrust"


def test_a_sample_over_a_cursor_that_never_ends_stops_at_the_page_cap(
    vendor: Vendor, caplog: pytest.LogCaptureFixture
) -> None:
    with vendor.fake() as fake:
        endless = on(vendor.roots, lambda r, n: vendor.with_cursor(fake, r, f"next-{n}"))
        with hostile(fake, endless) as server:
            result = audit(vendor, server.url, "--sample", "2", env={"TRACEREADY_MAX_PAGES": "7"})
    assert result.exit_code == 0, result.output
    assert len(server.seen.matching(vendor.roots)) <= 7
    if vendor.slug != "braintrust":  # a page shorter than the page size ends a BTQL chain first
        assert sum("did not end after 7 pages" in r.getMessage() for r in caplog.records) == 1


def test_span_pages_that_never_end_are_bounded(vendor: Vendor) -> None:
    with vendor.fake() as fake:
        endless = on(vendor.spans_route, lambda r, n: vendor.with_cursor(fake, r, f"next-{n}"))
        with hostile(fake, endless) as server:
            result = audit(vendor, server.url, "--limit", "2", env={"TRACEREADY_MAX_PAGES": "5"})
    assert result.exit_code == 0, result.output
    assert len(server.seen.matching(vendor.spans_route)) <= 5


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda: httpx.Response(404, json={"detail": "Not Found"}), id="404"),
        pytest.param(lambda: httpx.Response(403, json={"detail": "Forbidden"}), id="403"),
        pytest.param(lambda: httpx.Response(200, html="<html>proxy error</html>"), id="junk"),
        pytest.param(lambda: httpx.Response(200, json="a string"), id="wrong_shape"),
    ],
)
def test_an_inventory_route_that_fails_leaves_its_fact_unknown_and_the_audit_goes_on(
    vendor: Vendor, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with vendor.fake() as fake, hostile(fake, on(vendor.inventory, lambda r, n: answer())) as server:
        result = audit(vendor, server.url)
    assert result.exit_code == 0, result.output
    assert counts(result)["spans_mapped"] > 0
    warnings = [
        r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "unknown" in r.getMessage()
    ]
    assert len(warnings) == 1, warnings


def test_a_server_dripping_bytes_is_cut_at_the_request_deadline(vendor: Vendor) -> None:
    drip = on(vendor.spans_route, lambda r, n: Drip(b'{"data": []}' * 100, every=0.3))
    with vendor.fake() as fake, hostile(fake, drip) as server:
        result = audit(vendor, server.url, env={"TRACEREADY_REQUEST_DEADLINE": "1"})
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "took over 1 s" in line


def test_a_server_that_never_answers_is_cut_at_the_request_deadline(vendor: Vendor) -> None:
    with vendor.fake() as fake, hostile(fake, on(vendor.spans_route, lambda r, n: Stall())) as server:
        result = audit(vendor, server.url, env={"TRACEREADY_REQUEST_DEADLINE": "1"})
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "did not answer" in line and "in time" in line


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_a_body_over_the_size_cap_is_an_error(vendor: Vendor, declared: bool) -> None:
    big = b'{"data": [' + b'"x",' * 400_000 + b'"x"]}'

    def oversized(request: httpx.Request, n: int) -> Act:
        if declared:
            return httpx.Response(200, content=big, headers={"content-type": "application/json"})
        return Drip(big, every=0.0)

    with vendor.fake() as fake, hostile(fake, on(vendor.spans_route, oversized)) as server:
        result = audit(vendor, server.url, env={"TRACEREADY_MAX_BODY_MB": "1"})
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "sent a body over 1 MiB" in line


def test_a_gzip_bomb_is_stopped_after_decompression(vendor: Vendor) -> None:
    bomb = gzip.compress(b'{"data": [' + b" " * 64 * 1024 * 1024 + b"]}", compresslevel=9)
    assert len(bomb) < 1024 * 1024
    gzipped = Raw(200, {"content-type": "application/json", "content-encoding": "gzip"}, bomb)
    with vendor.fake() as fake, hostile(fake, on(vendor.spans_route, lambda r, n: gzipped)) as server:
        result = audit(vendor, server.url, env={"TRACEREADY_MAX_BODY_MB": "2"})
    line = one_line_error(result)
    assert result.exit_code == 5
    assert "after decompression" in line


def test_waits_off_a_terminal_print_nothing_per_retry_and_are_summed_up_once(
    vendor: Vendor, caplog: pytest.LogCaptureFixture
) -> None:
    limited = on(
        vendor.spans_route, lambda r, n: httpx.Response(429, headers={"retry-after": "0"}) if n <= 2 else None
    )
    with vendor.fake() as fake, hostile(fake, limited) as server:
        result = audit(vendor, server.url)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    summary = [r.getMessage() for r in caplog.records if "spent waiting" in r.getMessage()]
    assert len(summary) == 1 and "2 retries" in summary[0], summary


def behind_proxy(vendor: Vendor, fake: App) -> App:
    """``fake`` behind a proxy that takes the URL's user info.

    httpx sends a URL's user info as basic auth in place of a bearer key: the proxy takes it, and
    the API behind sees the key again.
    """

    def proxy(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization", "").startswith("Basic "):
            request.headers["authorization"] = f"Bearer {vendor.key}"
        return fake(request)

    return proxy


def _secret_endpoint(url: str) -> str:
    """The fake's URL with a password in it (``redact_url``'s own tests cover a ``?token=``)."""
    return url.replace("http://", f"http://svc:{PASSWORD}@")


def test_no_secret_reaches_stdout_stderr_the_report_or_the_exported_spans(
    vendor: Vendor, tmp_path: Path
) -> None:
    out, spans = tmp_path / "report.md", tmp_path / "spans.jsonl"

    with vendor.fake() as fake, hostile(behind_proxy(vendor, fake)) as server:
        endpoint = _secret_endpoint(server.url)
        written = audit(vendor, endpoint, "--out", str(out), "--export-spans", str(spans))
        shown = audit(vendor, endpoint)
    assert written.exit_code == 0, written.output
    assert shown.exit_code == 0, shown.output
    assert "127.0.0.1" in json.loads(shown.stdout)["target"]
    texts = [written.stdout, written.stderr, shown.stdout, shown.stderr, out.read_text(), spans.read_text()]
    for secret in (vendor.key, PASSWORD):
        assert not any(secret in text for text in texts), secret


def _subprocess(
    vendor: Vendor, url: str, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    variables = {k: v for k, v in os.environ.items() if not k.startswith(VARIABLE_PREFIXES)}
    variables.update({vendor.key_variable: vendor.key, vendor.endpoint_variable: url, **(env or {})})
    command = [sys.executable, "-c", "from traceready.cli import main; main()", *vendor.args(*extra)]
    return subprocess.Popen(
        command,
        env=variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_no_secret_reaches_a_debug_traceback(vendor: Vendor) -> None:
    busy = on(vendor.spans_route, lambda r, n: httpx.Response(503, headers={"retry-after": "0"}))
    with vendor.fake() as fake, hostile(behind_proxy(vendor, fake), busy) as server:
        process = _subprocess(vendor, _secret_endpoint(server.url), "--debug")
        stdout, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Traceback" in stderr and "VendorUnavailableError" in stderr
    for secret in (vendor.key, PASSWORD):
        assert secret not in stdout and secret not in stderr, secret


@pytest.fixture
def stalled(vendor: Vendor) -> Iterator[tuple[Any, Any]]:
    """A fake whose span pages never come; the server yields once a span request is in."""
    import threading

    arrived = threading.Event()

    def stall(request: httpx.Request, n: int) -> Act:
        arrived.set()
        return Stall()

    with vendor.fake() as fake, hostile(fake, on(vendor.spans_route, stall)) as server:
        yield server, arrived


def test_ctrl_c_while_the_pull_is_stalled_exits_130_with_one_line(
    vendor: Vendor, stalled: tuple[Any, Any]
) -> None:
    server, arrived = stalled
    process = _subprocess(vendor, server.url, env={"TRACEREADY_REQUEST_DEADLINE": "600"})
    try:
        assert arrived.wait(60), "the span request never came"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)  # the server would hold the request for minutes
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["traceready: interrupted"]
    assert stdout == ""
