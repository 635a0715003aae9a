"""Grouping a stream of spans into traces with bounded memory.

Spans of one trace may arrive in any order (OTel exporters write children before parents; vendor
APIs page by start time) and interleaved with other traces. A trace is handed on once no span of it
has arrived for ``idle_after`` spans, and every open trace is handed on at the end. Memory is thus
bounded by the spans of the traces seen in the last ``idle_after`` spans, whatever the window size.

When spans arrive as they end (OTLP exporters write a span when it ends, so children come before
their parent), a trace whose root has arrived after its other spans is complete but for children
that outlive it: it is handed on once no span of it has arrived for ``rooted_idle_after`` spans
(200, against 5,000). Fewer spans wait, so less memory is held and the checks read spans while they
are still in cache. A trace whose root came first (a file sorted by start time) keeps the idle window.

A span that arrives after its trace was handed on is counted as late and starts a fragment; its
parent link will not resolve, which the structure check reports.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable

from traceready.checks.base import Trace
from traceready.model import Span

DEFAULT_IDLE_AFTER = 5_000
ROOTED_IDLE_AFTER = 200
"""The idle window of a trace whose root has arrived, when spans arrive children first."""
_CLOSED_MEMORY = 100_000
_SWEEP_EVERY = 64
"""Idle traces are looked for every this many spans, not on every span."""


class TraceAssembler:
    """Collects spans per trace and calls ``on_trace`` once per assembled trace."""

    def __init__(
        self,
        on_trace: Callable[[Trace], None],
        idle_after: int = DEFAULT_IDLE_AFTER,
        rooted_idle_after: int | None = None,
    ) -> None:
        self._on_trace = on_trace
        self._idle_after = idle_after
        self._rooted_idle_after = rooted_idle_after
        self._rooted: set[str] = set()
        """Open traces whose root span (no parent) has arrived; watched only with rooted_idle_after."""
        self._rooted_arrivals: deque[tuple[int, str]] = deque()
        """(arrival number, trace id) per span of a rooted trace, oldest first, as ``_arrivals``."""
        self._open: dict[str, list[Span]] = {}
        self._last_seen: dict[str, int] = {}
        self._arrivals: deque[tuple[int, str]] = deque()
        """(arrival number, trace id) per span still in the window, oldest first. A trace is idle
        when its last arrival leaves the window; the earlier ones are skipped as they come up."""
        self._closed: OrderedDict[str, None] = OrderedDict()
        self._seen = 0
        self.late_spans = 0
        self.traces = 0

    def add(self, span: Span) -> None:
        """Add one span; may hand on traces that have gone idle."""
        self._seen += 1
        seen, trace_id = self._seen, span.trace_id
        spans = self._open.get(trace_id)
        if spans is None:
            if trace_id in self._closed:
                self.late_spans += 1
            self._open[trace_id] = [span]
        else:
            spans.append(span)
        self._last_seen[trace_id] = seen
        self._arrivals.append((seen, trace_id))
        if self._rooted_idle_after is not None:
            if span.parent_id is None and spans is not None:
                # A root after some of its spans: the order exporters write. A root that comes
                # first (a dump sorted by start time) leaves its trace on the idle window.
                self._rooted.add(trace_id)
            if trace_id in self._rooted:
                self._rooted_arrivals.append((seen, trace_id))
        if seen % _SWEEP_EVERY:
            return
        self._close_idle(self._arrivals, seen - self._idle_after)
        if self._rooted_idle_after is not None:
            self._close_idle(self._rooted_arrivals, seen - self._rooted_idle_after)

    def _close_idle(self, arrivals: deque[tuple[int, str]], horizon: int) -> None:
        """Close the traces whose last span arrived at or before ``horizon``."""
        last_seen = self._last_seen
        while arrivals and arrivals[0][0] <= horizon:
            at, trace_id = arrivals.popleft()
            if last_seen.get(trace_id) == at:
                self._close(trace_id)

    def flush(self) -> None:
        """Hand on every open trace, the one whose last span came first first."""
        arrivals, last_seen = self._arrivals, self._last_seen
        while arrivals:
            at, trace_id = arrivals.popleft()
            if last_seen.get(trace_id) == at:
                self._close(trace_id)
        self._rooted_arrivals.clear()

    def _close(self, trace_id: str) -> None:
        spans = self._open.pop(trace_id)
        del self._last_seen[trace_id]
        self._rooted.discard(trace_id)
        self._closed[trace_id] = None
        if len(self._closed) > _CLOSED_MEMORY:
            self._closed.popitem(last=False)
        self.traces += 1
        self._on_trace(Trace(trace_id=trace_id, spans=spans))
