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
"""Connectors with a catalog of their own: all but answers and file, which borrow one (below, and
``tests/connectors/file``: an export's fixes are its vendor's)."""


def test_only_the_answers_and_file_connectors_borrow_a_catalog() -> None:
    assert sorted(set(installed_connectors()) - set(SHIPPING)) == ["answers", "file"]


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


@pytest.mark.parametrize("slug", SHIPPING)
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


def _catalog(slug: str):  # type: ignore[no-untyped-def]
    return load_catalog(installed_connectors()[slug].package_dir() / "recommendations.yaml")


@pytest.mark.parametrize("slug", SHIPPING)
def test_links_are_https_and_unique_unless_shared_on_purpose(slug: str) -> None:
    from collections import Counter

    catalog = _catalog(slug)
    urls = Counter(str(entry.doc_url) for entry in catalog.root.values())
    for gap, entry in catalog.root.items():
        url = entry.doc_url
        assert url.scheme == "https" and url.host and "." in url.host, (gap, str(url))
        assert " " not in str(url), gap
        shared = urls[str(url)] > 1
        assert entry.shared_doc == shared, (
            f"{slug} {gap}: {url} is {'shared with another fix' if shared else 'used once'}; "
            f"set shared_doc: {str(shared).lower()}"
        )


# The page each catalog names for a fix was checked against the vendor's documentation; these are
# the pages a wrong link once pointed at instead (j.no_datasets at the GenAI events spec).
WRONG_PAGES = {
    ("otel", "j.no_datasets"): "gen-ai-events",
    ("otel", "j.no_scored_experiments"): "gen-ai-events",
    ("otel", "j.no_automated_evaluators"): "gen-ai-events",
    ("otel", "j.no_recent_runs"): "gen-ai-events",
    # Checked one by one against the stored vendor docs (docs.langchain.com, arize.com/docs/phoenix):
    ("langsmith", "e.retention_short"): "#change-project-level-default-retention",  # no such anchor
    ("langsmith", "c.tools_offered_missing"): "trace-openai",  # log-llm-trace shows inputs.tools
    ("phoenix", "e.retention_short"): "self-hosting/configuration",  # settings/data-retention
    ("phoenix", "a.no_llm_spans"): "setup-tracing/instrument",  # manual helpers; auto: phoenix-otel
    ("phoenix", "f.version_missing"): "setup-tracing/instrument",  # metadata: customize-spans
    ("phoenix", "g.no_failure_taxonomy"): "capture-feedback",  # configs: annotating-in-the-ui
    ("phoenix", "j.no_scores_on_traces"): "capture-feedback",  # evals on traces
    # otel, its framework links checked against the stored docs (traceloop, pydantic-ai, Strands,
    # OpenAI Agents SDK, opentelemetry.io, semconv, collector-contrib, adk-python, arXiv):
    ("otel", "d.broken_parent_links"): "python/propagation",  # cross-service; threads: threading
    ("otel", "f.harness_not_in_version_control"): "resource/#service",  # service.version: service/
    ("otel", "e.session_id_missing@pydantic-ai"): "/logfire/",  # conversation_id: message-history
}


@pytest.mark.parametrize(("slug", "gap"), list(WRONG_PAGES))
def test_a_fix_links_to_the_page_about_it(slug: str, gap: str) -> None:
    assert WRONG_PAGES[slug, gap] not in str(_catalog(slug).root[gap].doc_url)
    if gap == "j.no_datasets":
        assert "dataset" in str(_catalog(slug).root[gap].doc_url)


@pytest.mark.parametrize("slug", SHIPPING)
def test_covered_gaps_exist_and_covering_does_not_chain(slug: str) -> None:
    catalog = _catalog(slug)
    covered = {gap for entry in catalog.root.values() for gap in entry.covers}
    assert covered <= set(catalog.root)
    for gap, entry in catalog.root.items():
        assert gap not in entry.covers
        # A covered fix never covers another: dropping it must not drop a third gap's only fix.
        assert not (gap in covered and entry.covers), gap


@pytest.mark.parametrize("slug", SHIPPING)
@pytest.mark.parametrize(
    ("kept", "dropped"),
    [
        ("h.cost_unpriced", "h.cost_missing"),
        ("g.no_failure_taxonomy", "g.failures_unlabelled"),
        ("e.session_id_missing", "h.session_rollup_missing"),
    ],
)
def test_one_gap_one_fix(slug: str, kept: str, dropped: str) -> None:
    from traceready.findings import Evidence, Finding, Status
    from traceready.recommend import attach

    def finding(requirement: str, gaps: tuple[str, ...]) -> Finding:
        return Finding(
            requirement=requirement,
            title=requirement,
            status=Status.PARTIAL,
            score=0.5,
            reason="r.",
            evidence=Evidence.OBSERVED,
            gaps=gaps,
        )

    both = attach(
        [finding(kept[0], (kept,)), finding(dropped[0], (dropped,))]
        if kept[0] != dropped[0]
        else [finding(kept[0], (dropped, kept))],
        _catalog(slug),
    )
    given = [r.gap for f in both for r in f.recommendations]
    assert given == [kept]
    alone = attach([finding(dropped[0], (dropped,))], _catalog(slug))
    assert [r.gap for r in alone[0].recommendations] == [dropped]


def test_the_sample_report_gives_one_cost_fix() -> None:
    from tests.test_scenarios import audit

    h = next(f for f in audit("openinference_full").findings if f.requirement == "h")
    assert set(h.gaps) >= {"h.cost_missing", "h.cost_unpriced"}
    assert [r.gap for r in h.recommendations] == ["h.cost_unpriced"]
