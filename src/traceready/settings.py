"""Settings: ``TRACEREADY_*`` environment, then ``traceready.toml``, then defaults; flags win over all.

```toml
# traceready.toml (current directory, or --config)
format = "table"
fail_under = 0.7

[thresholds]
present = 0.9
"b.tool_spans_with_arguments" = 0.8
```
Vendor keys (``LANGSMITH_API_KEY``...) are read by each connector's own settings as ``SecretStr``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from traceready.checks.thresholds import Thresholds
from traceready.errors import NotFoundError, UsageError

DEFAULT_CONFIG = Path("traceready.toml")


class Settings(BaseSettings):
    """Defaults for every audit."""

    model_config = SettingsConfigDict(env_prefix="TRACEREADY_", extra="forbid", frozen=True)

    format: Literal["table", "md", "json"] = "table"
    fail_under: float | None = Field(None, ge=0.0, le=1.0)
    thresholds: Thresholds = Thresholds()

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


def load_settings(config: Path | None) -> Settings:
    """Settings from ``config`` (or ./traceready.toml when present) and the environment."""
    path = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    if config is not None and not config.is_file():
        raise NotFoundError(f"config file not found: {config}")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return Settings.model_validate(_FromFile().model_dump())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UsageError(f"{path or 'environment'}: {where}: {first['msg']}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
