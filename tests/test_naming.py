"""One vendor slug everywhere: entry point, class, package folder, mapping file, cassettes, span source."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceready import checks
from traceready.checks import ALL_CHECKS
from traceready.connector import Connector, installed_connectors
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import builtin_mapping

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("slug", "cls"), sorted(installed_connectors().items()))
def test_slug_agrees_everywhere(slug, cls) -> None:
    assert cls.slug == slug
    assert cls.__module__ == f"traceready.connectors.{slug}"
    assert cls.package_dir().name == slug
    if cls.maps_as is not Connector.maps_as:
        return  # it reads other vendors' records (``audit file`` on an export): theirs are the mappings
    assert builtin_mapping(slug).vendor == slug
    assert Mapper(builtin_mapping(slug)).vendor == slug


def test_checks_are_in_product_order_and_named_after_their_requirement() -> None:
    assert [c.id for c in ALL_CHECKS] == list("abcdefghij")
    folder = Path(checks.__file__).parent
    for check in ALL_CHECKS:
        module = check.__module__.rsplit(".", 1)[-1]
        assert module.startswith(f"{check.id}_"), module
        assert (folder / f"{module}.py").is_file()
