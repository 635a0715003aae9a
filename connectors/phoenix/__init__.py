"""Arize Phoenix: ``traceready audit phoenix --project my-agent --since 7d``.

Pulls the window's root traces newest first (or a uniform sample of them), then their spans in
batches of traces, with span, trace and session annotations and server-computed cost, streamed page
by page. Spans map through ``mappings/phoenix.yaml``, which extends the OTel mapping: Phoenix stores
OpenInference attributes flattened to dotted keys. Project facts come from ``inventory.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import httpx
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Connector, Inventory, Option, Pull, WindowedConnector
from traceready.errors import NotFoundError, UsageError, VendorUnavailableError
from traceready.http import InvalidPageError, RetryPolicy, VendorClient, redact_url, unavailable
from traceready.model import Rejection
from traceready.paging import prefetch
from traceready.window import Window

from .client import PhoenixClient
from .inventory import collect_inventory

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "http://localhost:6006"
TRACES_PER_BATCH = 100
"""Traces whose spans are asked for in one request (100 ids of 32 hex digits keep the URL short)."""
IDS_PER_REQUEST = 400
"""Span or trace ids per annotations request: about 10 KB of query, under uvicorn's 16 KB line limit."""
DEMO_PROJECT = "travel-agent"
"""The project ``traceready demo`` loads the sample into."""
BEFORE_PROJECT = "travel-agent-before"
AFTER_PROJECT = "travel-agent-after"
"""The projects ``traceready demo --compare`` loads the agent into, before and after the fixes."""


