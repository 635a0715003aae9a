"""Grouping a stream of spans into traces with bounded memory.

Spans of one trace may arrive in any order (OTel exporters write children before parents; vendor
APIs page by start time) and interleaved with other traces. A trace is handed on once no span of it
has arrived for ``idle_after`` spans, and every open trace is handed on at the end. Memory is thus
bounded by the spans of the traces seen in the last ``idle_after`` spans, whatever the window size.
A span that arrives after its trace was handed on is counted as late and starts a fragment; its
parent link will not resolve, which the structure check reports.
"""

from __future__ import annotations

from collections import OrderedDict
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
        self._open: OrderedDict[str, tuple[int, list[Span]]] = OrderedDict()
        self._closed: OrderedDict[str, None] = OrderedDict()
        self._seen = 0
        self.late_spans = 0
        self.traces = 0

    def add(self, span: Span) -> None:
        """Add one span; may hand on traces that have gone idle."""
        self._seen += 1
        trace_id = span.trace_id
        entry = self._open.pop(trace_id, None)
        if entry is None:
            if trace_id in self._closed:
                self.late_spans += 1
            spans = [span]
        else:
            spans = entry[1]
            spans.append(span)
        self._open[trace_id] = (self._seen, spans)
        if self._seen % _SWEEP_EVERY:
            return
        horizon = self._seen - self._idle_after
        while self._open:
            oldest_id, (last_seen, _) = next(iter(self._open.items()))
            if last_seen > horizon:
                break
            self._close(oldest_id)

    def flush(self) -> None:
        """Hand on every open trace, oldest first."""
        while self._open:
            self._close(next(iter(self._open)))

    def _close(self, trace_id: str) -> None:
        _, spans = self._open.pop(trace_id)
        self._closed[trace_id] = None
        if len(self._closed) > _CLOSED_MEMORY:
            self._closed.popitem(last=False)
        self.traces += 1
        self._on_trace(Trace(trace_id=trace_id, spans=spans))
