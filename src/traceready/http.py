"""HTTP for connectors that speak REST: bounded retries, Retry-After, errors that become exit codes.

Connectors take an injected ``httpx.Client`` (tests pass one with ``httpx.MockTransport``), and call
``request_json``. What the caller does with a failure decides its class: 401/403 are fatal
(``AuthError``), 404 is ``NotFoundError``, 429 and 5xx are retried with exponential backoff (honouring
``Retry-After``) and become ``VendorUnavailableError`` when the budget is spent, as do network errors.
URLs are logged through ``redact_url``; headers are never logged.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson

from traceready.errors import AuthError, NotFoundError, VendorUnavailableError

logger = logging.getLogger(__name__)

_SECRET_PARAMS = ("key", "token", "secret", "password", "signature", "auth")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry 429 and 5xx."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 120.0


def redact_url(url: str | httpx.URL) -> str:
    """The URL without user info and with secret-looking query values masked."""
    parts = urlsplit(str(url))
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    query = "&".join(
        f"{k}=***" if any(s in k.lower() for s in _SECRET_PARAMS) else f"{k}={v}"
        for k, _, v in (pair.partition("=") for pair in parts.query.split("&") if pair)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class VendorClient:
    """A thin JSON-over-HTTP helper around an injected ``httpx.Client``."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        vendor: str,
        key_variable: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        self.client = client
        self.vendor = vendor
        self.key_variable = key_variable
        self.retry = retry or RetryPolicy()
        self._sleep = sleep or time.sleep
        self._on_wait = on_wait

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        not_found: str | None = None,
    ) -> Any:
        """Send a request and decode its JSON body, retrying what can be retried."""
        waited = 0.0
        for attempt in range(1, self.retry.attempts + 1):
            try:
                request = self.client.build_request(method, path, params=params, json=json)
                response = self.client.send(request, stream=True)
                body = self._body(response)
            except httpx.TransportError as exc:
                reason = f"{exc.__class__.__name__}"
                delay = self._backoff(attempt)
                if attempt == self.retry.attempts or waited + delay > self.retry.max_total:
                    raise VendorUnavailableError(
                        f"{self.vendor} is unreachable at {redact_url(self.client.base_url)} ({reason})",
                        hint="check the endpoint and that the server is running",
                    ) from None
            else:
                status = response.status_code
                logger.debug("%s %s -> %d", method, redact_url(response.request.url), status)
                if status < 400:
                    return self._decode(body)
                if status in (401, 403):
                    raise AuthError(
                        f"{self.vendor} rejected the credentials ({status})",
                        hint=f"set {self.key_variable}",
                    )
                if status == 404:
                    raise NotFoundError(not_found or f"{self.vendor}: {path} not found (404)")
                if status != 429 and status < 500:
                    raise VendorUnavailableError(f"{self.vendor} answered {status} to {method} {path}")
                reason = str(status)
                asked = retry_after_seconds(response)
                delay = self._backoff(attempt) if asked is None else min(asked, self.retry.max_delay)
                if attempt == self.retry.attempts or waited + delay > self.retry.max_total:
                    raise VendorUnavailableError(
                        f"{self.vendor} kept answering {status} after {attempt} attempts",
                        hint="try again later or lower --limit",
                    )
            if self._on_wait is not None:
                self._on_wait(delay, reason)
            logger.info("%s: %s, retrying in %.1fs", self.vendor, reason, delay)
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.retry.max_delay, self.retry.base_delay * 2.0 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)

    @staticmethod
    def _body(response: httpx.Response) -> bytes:
        """The body of a success (nothing of an error), read without keeping it on the response.

        ``response.read()`` would keep the body on the response, and an httpx response sits in a
        reference cycle with its stream, so every page's body would stay alive until a full garbage
        collection, which the audit makes rare while it scores: peak memory then grows with the pages
        pulled (measured: 248 MB against 149 MB over 35,000 Phoenix spans).
        """
        try:
            return b"".join(response.iter_bytes()) if response.status_code < 400 else b""
        finally:
            response.close()
            # The stream refers back to the response: drop it so the response is freed at once.
            response.stream = httpx.ByteStream(b"")

    def _decode(self, body: bytes) -> Any:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise InvalidPageError(
                f"{self.vendor} sent a body that is not JSON ({len(body)} bytes)"
            ) from None


class InvalidPageError(ValueError):
    """A response body that is not the JSON the API promises; the caller counts it and goes on."""