class PhoenixSettings(BaseSettings):
    """Phoenix's own environment variables (``PHOENIX_*``), as its client reads them."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    endpoint: str | None = Field(None, validation_alias=AliasChoices("endpoint", "PHOENIX_ENDPOINT"))
    collector_endpoint: str | None = Field(
        None, validation_alias=AliasChoices("collector_endpoint", "PHOENIX_COLLECTOR_ENDPOINT")
    )
    api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("api_key", "PHOENIX_API_KEY"))
    project: str | None = Field(
        None, validation_alias=AliasChoices("project", "PHOENIX_PROJECT", "PHOENIX_PROJECT_NAME")
    )
    client_headers: str | None = Field(
        None, validation_alias=AliasChoices("client_headers", "PHOENIX_CLIENT_HEADERS")
    )

    def base_url(self) -> str:
        """The API base: ``PHOENIX_ENDPOINT``, else the collector endpoint without ``/v1/traces``."""
        if self.endpoint:
            return self.endpoint.rstrip("/")
        if self.collector_endpoint:
            return self.collector_endpoint.rstrip("/").removesuffix("/v1/traces").removesuffix("/v1")
        return DEFAULT_ENDPOINT

    def headers(self) -> dict[str, str]:
        """Extra headers (``PHOENIX_CLIENT_HEADERS`` as ``k=v,k2=v2``) and the bearer key."""
        headers: dict[str, str] = {}
        for pair in (self.client_headers or "").split(","):
            key, sep, value = pair.partition("=")
            if sep and key.strip():
                headers[unquote(key.strip())] = unquote(value.strip())
        key = self.api_key.get_secret_value().strip() if self.api_key is not None else ""
        if key:  # an empty PHOENIX_API_KEY means no key, not an empty bearer token
            headers["Authorization"] = f"Bearer {key}"
        return headers


def _annotation_scores(annotations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    scores = []
    for annotation in annotations:
        raw = annotation.get("result")
        result: dict[str, Any] = raw if isinstance(raw, dict) else {}
        scores.append(
            {
                "name": annotation.get("name"),
                "label": result.get("label"),
                "score": result.get("score"),
                "source": annotation.get("annotator_kind"),
            }
        )
    return scores


def _sessions_by_trace(spans: list[dict[str, Any]]) -> dict[str, str]:
    """The session id of each trace, from whichever of its spans carries ``session.id``."""
    sessions: dict[str, str] = {}
    for span in spans:
        attributes, context = span.get("attributes"), span.get("context")
        session = attributes.get("session.id") if isinstance(attributes, dict) else None
        if isinstance(session, str) and session and isinstance(context, dict):
            sessions.setdefault(str(context.get("trace_id")), session)
    return sessions


def _inline_events(span: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events: dict[str, dict[str, Any]] = {}
    for event in span.get("events") or ():
        if isinstance(event, dict) and isinstance(event.get("name"), str):
            attributes = event.get("attributes")
            events.setdefault(event["name"], attributes if isinstance(attributes, dict) else {})
    return events


def shape_span(
    span: dict[str, Any],
    annotations: list[dict[str, Any]] | None = None,
    cost_usd: float | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """One REST span as the mapping reads it: events by name, annotations as scores, cost and link.

    The input is not modified. A span read from an export file has no annotations, cost or link.
    """
    record = dict(span)
    record["events"] = _inline_events(span)
    record["annotations"] = _annotation_scores(annotations or [])
    record["server_cost_usd"] = cost_usd
    record["url"] = url
    return record


class PhoenixConnector(WindowedConnector):
    """A Phoenix project over its REST API."""

    slug: ClassVar[str] = "phoenix"
    title: ClassVar[str] = "Arize Phoenix"
    settings_model: ClassVar[type[BaseSettings]] = PhoenixSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option("--project", "project", "Phoenix project.", subject=True),
        Option("--endpoint", "endpoint", "Phoenix URL (default http://localhost:6006)."),
    )

    def __init__(
        self,
        settings: PhoenixSettings,
        window: Window,
        *,
        limit: int = 500,
        sample: int | None = None,
        seed: int = 0,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not settings.project:
            raise UsageError("no Phoenix project given", hint="pass --project or set PHOENIX_PROJECT")
        self.settings = settings
        self.project = settings.project
        super().__init__(window, limit=limit, sample=sample, seed=seed)
        self.base_url = settings.base_url()
        self.link_base = redact_url(self.base_url).split("?", 1)[0].rstrip("/")
        """The server as reports and links show it: no user info, no credential."""
        self._owned = http is None
        transport = http or httpx.Client(base_url=self.base_url, headers=settings.headers(), timeout=timeout)
        self.client = PhoenixClient(
            VendorClient(
                transport, vendor="Phoenix", key_variable="PHOENIX_API_KEY", retry=retry, sleep=sleep
            )
        )
        self.spans_pulled = 0
        self.project_id: str | None = None
        """The project's GlobalID, which the cost query names (read with the project)."""
        self.annotated: set[str] | None = None
        """Kinds of annotation the project holds (``span``, ``trace``, ``session``); None: unknown."""

    @classmethod
    def create(cls, settings: PhoenixSettings, pull: Pull) -> PhoenixConnector:
        """The connector for one project and one pull."""
        return cls(settings, pull.window, limit=pull.limit, sample=pull.sample, seed=pull.seed)

    @classmethod
    def demo(
        cls, sample: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[Connector] | None:
        """A real local Phoenix holding the sample, a dataset, a scored experiment and labels."""
        return _demo_in_local_phoenix(sample, step) if server else None

    @classmethod
    def demo_before_after(
        cls, before: Path, after: Path, *, server: bool, step: Callable[[str], None]
    ) -> AbstractContextManager[tuple[Connector, Connector]] | None:
        """Two projects of one real local Phoenix: the agent before and after the fixes."""
        if not server:
            return None
        _require_phoenix()
        from .demo import before_after_projects

        step("starting a real Phoenix server on 127.0.0.1")
        return before_after_projects(before, after, step)

    def close(self) -> None:
        """Cancel pending waits; close the HTTP client this connector opened (not an injected one)."""
        self.client.http.close(owned=self._owned)

    def describe_target(self) -> str:
        """The project and server."""
        return f"project {self.project} at {self.link_base}"

    def _trace_ids(self) -> list[str]:
        start = self.window_.start.isoformat()
        end = self.window_.end.isoformat() if self.window_.end else None
        rows = self.client.traces(self.project, start, end)
        return self.select(
            t["trace_id"] for t in rows if isinstance(t, dict) and isinstance(t.get("trace_id"), str)
        )

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Spans of the selected traces, a batch of traces at a time, with annotations and cost."""
        try:
            project_id = self.client.project(self.project).get("id")
            self.project_id = project_id if isinstance(project_id, str) else None
            if self.project_id is not None:
                self.annotated = self.client.annotated_kinds(self.project_id)
            trace_ids = self._trace_ids()
            logger.info("Phoenix: %d traces selected in %s", len(trace_ids), self.project)
            batches = [
                trace_ids[i : i + TRACES_PER_BATCH] for i in range(0, len(trace_ids), TRACES_PER_BATCH)
            ]
            # The pull waits on the server and the scoring uses the CPU: the next batch is fetched
            # on a daemon thread while this one is mapped and scored (one fetch at a time, so the
            # client is used by one thread at a time).
            for records in prefetch(self._fetch, batches, ahead=1, name="phoenix-pull"):
                yield from records
        except (VendorUnavailableError, InvalidPageError) as exc:
            raise unavailable(exc, self.spans_pulled) from None

    def _fetch(self, trace_ids: list[str]) -> list[dict[str, Any] | Rejection]:
        """One batch of traces, fully pulled (run on the prefetch thread)."""
        return list(self._batch(trace_ids))

    def _batch(self, trace_ids: list[str]) -> Iterator[dict[str, Any] | Rejection]:
        try:
            rows = self.client.spans(self.project, trace_ids)
        except InvalidPageError as exc:
            for trace_id in trace_ids:
                yield Rejection(reason="invalid_page", detail=str(exc), raw_id=trace_id)
            return
        spans = [s for s in rows if isinstance(s, dict)]
        for _ in range(len(rows) - len(spans)):
            self.spans_pulled += 1
            yield Rejection(reason="not_an_object", detail="a span row that is not a JSON object")
        contexts = [s["context"] for s in spans if isinstance(s.get("context"), dict)]
        span_ids = [str(c["span_id"]) for c in contexts if c.get("span_id")]
        sessions = _sessions_by_trace(spans)
        by_span: dict[str, list[dict[str, Any]]] = {}
        by_trace: dict[str, list[dict[str, Any]]] = {}
        costs: dict[str, float] = {}
        try:
            for i in range(0, len(span_ids), IDS_PER_REQUEST) if self._asks("span") else ():
                for a in self.client.annotations(self.project, "span", span_ids[i : i + IDS_PER_REQUEST]):
                    by_span.setdefault(str(a.get("span_id")), []).append(a)
            for a in self.client.annotations(self.project, "trace", trace_ids) if self._asks("trace") else ():
                by_trace.setdefault(str(a.get("trace_id")), []).append(a)
            for trace_id, annotations in self._session_annotations(sessions).items():
                by_trace.setdefault(trace_id, []).extend(annotations)
            priced = {s["id"] for s in spans if s.get("span_kind") == "LLM" and isinstance(s.get("id"), str)}
            if priced and self.project_id is not None:
                found = self.client.span_costs(self.project_id, trace_ids)
                costs = {gid: cost for gid, cost in found.items() if gid in priced}
        except InvalidPageError as exc:
            logger.warning("Phoenix: annotations or cost unreadable for a batch (%s)", exc)
        for span in spans:
            self.spans_pulled += 1
            yield self._record(span, by_span, by_trace, costs)

    def _asks(self, kind: str) -> bool:
        """Whether to ask for this kind of annotation: not when the project held none at the start.

        A project without labels of a kind (the usual case for sessions, often for all three) then
        costs no request per batch for it: 300 of the 514 requests of 10,000 traces, 9.4 s. Labels
        of a new kind added during the audit are not read, as labels added to a batch already read
        are not.
        """
        return self.annotated is None or kind in self.annotated

    def _session_annotations(self, sessions: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
        """Session annotations, by the trace ids of each session's traces in this batch.

        A label on a session (``failure_type = tool_timeout`` on a whole conversation) speaks for each
        of its traces, so it rides on their root spans like a trace annotation. Servers older than
        the session-annotations endpoint answer 404, as does a session Phoenix has not indexed yet:
        neither has labels to give.
        """
        session_ids = sorted(set(sessions.values())) if self._asks("session") else []
        by_session: dict[str, list[dict[str, Any]]] = {}
        for i in range(0, len(session_ids), IDS_PER_REQUEST):
            try:
                found = self.client.annotations(self.project, "session", session_ids[i : i + IDS_PER_REQUEST])
            except NotFoundError:
                logger.debug("Phoenix: no session annotations for %d sessions", len(session_ids))
                continue
            for a in found:
                by_session.setdefault(str(a.get("session_id")), []).append(a)
        return {trace: by_session[session] for trace, session in sessions.items() if session in by_session}

    def _record(
        self,
        span: dict[str, Any],
        by_span: dict[str, list[dict[str, Any]]],
        by_trace: dict[str, list[dict[str, Any]]],
        costs: dict[str, float],
    ) -> dict[str, Any]:
        raw = span.get("context")
        context: dict[str, Any] = raw if isinstance(raw, dict) else {}
        span_id, trace_id = context.get("span_id"), context.get("trace_id")
        annotations = by_span.get(str(span_id), [])
        if span.get("parent_id") is None:
            annotations = annotations + by_trace.get(str(trace_id), [])
        url = f"{self.link_base}/redirects/spans/{span_id}" if span_id else None
        return shape_span(span, annotations, costs.get(str(span.get("id"))), url)

    def inventory(self) -> Inventory:
        """Datasets, experiments, prompts, annotation configs and projects (see inventory.py)."""
        return collect_inventory(self.client, self.project)


def _require_phoenix() -> None:
    import importlib.util

    if importlib.util.find_spec("phoenix") is None:
        raise UsageError(
            "the demo runs a local Phoenix server, and arize-phoenix is not installed",
            hint="run scripts/setup, or pip install 'traceready[phoenix]'; or use --no-server",
        )


def _demo_in_local_phoenix(sample: Path, step: Callable[[str], None]) -> AbstractContextManager[Connector]:
    """A connector to a local Phoenix started for the demo; stopped and removed however it ends."""
    _require_phoenix()
    from .demo import demo_project

    step("starting a real Phoenix server on 127.0.0.1")
    return demo_project(sample, step)
