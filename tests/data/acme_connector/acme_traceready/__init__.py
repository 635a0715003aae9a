"""Acme: a connector from another package, registered in ``traceready.connectors`` and nothing else.

Its records (``records.jsonl``: one trace of the bundled OpenInference sample, as the OTel reader
yields it) stand in for Acme's API; the mapping beside this file extends the OTel one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from traceready.connector import Option, Pull, WindowedConnector
from traceready.model import Rejection


class AcmeSettings(BaseSettings):
    """Acme's own environment variables."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    project: str | None = Field(None, validation_alias=AliasChoices("project", "ACME_PROJECT"))
    api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("api_key", "ACME_API_KEY"))
    region: str = Field("eu", validation_alias=AliasChoices("region", "ACME_REGION"))


class AcmeConnector(WindowedConnector):
    """Agent logs of an Acme project."""

    slug: ClassVar[str] = "acme"
    title: ClassVar[str] = "Acme Logs"
    settings_model: ClassVar[type[BaseSettings]] = AcmeSettings
    options: ClassVar[tuple[Option, ...]] = (
        Option("--project", "project", "Acme project.", subject=True),
        Option("--region", "region", "Acme region."),
    )
    required_key: ClassVar[str | None] = "api_key"

    def __init__(self, settings: AcmeSettings, pull: Pull) -> None:
        super().__init__(pull.window, limit=pull.limit, sample=pull.sample, seed=pull.seed)
        self.settings = settings

    @classmethod
    def create(cls, settings: AcmeSettings, pull: Pull) -> AcmeConnector:
        """The connector for one project and one pull."""
        return cls(settings, pull)

    def iter_records(self) -> Iterator[dict[str, Any] | Rejection]:
        """The shipped records."""
        for line in (Path(__file__).parent / "records.jsonl").read_text(encoding="utf-8").splitlines():
            yield json.loads(line)

    def describe_target(self) -> str:
        """The project and region."""
        return f"project {self.settings.project} in {self.settings.region}"
