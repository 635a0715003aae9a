"""One paginator family and one prefetch, shared by every REST connector.

Modelled on dlt's ``rest_client`` paginators (``JSONResponseCursorPaginator``, ``OffsetPaginator``):
a paginator reads the next-page token out of a page and writes it into the next request; one driver,
``paginate``, sends the requests and owns the stopping rules, so every list stops the same way:

- an empty page, or a page shorter than the paginator's ``page_size``, is the last;
- a token the server already gave (a cursor that does not advance) stops the chain with a warning;
- ``TransportLimits.max_pages`` pages stop a chain that never ends, with one warning line;
- ``max_items`` (the caller's ``--limit``, ``--sample`` or list bound) stops it once reached.

Vendors keep only what is theirs: routes, where the items and the token sit, payload shapes.
``prefetch`` fetches the next batches on daemon threads while the caller scores this one; a
stalled fetch never holds the process at exit or Ctrl-C.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import Any, Generic, TypeVar

from traceready.http import InvalidPageError, VendorClient, redact_url, shape_of

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page's request: the token goes into ``params`` or into the ``json`` body."""

    method: str
    path: str
    params: list[tuple[str, Any]] = field(default_factory=list)
    json: dict[str, Any] | None = None


def dig(body: Any, path: tuple[str, ...]) -> Any:
    """``body[path[0]][path[1]]...``, or None where an object or a key is missing."""
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


class Paginator(ABC):
    """Where a list API hands out its next page, and where the request takes it back."""

    page_size: int | None = None
    """A page shorter than this is the last (None: only an empty page or no token ends the chain)."""

    @abstractmethod
    def token(self, body: Any, items: list[Any]) -> Any:
        """The next page's token from this page, or None when this page is the last."""

    @abstractmethod
    def advance(self, request: PageRequest, token: Any) -> PageRequest:
        """The request for the page ``token`` names."""


class CursorPaginator(Paginator):
    """An opaque cursor in the body (``next_cursor``, ``cursors.next``) sent back as a parameter.

    ``into`` is where it goes: ``("params", "cursor")`` for the query string, ``("json", "cursor")``
    or ``("json", "query", "cursor")`` for a key of the JSON body.
    """

    def __init__(self, at: tuple[str, ...], into: tuple[str, ...], page_size: int | None = None) -> None:
        self.at = at
        self.into = into
        self.page_size = page_size

    def token(self, body: Any, items: list[Any]) -> Any:
        """The cursor, when it is a non-empty string."""
        cursor = dig(body, self.at)
        return cursor if isinstance(cursor, str) and cursor else None

    def advance(self, request: PageRequest, token: Any) -> PageRequest:
        """The same request with the cursor set."""
        return _set(request, self.into, token)


class OffsetPaginator(Paginator):
    """``limit``/``offset`` pages; a short page is the last, and so is reaching a ``total``."""

    def __init__(self, limit: int, *, total_at: tuple[str, ...] | None = None, param: str = "offset") -> None:
        self.page_size = limit
        self.total_at = total_at
        self.param = param
        self.offset = 0

    def token(self, body: Any, items: list[Any]) -> Any:
        """The next offset, or None once ``total`` items were read."""
        self.offset += len(items)
        total = dig(body, self.total_at) if self.total_at else None
        if isinstance(total, int) and self.offset >= total:
            return None
        return self.offset

    def advance(self, request: PageRequest, token: Any) -> PageRequest:
        """The same request at the next offset."""
        return _set(request, ("params", self.param), token)


class StartingAfterPaginator(Paginator):
    """A full page is followed by ``starting_after=<id of its last item>`` (Braintrust's REST lists)."""

    def __init__(self, page_size: int, param: str = "starting_after") -> None:
        self.page_size = page_size
        self.param = param

    def token(self, body: Any, items: list[Any]) -> Any:
        """The last item's id."""
        last = items[-1] if items else None
        value = last.get("id") if isinstance(last, dict) else None
        return value if isinstance(value, str) and value else None

    def advance(self, request: PageRequest, token: Any) -> PageRequest:
        """The same request after that id."""
        return _set(request, ("params", self.param), token)


