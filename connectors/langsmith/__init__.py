"""LangSmith: ``traceready audit langsmith --project my-agent --since 7d``.

Reads the window's root runs (a lean select: ids and times), keeps the newest ``--limit`` traces or
a uniform ``--sample``, then pulls every run of those traces in bulk: one query per batch of
traces over the batch's time span, filtered to the batch's trace ids (never one request per run:
``GET /runs/{id}`` allows 30 a minute). Pages stream by cursor, and the next two batches are fetched on
worker threads while this one is mapped and scored. ``GET /info`` chooses the query API: v2
(SmithDB, ``/api/v2/runs/query``) when ``instance_flags.sdb_query_enabled`` is true, else v1
(``/runs/query``). Runs map through ``mappings/langsmith.yaml``; project facts come from
``inventory.py``.

Why httpx (the project's ``VendorClient``) and not the ``langsmith`` SDK's ``Client`` (read in
langsmith 0.15.1): not for its retries or errors, which are fine (``Client(retry_config=...)`` takes
any urllib3 ``Retry``, by default 3 tries on 408/425/429/5xx, and failures are typed:
``LangSmithAuthError``, ``LangSmithRateLimitError``, ``LangSmithNotFoundError``,
``LangSmithConnectionError``). The reasons that hold: ``Client.list_runs`` speaks only v1, is
deprecated ("will be removed after Jan 31, 2027") and builds a pydantic ``Run`` per row; its
replacement ``Client.runs.query`` (v2) returns an ``AsyncRunsResource`` even on the sync client and
refuses servers below 0.16.0, so no one call reaches both APIs. And it sends through ``requests``
with ``stream=False``, reading every body whole: the body cap (counted as the body streams, after
decompression) and the per-request deadline every traceready connector shares (``traceready.http``)
could not apply, nor could the tests' injected ``httpx.Client``. Raw pages are also what a
bounded-memory, fast pull needs: records stay plain dicts until mapped.

What the connector shapes before mapping (so one mapping reads v1 and v2 alike) is in ``shape.py``.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Inventory, Option, Pull, WindowedConnector
from traceready.errors import UsageError, VendorUnavailableError
from traceready.http import InvalidPageError, RetryPolicy, VendorClient, redact_url, unavailable
from traceready.model import Rejection
from traceready.paging import prefetch
from traceready.window import Window, parse_time

from .client import V1_PAGE, V2_PAGE, LangSmithClient, raise_org_scoped_key
from .inventory import collect_inventory
from .shape import shape_run

logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://api.smith.langchain.com"
TRACES_PER_BATCH = 100
"""Traces whose runs are pulled by one (paged) query."""
PREFETCH = 2
"""Batches pulled ahead, each on its own daemon thread (httpx clients are safe to share between threads)."""

ROOT_SELECT_V1 = ("id", "trace_id", "start_time", "end_time")
ROOT_SELECT_V2 = ("ID", "TRACE_ID", "START_TIME", "END_TIME")
# fmt: off
RUN_SELECT_V1 = (
    "id", "trace_id", "parent_run_id", "parent_run_ids", "dotted_order", "name", "run_type",
    "start_time", "end_time", "status", "error", "inputs", "outputs", "extra", "events", "tags",
    "session_id", "thread_id", "reference_example_id", "reference_dataset_id", "feedback_stats",
    "prompt_tokens", "completion_tokens", "total_tokens", "prompt_token_details",
    "completion_token_details", "prompt_cost", "completion_cost", "total_cost", "first_token_time",
    "app_path", "trace_tier", "ttl_seconds",
)
RUN_SELECT_V2 = (
    "ID", "TRACE_ID", "PARENT_RUN_IDS", "DOTTED_ORDER", "NAME", "RUN_TYPE", "START_TIME",
    "END_TIME", "STATUS", "ERROR", "INPUTS", "OUTPUTS", "EXTRA", "METADATA", "EVENTS", "TAGS",
    "PROJECT_ID", "THREAD_ID", "REFERENCE_EXAMPLE_ID", "REFERENCE_DATASET_ID", "FEEDBACK_STATS",
    "PROMPT_TOKENS", "COMPLETION_TOKENS", "TOTAL_TOKENS", "PROMPT_TOKEN_DETAILS",
    "COMPLETION_TOKEN_DETAILS", "PROMPT_COST", "COMPLETION_COST", "TOTAL_COST", "FIRST_TOKEN_TIME",
    "APP_PATH",
)
# fmt: on
SAMPLING_VARIABLE = "LANGSMITH_TRACING_SAMPLING_RATE"


class LangSmithSettings(BaseSettings):
    """LangSmith's own environment variables, ``LANGSMITH_*`` before ``LANGCHAIN_*`` as the SDK reads them."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    endpoint: str | None = Field(
        None, validation_alias=AliasChoices("endpoint", "LANGSMITH_ENDPOINT", "LANGCHAIN_ENDPOINT")
    )
    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("api_key", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")
    )
    project: str | None = Field(
        None, validation_alias=AliasChoices("project", "LANGSMITH_PROJECT", "LANGCHAIN_PROJECT")
    )
    workspace_id: str | None = Field(
        None,
        validation_alias=AliasChoices("workspace_id", "LANGSMITH_WORKSPACE_ID", "LANGCHAIN_WORKSPACE_ID"),
    )
    query_api: Literal["auto", "v1", "v2"] = "auto"
    """``auto`` asks ``GET /info``; ``v1``/``v2`` force one query API."""

    def endpoint_url(self) -> str:
        """The endpoint as given (quotes and trailing slash removed), else the US SaaS API."""
        text = (self.endpoint or "").strip().strip("\"'").rstrip("/")
        return text or DEFAULT_ENDPOINT

    def base_url(self) -> str:
        """The API root: the endpoint without ``/api/v1`` or ``/api`` (v1 and v2 paths hang off it)."""
        return self.endpoint_url().removesuffix("/api/v1").removesuffix("/api")

    def v1_prefix(self) -> str:
        """``/api/v1`` when the endpoint is a self-hosted ``.../api/v1`` or ``.../api``, else ""."""
        url = self.endpoint_url()
        return "/api/v1" if url.endswith(("/api/v1", "/api")) else ""

    def web_url(self) -> str:
        """The web app for deep links (``api.smith`` -> ``smith``, ``eu.api.smith`` -> ``eu.smith``)."""
        parts = urlsplit(self.base_url())
        host = (parts.hostname or "").replace("api.smith.langchain.com", "smith.langchain.com")
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def headers(self) -> dict[str, str]:
        """``x-api-key`` and, for an org-scoped key, ``X-Tenant-Id``; nothing for empty values."""
        headers = {"Accept": "application/json"}
        key = self.api_key.get_secret_value().strip().strip("\"'") if self.api_key is not None else ""
        if key:
            headers["x-api-key"] = key
        if self.workspace_id and self.workspace_id.strip():
            headers["X-Tenant-Id"] = self.workspace_id.strip()
        return headers


