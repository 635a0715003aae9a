"""Settings: ``TRACEREADY_*`` environment, then ``traceready.toml``, then defaults; flags win over all.

```toml
# traceready.toml (current directory, or --config)
format = "table"
fail_under = 0.7

[thresholds]
present = 0.9
"b.tool_spans_with_arguments" = 0.8

[langsmith]                      # any installed connector's slug: defaults for its settings
endpoint = "https://eu.api.smith.langchain.com"

[targets.prod-langsmith]         # a named target (see traceready.targets)
source = "langsmith"
project = "my-agent"
```
Connector tables (``[phoenix]``, ``[langsmith]``...) are defaults for each connector's own
settings class, which reads the vendor's own environment variables on top (``vendor_settings``);
keys are ``SecretStr`` and never printed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from traceready.checks.thresholds import Thresholds
from traceready.errors import NotFoundError, UsageError, invalid

DEFAULT_CONFIG = Path("traceready.toml")

T = TypeVar("T", bound=BaseSettings)


class Settings(BaseSettings):
    """Defaults for every audit."""

    model_config = SettingsConfigDict(env_prefix="TRACEREADY_", extra="forbid", frozen=True)

    format: Literal["table", "md", "json", "html"] = "table"
    fail_under: float | None = Field(None, ge=0.0, le=1.0)
    thresholds: Thresholds = Thresholds()
    targets: dict[str, dict[str, Any]] = {}
    """Named targets, ``[targets.<name>]`` (see ``traceready.targets``)."""

    @model_validator(mode="before")
    @classmethod
    def _without_connector_tables(cls, data: Any) -> Any:
        """Drop ``[<slug>]`` tables: they are each connector's defaults, read by ``vendor_settings``."""
        if not isinstance(data, dict):
            return data
        from importlib.metadata import entry_points

        from traceready.connector import ENTRY_POINT_GROUP

        slugs = {entry.name for entry in entry_points(group=ENTRY_POINT_GROUP)}
        return {key: value for key, value in data.items() if key not in slugs}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init values, then the environment, then the TOML file."""
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def config_path(config: Path | None) -> Path | None:
    """The config file in use: the one given, else ./traceready.toml when present."""
    if config is not None and not config.is_file():
        raise NotFoundError(f"config file not found: {config}")
    return config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)


def vendor_settings(cls: type[T], section: str, config: Path | None, **flags: Any) -> T:
    """A vendor's settings: ``[section]`` of traceready.toml, then its env variables, then flags."""
    path = config_path(config)
    defaults: dict[str, Any] = {}
    if path is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get(section, {})
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{path}: not valid TOML ({exc})") from None
        if not isinstance(table, dict):
            raise UsageError(f"{path}: [{section}] must be a table")
        defaults = table
    explicit = {k: v for k, v in flags.items() if v is not None}
    try:
        from_env = cls()
        merged = {**defaults, **from_env.model_dump(exclude_unset=True), **explicit}
        return cls.model_validate(merged)
    except ValidationError as exc:
        raise invalid(f"{section} settings", exc) from None


def load_settings(config: Path | None) -> Settings:
    """Settings from ``config`` (or ./traceready.toml when present) and the environment."""
    path = config_path(config)

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return Settings.model_validate(_FromFile().model_dump())
    except ValidationError as exc:
        raise invalid(f"{path or 'environment'}", exc) from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
