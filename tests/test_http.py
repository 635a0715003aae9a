"""The shared HTTP layer every REST connector uses: retries, errors, and what it keeps in memory."""

from __future__ import annotations

import httpx
import pytest

from traceready.errors import AuthError, VendorUnavailableError
from traceready.http import InvalidPageError, RetryPolicy, VendorClient

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
