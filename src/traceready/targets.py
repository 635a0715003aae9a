"""Targets: one string names one auditable thing, wherever a command needs one.

```
target  = name              a [targets.<name>] table of traceready.toml
        | source ":" subject  an installed connector and what it reads
        | source            the connector alone: its settings (environment, [<source>] table) say the rest
source  = an installed connector's slug (``traceready connectors``)
subject = everything after the first colon, colons included: the project of a vendor API, the
          file or folder of ``otel``; empty means "from the settings"
```
Examples: ``otel:./exports/``, ``phoenix:my-agent``, ``langsmith:team:agent`` (project
``team:agent``), ``braintrust:`` (project from ``BRAINTRUST_PROJECT``), ``prod-langsmith``::

    [targets.prod-langsmith]            # traceready.toml
    source = "langsmith"
    project = "my-agent"
    endpoint = "https://eu.api.smith.langchain.com"
    workspace_id = "ws-123"             # any setting or option of the source

A name is looked up before a source, so ``[targets.phoenix]`` wins over the connector ``phoenix``. A
bare path is not a target (write ``otel:./exports``): a typo in a target name must be an error, never
an audit of something else. Relative paths in a named target are read from the config file's folder.

The API the commands use (``audit``, ``compare``, ``history``)::

    target = resolve_target("prod-langsmith", config)          # or "phoenix:my-agent"
    report = audit_target(target, Pull(window=..., limit=500), config=config)

Settings are layered the same way for every source (``build_connector``): the ``[<source>]`` table,
then the vendor's own environment variables, then what the target fixes, then the flags.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import SecretStr

from traceready.answers import load_answers
from traceready.audit import run_audit
from traceready.connector import Connector, Option, Pull, get_connector, installed_connectors
from traceready.errors import AuthError, UsageError, unknown_name
from traceready.files import display_path
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.model import Span
from traceready.recommend import load_catalog
from traceready.report.model import Report
from traceready.settings import config_path, load_settings, vendor_settings

__all__ = [
    "Target",
    "audit_connector",
    "audit_target",
    "build_connector",
    "named_targets",
    "resolve_target",
]


@dataclass(frozen=True, slots=True)
class Target:
    """One auditable thing: a source (connector slug) and the settings the target fixes."""

    source: str
    settings: dict[str, Any] = field(default_factory=dict)
    """Settings fields of the source's settings model (``project``, ``endpoint``, ``paths``...)."""
    name: str | None = None
    """The ``[targets.<name>]`` it was declared as, if any."""

    def public_settings(self) -> dict[str, str]:
        """The settings as text, without secrets (an ``api_key`` in a table is never shown)."""
        fields = get_connector(self.source).settings_model.model_fields
        shown: dict[str, str] = {}
        for key, value in self.settings.items():
            annotation = fields[key].annotation if key in fields else None
            if annotation is SecretStr or SecretStr in get_args(annotation):
                continue
            shown[key] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        return shown

    def label(self) -> str:
        """How to write this target: its name, else ``source:subject``."""
        if self.name is not None:
            return self.name
        subject = get_connector(self.source).subject()
        value = self.settings.get(subject.setting) if subject is not None else None
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        # A path that is not UTF-8 is shown with U+FFFD, so the label prints and is stored anywhere.
        return display_path(f"{self.source}:{value}") if value is not None else self.source


def _read_tables(config: Path | None) -> tuple[Path | None, dict[str, Any]]:
    path = config_path(config)
    if path is None:
        return None, {}
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8")).get("targets", {})
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    if not isinstance(tables, dict):
        raise UsageError(f"{path}: [targets] must hold tables, one per target")
    return path, tables


def _declared(name: str, table: Any, path: Path) -> Target:
    """A ``[targets.<name>]`` table as a Target; keys are settings or option names of its source."""
    where = f"{path}: [targets.{name}]"
    if not isinstance(table, dict) or not isinstance(table.get("source"), str):
        raise UsageError(f"{where} needs source = one of {', '.join(installed_connectors())}")
    cls = get_connector(table["source"])
    by_name = {o.name: o for o in cls.options} | {o.setting: o for o in cls.options}
    fields = set(cls.settings_model.model_fields)
    settings: dict[str, Any] = {}
    for key, value in table.items():
        if key == "source":
            continue
        option = by_name.get(key)
        if option is None and key not in fields:
            known = {*fields, *(o.name for o in cls.options)}
            raise unknown_name(
                UsageError(f"{where}: {cls.slug} has no setting {key!r}"), key, known, kind="known"
            )
        setting = option.setting if option is not None else key
        settings[setting] = _from_file(option, value, path.parent)
    return Target(source=cls.slug, settings=settings, name=name)


