"""Every gap a check can emit has a vendor-specific fix in every connector's catalog."""

from __future__ import annotations

import pytest

from traceready.checks import ALL_CHECKS
from traceready.connector import installed_connectors
from traceready.instrumentation import FAMILIES
from traceready.recommend import load_catalog

ALL_GAPS = sorted({gap for check in ALL_CHECKS for gap in check.gap_ids()})
SHIPPING = sorted(
    slug
    for slug, cls in installed_connectors().items()
    if (cls.package_dir() / "recommendations.yaml").is_file()
)
"""Connectors with a catalog of their own: all but answers, which borrows one (below)."""


def test_only_the_answers_connector_borrows_a_catalog() -> None:
    assert sorted(set(installed_connectors()) - set(SHIPPING)) == ["answers"]


@pytest.mark.parametrize(
    ("source", "lender"),
    [
        ("langsmith", "langsmith"),
        ("phoenix", "phoenix"),
        ("text_files", "otel"),
        ("unknown", "otel"),
        (None, "otel"),
    ],
)
def test_answers_use_the_fixes_of_the_source_they_name(tmp_path, source: str | None, lender: str) -> None:
    path = tmp_path / "answers.toml"
    path.write_text("version = 2\n" + (f'[logging]\nsource = "{source}"\n' if source else ""))
    connector = installed_connectors()["answers"](path)
    assert (
        connector.recommendations_path()
        == installed_connectors()[lender].package_dir() / "recommendations.yaml"
    )


@pytest.mark.parametrize("slug", SHIPPING)
def test_catalog_covers_every_gap_id(slug: str) -> None:
    catalog = load_catalog(installed_connectors()[slug].package_dir() / "recommendations.yaml")
    missing = [gap for gap in ALL_GAPS if gap not in catalog.root]
    assert not missing, f"{slug} has no recommendation for {missing}"


@pytest.mark.parametrize("slug", SHIPPING)
def test_catalog_names_only_known_gaps(slug: str) -> None:
    catalog = load_catalog(installed_connectors()[slug].package_dir() / "recommendations.yaml")
    assert sorted({key.partition("@")[0] for key in catalog.root} - set(ALL_GAPS)) == []


@pytest.mark.parametrize("slug", sorted(installed_connectors()))
def test_catalog_fits_only_known_instrumentation_families(slug: str) -> None:
    catalog = load_catalog(installed_connectors()[slug].package_dir() / "recommendations.yaml")
    fitted = {key.partition("@")[2] for key in catalog.root if "@" in key}
    assert fitted <= FAMILIES


def test_a_detected_family_gets_its_own_fix_and_others_the_plain_one() -> None:
    catalog = load_catalog(installed_connectors()["otel"].package_dir() / "recommendations.yaml")
    plain = catalog.for_gaps(("a.content_redacted",))[0]
    fitted = catalog.for_gaps(("a.content_redacted",), ("openinference",))[0]
    assert fitted.snippet is not None and "TraceConfig" in fitted.snippet
    assert plain != fitted
    assert catalog.for_gaps(("a.content_redacted",), ("no-such-family",)) == (plain,)


def test_gap_ids_belong_to_their_requirement() -> None:
    for check in ALL_CHECKS:
        assert all(gap.startswith(f"{check.id}.") for gap in check.gap_ids()), check.id
        assert all(m.id.startswith(f"{check.id}.") for m in check.metrics), check.id