def _set(request: PageRequest, into: tuple[str, ...], value: Any) -> PageRequest:
    where, *keys = into
    if where == "params":
        (name,) = keys
        return replace(request, params=[*(p for p in request.params if p[0] != name), (name, value)])
    body: dict[str, Any] = dict(request.json or {})
    target = body
    for key in keys[:-1]:
        target[key] = dict(target.get(key) or {})
        target = target[key]
    target[keys[-1]] = value
    return replace(request, json=body)


def paginate(
    http: VendorClient,
    request: PageRequest,
    items_at: tuple[str, ...],
    paginator: Paginator,
    *,
    max_items: int | None = None,
    what: str | None = None,
) -> Iterator[list[Any]]:
    """Each page's item list (``items_at`` in the body; ``()``: the body is the list), bounded.

    A page whose items are not a list raises ``InvalidPageError`` naming what came instead. Items
    are yielded as they came: a row that is not an object is the caller's to count.
    """
    label = what or f"{request.method} {redact_url(request.path)}"
    seen: set[str] = set()
    read = 0
    for number in range(1, http.limits.max_pages + 1):
        body = http.request_json(request.method, request.path, params=request.params, json=request.json)
        items = dig(body, items_at)
        if not isinstance(items, list):
            where = ".".join(items_at) or "the body"
            raise InvalidPageError(f"{http.vendor} {label}: expected a list at {where}, got {shape_of(body)}")
        read += len(items)
        yield items
        if not items or (paginator.page_size is not None and len(items) < paginator.page_size):
            return
        if max_items is not None and read >= max_items:
            logger.debug("%s %s: stopped at %d items", http.vendor, label, read)
            return
        token = paginator.token(body, items)
        if token is None:
            return
        if isinstance(token, str):
            if token in seen:
                logger.warning("%s repeated a cursor on %s; stopping there", http.vendor, label)
                return
            seen.add(token)
        if number == http.limits.max_pages:
            break
        request = paginator.advance(request, token)
    logger.warning(
        "%s %s did not end after %d pages; stopping there (TRACEREADY_MAX_PAGES)",
        http.vendor,
        label,
        http.limits.max_pages,
    )


def objects(pages: Iterable[list[Any]]) -> list[dict[str, Any]]:
    """The items of ``pages`` that are JSON objects (for inventory lists, where no span is lost)."""
    return [item for page in pages for item in page if isinstance(item, dict)]


class _Fetch(Generic[R]):
    """One fetch running on a daemon thread; ``result`` waits for it (interruptibly)."""

    def __init__(self, fetch: Callable[[], R], name: str) -> None:
        self._fetch = fetch
        self._done = threading.Event()
        self._value: R | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._fetch()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, raised there
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> R:
        while not self._done.wait(0.2):  # short waits: Ctrl-C reaches the main thread at once
            pass
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def prefetch(fetch: Callable[[T], R], jobs: Iterable[T], *, ahead: int, name: str) -> Iterator[R]:
    """``fetch(job)`` for each job, in order, with up to ``ahead`` jobs fetched on daemon threads.

    With ``ahead=1`` one fetch runs at a time, while the caller works on the previous result.
    Daemon threads: a fetch stalled on the network never holds the process at exit or Ctrl-C
    (``ThreadPoolExecutor`` joins its workers at exit, and so would wait for the network).
    """
    waiting = iter(jobs)
    pending: deque[_Fetch[R]] = deque(_Fetch(partial(fetch, job), name) for job in islice(waiting, ahead))
    while pending:
        value = pending.popleft().result()
        for job in islice(waiting, 1):
            pending.append(_Fetch(partial(fetch, job), name))
        yield value
