"""Braintrust: ``traceready audit braintrust --project my-agent --since 7d``.

Reads production logs (``project_logs``) through ``POST /btql`` in two steps, as the Phoenix connector
does: the window's root spans newest first (or a uniform sample of them) give the trace ids, then the
spans of a batch of traces are pulled page by page (``root_span_id`` filter). Rows are versioned:
within a batch only the highest ``_xact_id`` of each row ``id`` is kept, older versions are counted
as ``superseded_version`` rejections (an exact repeat as ``duplicate_row``) so pulled = mapped +
rejected still holds. Span ids may be
16/32 hex digits (SDK >= 0.48, OTel-shaped) or UUIDs (older SDKs, ``BRAINTRUST_LEGACY_IDS``); both
are Braintrust's own formats. Rows map through ``mappings/braintrust.yaml``; project facts
(experiments, datasets, scorers, online scoring rules, prompt versions, org environments, logs
retention) come from ``inventory.py``.

Data planes: ``BRAINTRUST_API_URL`` (or ``--api-url``: a URL, or ``us`` / ``eu`` for the hosted
ones) wins; without it the key logs in at ``BRAINTRUST_APP_URL`` (default www.braintrust.dev) and
the organization's own ``api_url`` is used, which is how the SDK finds EU and self-hosted planes.
BTQL is rate limited (about 20 requests a minute on the common plans): 429s are retried after the
server's ``Retry-After``, shown (and summed up) by the shared wait reporter (``traceready.waits``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, ClassVar

import httpx
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Inventory, Option, Pull, WindowedConnector
from traceready.errors import AuthError, UsageError, VendorUnavailableError
from traceready.http import InvalidPageError, RetryPolicy, VendorClient, redact_url, unavailable
from traceready.model import Rejection
from traceready.paging import prefetch
from traceready.window import Window

from .client import BraintrustClient, all_of, any_of, compare
from .inventory import collect_inventory

logger = logging.getLogger(__name__)

DEFAULT_APP_URL = "https://www.braintrust.dev"
DATA_PLANES = {"us": "https://api.braintrust.dev", "eu": "https://api-eu.braintrust.dev"}
"""Hosted data planes by region; a self-hosted plane is given by its URL."""
TRACES_PER_BATCH = 100
"""Traces whose spans one ``/btql`` query asks for (an ``or`` of ``root_span_id`` equalities)."""
RETRY = RetryPolicy(attempts=6, base_delay=1.0, max_delay=60.0, max_total=300.0)
"""BTQL answers 429 with a Retry-After of up to a minute: wait for it rather than give up."""

_ID = re.compile(
    r"^(?:[0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|trace_[0-9a-f]{32})$"
)
"""Span and trace ids the SDKs write: hex (SDK >= 0.48), UUIDs (legacy ids), and the OpenAI Agents
SDK's own ``trace_<32 hex>`` (``gen_trace_id``), which ``BraintrustTracingProcessor`` makes the root's
``span_id`` and every row's ``root_span_id``."""


class BraintrustSettings(BaseSettings):
    """Braintrust's own environment variables (``BRAINTRUST_*``), as its SDK reads them."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("api_key", "BRAINTRUST_API_KEY"))
    api_url: str | None = Field(None, validation_alias=AliasChoices("api_url", "BRAINTRUST_API_URL"))
    app_url: str | None = Field(None, validation_alias=AliasChoices("app_url", "BRAINTRUST_APP_URL"))
    app_public_url: str | None = Field(
        None, validation_alias=AliasChoices("app_public_url", "BRAINTRUST_APP_PUBLIC_URL")
    )
    org_name: str | None = Field(None, validation_alias=AliasChoices("org_name", "BRAINTRUST_ORG_NAME"))
    project: str | None = Field(None, validation_alias=AliasChoices("project", "BRAINTRUST_PROJECT"))

    def data_plane(self) -> str | None:
        """The data-plane URL when given (``us`` and ``eu`` name the hosted ones), else None."""
        if not self.api_url:
            return None
        return DATA_PLANES.get(self.api_url.strip().lower(), self.api_url).rstrip("/")

    def control_plane(self) -> str:
        """Where the key logs in to learn its organization's data plane."""
        return (self.app_url or DEFAULT_APP_URL).rstrip("/")

    def key(self) -> str | None:
        """The API key, or None when unset or blank."""
        value = self.api_key.get_secret_value().strip() if self.api_key is not None else ""
        return value or None


