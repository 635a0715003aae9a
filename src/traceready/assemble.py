"""Grouping a stream of spans into traces with bounded memory.

Spans of one trace may arrive in any order (OTel exporters write children before parents; vendor
APIs page by start time) and interleaved with other traces. A trace is handed on once no span of it
has arrived for ``idle_after`` spans, and every open trace is handed on at the end. Memory is thus
bounded by the spans of the traces seen in the last ``idle_after`` spans, whatever the window size.
A span that arrives after its trace was handed on is counted as late and starts a fragment; its
parent link will not resolve, which the structure check reports.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable

from traceready.checks.base import Trace
from traceready.model import Span

DEFAULT_IDLE_AFTER = 5_000
_CLOSED_MEMORY = 100_000
_SWEEP_EVERY = 256
"""Idle traces are looked for every this many spans, not on every span."""


class TraceAssembler:
    """Collects spans per trace and calls ``on_trace`` once per assembled trace."""

    def __init__(self, on_trace: Callable[[Trace], None], idle_after: int = DEFAULT_IDLE_AFTER) -> None:
        self._on_trace = on_trace
        self._idle_after = idle_after
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
        if seen % _SWEEP_EVERY:
            return
        horizon = seen - self._idle_after
        arrivals, last_seen = self._arrivals, self._last_seen
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

    def _close(self, trace_id: str) -> None:
        spans = self._open.pop(trace_id)
        del self._last_seen[trace_id]
        self._closed[trace_id] = None
        if len(self._closed) > _CLOSED_MEMORY:
            self._closed.popitem(last=False)
        self.traces += 1
        self._on_trace(Trace(trace_id=trace_id, spans=spans))
