"""The shared HTTP layer every REST connector uses: retries, errors, and what it keeps in memory."""

from __future__ import annotations

import httpx
import pytest

from traceready.errors import AuthError, NotFoundError, VendorUnavailableError
from traceready.http import (
    InvalidPageError,
    RetryPolicy,
    TransportLimits,
    VendorClient,
    optional_fact,
    redact_url,
)

BASE = "http://vendor.test"


def _client(handler: object, responses: list[httpx.Response] | None = None) -> VendorClient:
    hooks = {"response": [responses.append]} if responses is not None else {}
    http = httpx.Client(base_url=BASE, transport=httpx.MockTransport(handler), event_hooks=hooks)  # type: ignore[arg-type]
    return VendorClient(
        http,
        vendor="Vendor",
        key_variable="VENDOR_API_KEY",
        retry=RetryPolicy(attempts=3),
        sleep=lambda _: None,
    )


def test_decoded_page_leaves_no_body_on_the_response() -> None:
    # Responses sit in a reference cycle with their stream: a body kept on them lives until a full
    # garbage collection, so a long pull would grow with every page.
    responses: list[httpx.Response] = []
    page = httpx.ByteStream(b'{"data": [1, 2, 3]}')
    client = _client(lambda request: httpx.Response(200, stream=page), responses)
    assert client.request_json("GET", "/page") == {"data": [1, 2, 3]}
    (response,) = responses
    assert response.is_closed
    with pytest.raises(httpx.ResponseNotRead):
        _ = response.content


def test_body_broken_off_mid_read_is_retried() -> None:
    calls = []

    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b'{"data": ['
            raise httpx.RemoteProtocolError("peer closed connection")

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(200, stream=Broken())
        return httpx.Response(200, json={"data": []})

    assert _client(handler).request_json("GET", "/page") == {"data": []}
    assert len(calls) == 2


def test_server_gone_for_good_is_vendor_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(VendorUnavailableError, match="unreachable"):
        _client(handler).request_json("GET", "/page")


def test_rejected_key_names_the_variable_never_the_key() -> None:
    with pytest.raises(AuthError) as caught:
        _client(lambda request: httpx.Response(401, text="bad key s3cr3t")).request_json("GET", "/page")
    assert "VENDOR_API_KEY" in caught.value.one_line()
    assert "s3cr3t" not in caught.value.one_line()


def test_a_login_page_instead_of_json_is_exit_5_saying_what_came() -> None:
    page = httpx.Response(200, html="<html><title>Sign in</title>")
    with pytest.raises(VendorUnavailableError) as caught:
        _client(lambda request: page).request_json("GET", "/page")
    assert "not JSON (text/html; charset=utf-8, first bytes '<html><title>Sign in" in caught.value.message


def test_json_broken_off_is_an_invalid_page_the_caller_counts() -> None:
    with pytest.raises(InvalidPageError, match="broken JSON"):
        _client(lambda request: httpx.Response(200, text='{"data": [{"tru')).request_json("GET", "/page")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://svc:PW@phoenix.internal:6006", "http://phoenix.internal:6006"),
        ("https://user@api.example.com/api/v1", "https://api.example.com/api/v1"),
        ("http://host/x?token=T&project=p", "http://host/x?project=p"),
        (
            "https://h/?api_key=1&key=2&signature=3&sig=4&password=5&secret=6&access_token=7&X-Amz-Signature=8&a=b",
            "https://h/?a=b",
        ),
        ("https://h/path#frag", "https://h/path"),
        ("/v1/projects/demo?limit=5", "/v1/projects/demo"),
    ],
)
def test_redact_url_strips_user_info_and_credential_parameters(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_redirect_is_named_and_not_followed() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(302, headers={"location": "https://sso.example.com/login?token=abc"})

    with pytest.raises(VendorUnavailableError) as caught:
        _client(handler).request_json("GET", "/page")
    assert "redirect (302) to https://sso.example.com/login on another host" in caught.value.message
    assert "abc" not in caught.value.one_line()
    assert len(calls) == 1


def test_a_body_over_the_cap_is_exit_5_also_when_it_only_grows_by_decompression() -> None:
    import gzip

    bomb = gzip.compress(b" " * (3 * 1024 * 1024))
    page = httpx.Response(200, content=bomb, headers={"content-encoding": "gzip"})
    client = _client(lambda request: page)
    client.limits = TransportLimits(max_body_mb=1)
    with pytest.raises(VendorUnavailableError, match=r"over 1 MiB .* after decompression"):
        client.request_json("GET", "/page")


def test_a_timeout_is_exit_5_at_once_not_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(VendorUnavailableError, match="did not answer GET /page in time"):
        _client(handler).request_json("GET", "/page")
    assert len(calls) == 1


def test_retries_are_summed_up_in_the_final_error() -> None:
    error = _client(lambda request: httpx.Response(503))
    with pytest.raises(VendorUnavailableError) as caught:
        error.request_json("GET", "/page")
    assert caught.value.hint is not None and "2 retries" in caught.value.hint


def test_an_unexpected_body_never_shows_the_key() -> None:
    http = httpx.Client(
        base_url=BASE,
        headers={"authorization": "Bearer sk-very-secret"},
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, text="echo: Bearer sk-very-secret")
        ),
    )
    client = VendorClient(http, vendor="Vendor", key_variable="VENDOR_API_KEY", sleep=lambda _: None)
    with pytest.raises(VendorUnavailableError) as caught:
        client.request_json("GET", "/page")
    assert "sk-very-secret" not in caught.value.one_line()
    assert "echo: ***" in caught.value.message


def test_a_closed_client_cancels_waits_and_further_requests() -> None:
    client = VendorClient(
        httpx.Client(base_url=BASE, transport=httpx.MockTransport(lambda request: httpx.Response(429))),
        vendor="Vendor",
        key_variable="VENDOR_API_KEY",
    )
    client.close()
    with pytest.raises(VendorUnavailableError, match="cancelled"):
        client.request_json("GET", "/page")


def test_an_inventory_fact_whose_route_fails_is_unknown_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def missing() -> int:
        raise NotFoundError("Vendor: /v1/prompts not found (404)")

    with caplog.at_level("WARNING"):
        assert optional_fact("Vendor", "prompts", missing, None) is None
    assert [r.getMessage() for r in caplog.records] == [
        "Vendor prompts unreadable (Vendor: /v1/prompts not found (404)); left unknown"
    ]