class BraintrustConnector(WindowedConnector):
    """A Braintrust project's production logs over BTQL."""

    slug: ClassVar[str] = "braintrust"
    title: ClassVar[str] = "Braintrust"
    settings_model: ClassVar[type[BaseSettings]] = BraintrustSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option("--project", "project", "Braintrust project name.", subject=True),
        Option("--api-url", "api_url", "Data plane: us, eu, or a self-hosted URL."),
        Option("--org", "org_name", "Organization name."),
    )
    required_key: ClassVar[str | None] = "api_key"

    def __init__(
        self,
        settings: BraintrustSettings,
        window: Window,
        *,
        limit: int = 500,
        sample: int | None = None,
        seed: int = 0,
        http: httpx.Client | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        on_wait: Callable[[float, str], None] | None = None,
    ) -> None:
        if not settings.project:
            raise UsageError("no Braintrust project given", hint="pass --project or set BRAINTRUST_PROJECT")
        self.settings = settings
        self.project = settings.project
        super().__init__(window, limit=limit, sample=sample, seed=seed)
        self.api_url = settings.data_plane()
        self._owned = http is None
        key = settings.key()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        if settings.org_name:
            headers["x-bt-org-name"] = settings.org_name
        transport = http or httpx.Client(
            base_url=self.api_url or settings.control_plane(), headers=headers, timeout=timeout
        )
        self.client = BraintrustClient(
            VendorClient(
                transport,
                vendor="Braintrust",
                key_variable="BRAINTRUST_API_KEY",
                retry=retry or RETRY,
                sleep=sleep,
                on_wait=on_wait,
            ),
            org_name=settings.org_name,
        )
        self.project_id: str | None = None
        self.spans_pulled = 0
        self.superseded = 0

    @classmethod
    def create(cls, settings: BraintrustSettings, pull: Pull) -> BraintrustConnector:
        """The connector for one project and one pull; BTQL waits are shown through ``pull``."""
        return cls(
            settings,
            pull.window,
            limit=pull.limit,
            sample=pull.sample,
            seed=pull.seed,
            sleep=pull.sleep,
            on_wait=pull.on_wait,
        )

    def close(self) -> None:
        """Cancel pending waits; close the HTTP client this connector opened (not an injected one)."""
        self.client.http.close(owned=self._owned)

    def describe_target(self) -> str:
        """The project and data plane."""
        return f"project {self.project} at {redact_url(self.api_url or self.settings.control_plane())}"

    def _connect(self) -> str:
        """Find the data plane (login when not given) and the project id."""
        if self.project_id is not None:
            return self.project_id
        if self.settings.key() is None:
            raise AuthError("no Braintrust API key", hint="set BRAINTRUST_API_KEY")
        if self.api_url is None:
            org = self.client.login(self.settings.control_plane())
            self.api_url = str(org.get("api_url") or DATA_PLANES["us"]).rstrip("/")
            self.client.http.client.base_url = httpx.URL(self.api_url)
            if self.client.org_name is None and isinstance(org.get("name"), str):
                self.client.org_name = org["name"]
        project = self.client.project(self.project)
        self.project_id = str(project["id"])
        return self.project_id

    def _window_filter(self) -> dict[str, Any]:
        conditions = [
            compare("eq", "is_root", True),
            compare("ge", "created", self.window_.start.isoformat()),
        ]
        if self.window_.end is not None:
            conditions.append(compare("lt", "created", self.window_.end.isoformat()))
        return all_of(*conditions)

    def _root_ids(self, project_id: str) -> Iterator[str]:
        seen: set[str] = set()
        for page in self.client.btql_pages("project_logs", project_id, self._window_filter()):
            for row in page:
                trace_id = row.get("root_span_id") if isinstance(row, dict) else None
                if isinstance(trace_id, str) and trace_id not in seen:
                    seen.add(trace_id)  # a root row rewritten later may come back on a later page
                    yield trace_id

    def _trace_ids(self, project_id: str) -> list[str]:
        ids = self._root_ids(project_id)
        return self.select(ids)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """Spans of the selected traces, a batch of traces at a time, latest version of each row."""
        try:
            project_id = self._connect()
            trace_ids = self._trace_ids(project_id)
            logger.info("Braintrust: %d traces selected in %s", len(trace_ids), self.project)
            batches = [
                trace_ids[i : i + TRACES_PER_BATCH] for i in range(0, len(trace_ids), TRACES_PER_BATCH)
            ]
            # The pull waits on the data plane and scoring uses the CPU: the next batch is fetched on
            # a daemon thread while this one is mapped and scored (one request in flight at a time,
            # so the BTQL rate limit sees no more than a sequential pull would send).
            fetch = partial(self._fetch, project_id)
            for records in prefetch(fetch, batches, ahead=1, name="braintrust-pull"):
                yield from records
        except (VendorUnavailableError, InvalidPageError) as exc:
            raise unavailable(exc, self.spans_pulled) from None
        if self.superseded:
            logger.info("Braintrust: %d older row versions superseded by a later _xact_id", self.superseded)

    def _fetch(self, project_id: str, trace_ids: list[str]) -> list[dict[str, Any] | Rejection]:
        """One batch of traces, fully pulled (run on the prefetch thread)."""
        return list(self._batch(project_id, trace_ids))

    def _batch(self, project_id: str, trace_ids: list[str]) -> Iterator[dict[str, Any] | Rejection]:
        wanted = any_of(*(compare("eq", "root_span_id", t) for t in trace_ids))
        latest: dict[str, dict[str, Any]] = {}
        dropped: list[Rejection] = []
        cap = len(trace_ids) * self.client.http.limits.max_spans_per_trace
        seen = 0
        try:
            for page in self.client.btql_pages("project_logs", project_id, wanted, max_items=cap):
                seen += len(page)
                for row in page:
                    if not isinstance(row, dict):
                        dropped.append(
                            Rejection(reason="not_an_object", detail="a row that is not a JSON object")
                        )
                        continue
                    row_id = row.get("id")
                    if not isinstance(row_id, str):
                        dropped.append(Rejection(reason="missing_id", detail="row without id"))
                        continue
                    kept = latest.get(row_id)
                    if kept is None:
                        latest[row_id] = row
                        continue
                    if _xact(row) == _xact(kept):
                        dropped.append(Rejection(reason="duplicate_row", raw_id=row_id))
                        continue
                    older, newer = (kept, row) if _xact(row) > _xact(kept) else (row, kept)
                    latest[row_id] = newer
                    self.superseded += 1
                    dropped.append(
                        Rejection(
                            reason="superseded_version", detail=str(older.get("_xact_id")), raw_id=row_id
                        )
                    )
        except InvalidPageError as exc:
            for trace_id in trace_ids:
                yield Rejection(reason="invalid_page", detail=str(exc), raw_id=trace_id)
            return
        if seen >= cap:
            logger.warning(
                "Braintrust: stopped at %d rows for %d traces (TRACEREADY_MAX_SPANS_PER_TRACE)",
                seen,
                len(trace_ids),
            )
        yield from dropped
        for row in latest.values():
            self.spans_pulled += 1
            yield self._record(project_id, row)

    def _record(self, project_id: str, row: dict[str, Any]) -> dict[str, Any]:
        org = self.client.org_name
        url = None
        if org:
            app = redact_url(self.settings.app_public_url or self.settings.control_plane()).rstrip("/")
            url = f"{app}/app/{org}/object?object_type=project_logs&object_id={project_id}&id={row.get('id')}"
        return shape_row(row, url)

    def inventory(self) -> Inventory:
        """Experiments, datasets, evaluators, prompt versions, environments, retention (inventory.py)."""
        if self.project_id is None:
            return Inventory()
        return collect_inventory(self.client, self.project_id)


def shape_row(row: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    """One logs row as the mapping reads it: its link in the UI, ids that are not Braintrust's noted.

    The input is not modified; ``url`` is None for a row read from an export file.
    """
    record = dict(row)
    if url is not None:
        record["_traceready_url"] = url
    ids = (row.get("span_id"), row.get("root_span_id"))
    if not all(isinstance(i, str) and _ID.match(i) for i in ids):
        record["quality"] = [*(row.get("quality") or ()), "nonstandard_id"]
    return record


def _xact(row: dict[str, Any]) -> int:
    """A row version's transaction id as a number (``_xact_id`` is a decimal string)."""
    try:
        return int(str(row.get("_xact_id")))
    except ValueError:
        return -1