class LangSmithConnector(WindowedConnector):
    """A LangSmith tracing project over its REST API (v1 or v2 run queries)."""

    slug: ClassVar[str] = "langsmith"
    title: ClassVar[str] = "LangSmith"
    settings_model: ClassVar[type[BaseSettings]] = LangSmithSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option("--project", "project", "LangSmith project.", subject=True),
        Option("--endpoint", "endpoint", "LangSmith API URL: EU or self-hosted."),
        Option("--workspace-id", "workspace_id", "Workspace id, for org-scoped keys."),
    )
    required_key: ClassVar[str | None] = "api_key"

    def __init__(
        self,
        settings: LangSmithSettings,
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
            raise UsageError("no LangSmith project given", hint="pass --project or set LANGSMITH_PROJECT")
        self.settings = settings
        self.project = settings.project
        super().__init__(window, limit=limit, sample=sample, seed=seed)
        self.base_url = settings.base_url()
        self.web_url = redact_url(settings.web_url())
        self._owned = http is None
        transport = http or httpx.Client(base_url=self.base_url, headers=settings.headers(), timeout=timeout)
        transport.event_hooks["response"] = [*transport.event_hooks["response"], raise_org_scoped_key]
        self.client = LangSmithClient(
            VendorClient(
                transport, vendor="LangSmith", key_variable="LANGSMITH_API_KEY", retry=retry, sleep=sleep
            ),
            v1_prefix=settings.v1_prefix(),
        )
        self.api: str | None = None
        """``v1`` or ``v2`` once chosen."""
        self.project_id: str | None = None
        self.runs_pulled = 0
        self.ttl_seconds: int | None = None
        """The shortest retention (``ttl_seconds``) seen on a pulled run."""
        self.sampling_rates: set[str] = set()
        """``LANGSMITH_TRACING_SAMPLING_RATE`` values the SDK copied into run metadata."""
        self._lock = threading.Lock()

    @classmethod
    def create(cls, settings: LangSmithSettings, pull: Pull) -> LangSmithConnector:
        """The connector for one project and one pull."""
        return cls(settings, pull.window, limit=pull.limit, sample=pull.sample, seed=pull.seed)

    def close(self) -> None:
        """Cancel pending waits; close the HTTP client this connector opened (not an injected one)."""
        self.client.http.close(owned=self._owned)

    def describe_target(self) -> str:
        """The project and API."""
        api = f", {self.api} run queries" if self.api else ""
        return f"project {self.project} at {redact_url(self.base_url)}{api}"

    def _choose_api(self) -> str:
        if self.settings.query_api != "auto":
            return self.settings.query_api
        flags = self.client.info().get("instance_flags")
        # SmithDB serves v2; the SDK treats a missing sdb flag as false (v1).
        return "v2" if isinstance(flags, dict) and flags.get("sdb_query_enabled") is True else "v1"

    def _query(
        self,
        start: datetime,
        end: datetime | None,
        select: tuple[str, ...],
        *,
        roots: bool,
        max_items: int | None = None,
    ) -> Iterator[list[Any]]:
        """Pages of runs started in [start, end], newest first (v1; v2 pages in its own order)."""
        assert self.project_id is not None
        if self.api == "v2":
            body: dict[str, Any] = {
                "project_ids": [self.project_id],
                # Without it v2 silently narrows the window to the last 24 h.
                "min_start_time": start.isoformat(),
                "selects": list(select),
                "page_size": V2_PAGE,
            }
            if end is not None:
                body["max_start_time"] = end.isoformat()
            if roots:
                body["is_root"] = True
            return self.client.runs_v2(body, max_items=max_items)
        body = {
            "session": [self.project_id],
            "start_time": start.isoformat(),
            "select": list(select),
            "limit": V1_PAGE,
            "order": "desc",
        }
        if end is not None:
            body["end_time"] = end.isoformat()
        if roots:
            body["is_root"] = True
        return self.client.runs_v1(body, max_items=max_items)

    def _roots(self) -> list[tuple[str, datetime, datetime | None]]:
        """(trace id, start, end) of the chosen root runs, newest first."""
        select = ROOT_SELECT_V2 if self.api == "v2" else ROOT_SELECT_V1

        def stream() -> Iterator[tuple[str, datetime, datetime | None]]:
            for page in self._query(self.window_.start, self.window_.end, select, roots=True):
                for run in page:
                    if not isinstance(run, dict):
                        continue
                    trace_id = run.get("trace_id") or run.get("id")
                    start = parse_time(run.get("start_time"))
                    if isinstance(trace_id, str) and start is not None:
                        yield trace_id, start, parse_time(run.get("end_time"))

        if self.sample is None and self.api == "v2":
            # v2 takes no sort order (langsmith 0.15.1 ``RunQueryV2Params`` has none): read the
            # window's roots (ids and times only, up to TRACEREADY_MAX_PAGES pages) and keep the
            # newest, in memory for ``limit`` of them.
            chosen = heapq.nlargest(self.limit, stream(), key=lambda root: root[1])
        else:
            chosen = self.select(stream())
        return sorted(chosen, key=lambda r: r[1], reverse=True)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Runs of the chosen traces, a batch of traces at a time, shaped for the mapping."""
        try:
            self.api = self._choose_api()
            project = self.client.project(self.project)
            if not isinstance(project.get("id"), str):
                raise InvalidPageError(f"LangSmith project {self.project!r} has no id")
            self.project_id = project["id"]
            roots = self._roots()
            logger.info("LangSmith: %d traces chosen in %s (%s)", len(roots), self.project, self.api)
            batches = [roots[i : i + TRACES_PER_BATCH] for i in range(0, len(roots), TRACES_PER_BATCH)]
            # The pull waits on the server and the scoring uses the CPU: the next batches are
            # fetched on daemon threads while this one is mapped and scored. Batches come back in
            # order; at most PREFETCH are pulled ahead, so memory stays bounded.
            for records in prefetch(self._fetch, batches, ahead=PREFETCH, name="langsmith-pull"):
                yield from records
            sampled = sorted(r for r in self.sampling_rates if r.strip() not in ("1", "1.0"))
            if sampled:
                logger.warning(
                    "LangSmith: runs were traced with %s=%s: the project holds only that share of the traces",
                    SAMPLING_VARIABLE,
                    ",".join(sampled),
                )
        except (VendorUnavailableError, InvalidPageError) as exc:
            raise unavailable(exc, self.runs_pulled, "runs") from None

    def _fetch(self, batch: list[tuple[str, datetime, datetime | None]]) -> list[dict[str, Any] | Rejection]:
        """Every run of a batch of traces: one query over the batch's time span (prefetch thread)."""
        wanted = {trace_id for trace_id, _, _ in batch}
        start = min(s for _, s, _ in batch)
        ends = [e for _, _, e in batch]
        # A run starts and ends inside its root's span; a root still running has no end yet.
        end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
        end = self.window_.end if end is None else end
        select = RUN_SELECT_V2 if self.api == "v2" else RUN_SELECT_V1
        cap = len(batch) * self.client.http.limits.max_spans_per_trace
        records: list[dict[str, Any] | Rejection] = []
        other = seen = 0
        try:
            for page in self._query(start, end, select, roots=False, max_items=cap):
                seen += len(page)
                for run in page:
                    if not isinstance(run, dict):
                        records.append(self._not_an_object())
                    elif run.get("trace_id") not in wanted:
                        other += 1  # a run of a trace outside this batch: pulled by its own batch
                    else:
                        records.append(self._record(run))
        except InvalidPageError as exc:
            return [*records, *(Rejection(reason="invalid_page", detail=str(exc), raw_id=t) for t in wanted)]
        if seen >= cap:
            logger.warning(
                "LangSmith: stopped at %d runs for %d traces (TRACEREADY_MAX_SPANS_PER_TRACE)",
                seen,
                len(batch),
            )
        if other:
            logger.debug("LangSmith: %d runs of other traces skipped in a batch's time span", other)
        return records

    def _not_an_object(self) -> Rejection:
        with self._lock:
            self.runs_pulled += 1
        return Rejection(reason="not_an_object", detail="a run row that is not a JSON object")

    def _record(self, run: dict[str, Any]) -> dict[str, Any]:
        with self._lock:  # batches are fetched on PREFETCH threads
            self.runs_pulled += 1
            ttl = run.get("ttl_seconds")
            if isinstance(ttl, int) and not isinstance(ttl, bool):
                self.ttl_seconds = ttl if self.ttl_seconds is None else min(ttl, self.ttl_seconds)
            extra = run.get("extra")
            metadata = extra.get("metadata") if isinstance(extra, dict) else None
            rate = metadata.get(SAMPLING_VARIABLE) if isinstance(metadata, dict) else None
            if rate is not None:
                self.sampling_rates.add(str(rate))
        return shape_run(run, v2=self.api == "v2", web_url=self.web_url)

    def inventory(self) -> Inventory:
        """Datasets, experiments, prompts, feedback configs, rules and retention (see inventory.py)."""
        retention = None if self.ttl_seconds is None else self.ttl_seconds // 86_400
        return collect_inventory(self.client, self.project, retention_days=retention)