def _from_file(option: Option | None, value: Any, folder: Path) -> Any:
    """A table value as a setting: one string for a list becomes a list; paths are read from ``folder``."""
    if option is None:
        return value
    if option.multiple and not isinstance(value, list):
        value = [value]
    if option.type is Path:
        if isinstance(value, list):
            return [folder / Path(str(v)).expanduser() for v in value]
        return folder / Path(str(value)).expanduser()
    return value


def named_targets(config: Path | None = None) -> dict[str, Target]:
    """The ``[targets.<name>]`` of ``config`` (or ./traceready.toml), by name, in file order."""
    path, tables = _read_tables(config)
    if path is None:
        return {}
    return {name: _declared(name, table, path) for name, table in tables.items()}


def resolve_target(text: str, config: Path | None = None) -> Target:
    """The Target a string names (see the module docstring for the grammar)."""
    path, tables = _read_tables(config)
    if path is not None and text in tables:
        return _declared(text, tables[text], path)
    source, colon, subject_text = text.partition(":")
    connectors = installed_connectors()
    if source not in connectors:
        error = UsageError(f"unknown target {text!r}")
        if colon:
            raise unknown_name(error, source, connectors, kind="sources")
        readers = [
            slug
            for slug, c in connectors.items()
            if c.reads_traces and (o := c.subject()) is not None and o.type is Path
        ]
        if readers and ("/" in text or "\\" in text or "." in text):
            error.hint = (
                f"a path is written {readers[0]}:{text}; or declare [targets.{text}] in traceready.toml"
            )
            raise error
        raise unknown_name(error, text, [*tables, *connectors], kind="targets and sources")
    subject = connectors[source].subject()
    if not subject_text or subject is None:
        if subject_text:
            raise UsageError(
                f"{source} takes no subject, so {text!r} is not a target", hint=f"write {source}"
            )
        return Target(source=source)
    return Target(source=source, settings={subject.setting: subject.value(subject_text)})


def build_connector(
    target: Target,
    pull: Pull | None = None,
    *,
    config: Path | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Connector:
    """The connector for ``target`` and one ``pull`` (window, limit, sample, seed).

    Settings: the ``[<source>]`` table of ``config``, then the environment, then ``target.settings``,
    then ``flags`` (settings fields; None means "not given"). A required API key that is not set is
    an ``AuthError`` naming its variable, raised before any request.
    """
    cls = get_connector(target.source)
    given = {**target.settings, **{k: v for k, v in (flags or {}).items() if v is not None}}
    settings = vendor_settings(cls.settings_model, cls.slug, config, **given)
    connector = cls.create(settings, pull or Pull())
    if cls.required_key is not None and not _is_set(getattr(settings, cls.required_key, None)):
        connector.close()
        variable = cls.env_variables().get(cls.required_key, (cls.required_key,))[0]
        raise AuthError(f"no {cls.title} API key", hint=f"set {variable}")
    return connector


def _is_set(value: Any) -> bool:
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return bool(str(text or "").strip().strip("\"'"))


def audit_connector(
    connector: Connector,
    *,
    config: Path | None = None,
    mapping: Path | None = None,
    answers: Path | None = None,
    on_span: Callable[[Span], None] | None = None,
) -> Report:
    """Audit a built connector with the thresholds of ``config``; the connector is closed after."""
    try:
        settings = load_settings(config)
        source = connector.maps_as()
        mapper = Mapper(load_mapping(source.slug, mapping, home=source.package_dir()))
        catalog = load_catalog(connector.recommendations_path())
        facts = load_answers(answers) if answers is not None else connector.self_reported()
        return run_audit(
            connector, mapper, catalog=catalog, thresholds=settings.thresholds, answers=facts, on_span=on_span
        )
    finally:
        connector.close()


def audit_target(
    target: Target,
    pull: Pull | None = None,
    *,
    config: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    mapping: Path | None = None,
    answers: Path | None = None,
    on_span: Callable[[Span], None] | None = None,
) -> Report:
    """One audit of ``target``: build its connector (``build_connector``), pull, score, return the Report.

    Raises the ``TracereadyError`` of the failure (exit codes in ``traceready.errors``).
    """
    return audit_connector(
        build_connector(target, pull, config=config, flags=flags),
        config=config,
        mapping=mapping,
        answers=answers,
        on_span=on_span,
    )
