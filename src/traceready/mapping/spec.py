"""Mapping specs: which raw-record paths fill which ``Span`` fields, in YAML.

A spec lists, per target field, candidate sources tried in order (the first non-empty wins):

```yaml
vendor: otel
fields:
  session_id: [attributes.session.id, attributes.gen_ai.conversation.id]
  llm.params: [{path: attributes.llm.invocation_parameters, transform: object}]
  llm.input_messages:
    - {path: attributes.gen_ai.input.messages, format: genai}
    - {path: attributes.llm.input_messages, format: openinference, flattened: true}
kind:
  - {path: attributes.gen_ai.operation.name, values: {chat: llm, execute_tool: tool}}
params:
  temperature: [attributes.gen_ai.request.temperature]
```

A user file (``--mapping mine.yaml``) names ``extends: <vendor>``; its sources are tried before the
built-in ones, so "our harness version lives in ``metadata.agent_rev``" needs one line. A built-in
spec may extend another the same way (``phoenix`` extends ``otel``: both hold OpenInference).

``flattened: true`` also reads dotted keys below the path (``llm.input_messages.0.message.role``)
and nests them into a dict, for sources that store structures flattened.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from traceready.errors import NotFoundError, UsageError, invalid
from traceready.mapping.messages import MESSAGE_FORMATS
from traceready.mapping.transforms import TRANSFORMS
from traceready.yaml_text import safe_load

FIELD_NAMES = (
    "span_id", "trace_id", "parent_id", "session_id", "name", "start_ns", "end_ns",
    "status_code", "status_message", "error.type", "error.message", "error.stacktrace",
    "input", "output", "metadata", "tags", "versions.harness", "versions.prompt",
    "environment", "scores", "url",
    "llm.provider", "llm.model", "llm.response_model", "llm.params", "llm.input_messages",
    "llm.output_messages", "llm.tools_offered", "llm.cost_usd", "llm.finish_reasons",
    "llm.usage.input_tokens", "llm.usage.output_tokens", "llm.usage.total_tokens",
    "llm.usage.reasoning_tokens", "llm.usage.cached_input_tokens",
    "tool.name", "tool.call_id", "tool.arguments", "tool.result",
)  # fmt: skip
"""The target fields in a fixed order (the mapper keeps each field's reads at its position)."""
FIELDS = frozenset(FIELD_NAMES)
"""Target fields a spec may fill; ``llm.params`` is also filled key by key from ``params``."""


class Source(BaseModel):
    """One candidate source for a field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    transform: str | None = None
    format: str | None = None
    flattened: bool = False
    values: dict[str, str] | None = None

    @field_validator("transform")
    @classmethod
    def _known_transform(cls, name: str | None) -> str | None:
        if name is not None and name not in TRANSFORMS:
            raise ValueError(f"unknown transform {name!r}; known: {', '.join(sorted(TRANSFORMS))}")
        return name

    @field_validator("format")
    @classmethod
    def _known_format(cls, name: str | None) -> str | None:
        if name is not None and name not in MESSAGE_FORMATS:
            known = ", ".join(sorted(MESSAGE_FORMATS))
            raise ValueError(f"unknown message format {name!r}; known: {known}")
        return name

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value


class MappingSpec(BaseModel):
    """A validated mapping file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor: str | None = None
    extends: str | None = None
    fields: dict[str, list[Source]] = {}
    kind: list[Source] = []
    params: dict[str, list[Source]] = {}
    redaction_markers: list[str] = []
    root_chain_is_agent: bool = False
    """The source has no agent kind (LangSmith run types, Braintrust span types): a root chain, the
    run that encloses every step, is the agent's run."""

    @model_validator(mode="after")
    def _names_a_vendor(self) -> MappingSpec:
        if self.vendor is None and self.extends is None:
            raise ValueError("a mapping names its 'vendor' or the built-in mapping it 'extends'")
        return self

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, list[Source]]) -> dict[str, list[Source]]:
        unknown = sorted(set(fields) - FIELDS)
        if unknown:
            raise ValueError(f"unknown target field(s) {', '.join(unknown)}")
        return fields

    def overlaid_on(self, base: MappingSpec, vendor: str) -> MappingSpec:
        """This spec's sources first, then the base's, field by field, under ``vendor``."""
        fields = {k: self.fields.get(k, []) + base.fields.get(k, []) for k in base.fields | self.fields}
        params = {k: self.params.get(k, []) + base.params.get(k, []) for k in base.params | self.params}
        return MappingSpec(
            vendor=vendor,
            fields=fields,
            kind=self.kind + base.kind,
            params=params,
            redaction_markers=sorted(set(self.redaction_markers) | set(base.redaction_markers)),
            root_chain_is_agent=self.root_chain_is_agent or base.root_chain_is_agent,
        )


def parse_mapping(text: str, origin: str) -> MappingSpec:
    """Validate mapping YAML; a bad file is a one-line UsageError naming the field."""
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{origin}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{origin}: a mapping file is a YAML mapping with at least 'vendor'")
    try:
        return MappingSpec.model_validate(data)
    except ValidationError as exc:
        raise invalid(f"{origin}", exc) from None


def builtin_mapping(vendor: str, home: FilePath | None = None) -> MappingSpec:
    """The mapping shipped for ``vendor``: ``mappings/<vendor>.yaml``, else ``home``/``mapping.yaml``.

    ``home`` is the folder of the connector's package: a connector from another package ships its own.
    """
    resource: Traversable = resources.files("traceready.mappings") / f"{vendor}.yaml"
    if not resource.is_file() and home is not None:
        resource = home / "mapping.yaml"
    if not resource.is_file():
        raise UsageError(f"no built-in mapping for {vendor!r}")
    spec = parse_mapping(resource.read_text(encoding="utf-8"), f"mappings/{vendor}.yaml")
    if spec.vendor != vendor:
        raise UsageError(f"mappings/{vendor}.yaml declares vendor {spec.vendor!r}")
    if spec.extends is None or spec.extends == vendor:
        return spec
    # A vendor that stores another's attributes (Phoenix keeps OpenInference) reuses its rules.
    return spec.overlaid_on(builtin_mapping(spec.extends), vendor)


def load_mapping(vendor: str, override: FilePath | None = None, home: FilePath | None = None) -> MappingSpec:
    """The built-in mapping for ``vendor`` (see ``builtin_mapping``), with a user's file laid over it."""
    base = builtin_mapping(vendor, home)
    if override is None:
        return base
    if not override.is_file():
        raise NotFoundError(f"mapping file not found: {override}")
    user = parse_mapping(override.read_text(encoding="utf-8"), str(override))
    if user.extends not in (None, vendor):
        raise UsageError(f"{override}: extends {user.extends!r} but the audit reads {vendor!r}")
    return user.overlaid_on(base, vendor)
