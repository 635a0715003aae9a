"""A MockTransport handler with a fault hook, for the REST connectors' tests."""

from __future__ import annotations

from collections.abc import Callable

import httpx

Fault = Callable[[httpx.Request, int], httpx.Response | None]
"""Sees each request with its 1-based call number; an answer it returns replaces the server's."""
Handler = Callable[[httpx.Request], httpx.Response]


def with_fault(fault: Fault, answer: Handler) -> Handler:
    """``answer`` each request unless ``fault`` answers it first."""
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        injected = fault(request, calls)
        return injected if injected is not None else answer(request)

    return handler
