"""The HTML reports in a real headless Chromium (Debian's), loaded from disk with the network blocked.

Every request the page makes (other than the file itself) is aborted and counted, and so is every
load the page's Content-Security-Policy refuses: both must be 0. What a reader needs is checked on
the rendered DOM, and a screenshot of each page is kept under ``artifacts/`` (CI keeps it).
Driver: Playwright's Python package against ``/usr/bin/chromium`` (no browser download); it can
route and count requests, which Selenium with chromium-driver cannot without CDP plumbing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import SAMPLES
from traceready.cli import app

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FULL = SAMPLES / "openinference_full.otlp.jsonl"
NO_TOOLS = SAMPLES / "llm_spans_no_tool_spans.otlp.jsonl"

# Records CSP refusals: a load the policy blocks never becomes a request event, so count it here.
VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.blockedURI));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: scripts/setup dev installs it (apt-get)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@dataclass
class Loaded:
    page: Page
    requests: list[str] = field(default_factory=list)

    @property
    def network(self) -> list[str]:
        """Every request beyond the file itself, and every load the page's CSP refused."""
        refused = self.page.evaluate("window.__violations")
        return self.requests + [f"csp:{url}" for url in refused]


def load(browser: Browser, path: Path) -> Iterator[Loaded]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, service_workers="block")
    page = context.new_page()
    loaded = Loaded(page)
    document = path.as_uri()

    def block(route: Route) -> None:
        if route.request.url == document:
            route.continue_()
            return
        loaded.requests.append(route.request.url)
        route.abort()

    def seen(request) -> None:
        if request.url != document and request.url not in loaded.requests:
            loaded.requests.append(request.url)

    context.route("**/*", block)
    page.on("request", seen)
    page.add_init_script(VIOLATIONS)
    page.goto(document, wait_until="load")
    page.wait_for_timeout(300)  # let late loads (fonts, lazy images) start, so they are counted
    try:
        yield loaded
    finally:
        context.close()


def render(tmp_path: Path, *args: str, name: str, env: dict[str, str] | None = None) -> Path:
    out = tmp_path / name
    result = CliRunner(env=env).invoke(app, [*args, "--format", "html", "--out", str(out)])
    assert result.exit_code in (0, 5), result.output
    return out


def screenshot(page: Page, name: str) -> None:
    """The top of the page and the whole page; ``docs/report.png`` is a copy of ``report.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)


@pytest.fixture
def audit_page(browser: Browser, tmp_path: Path) -> Iterator[Loaded]:
    path = render(tmp_path, "audit", "otel", str(FULL), name="report.html")
    yield from load(browser, path)


def test_audit_report_loads_from_disk_without_a_single_request(audit_page: Loaded) -> None:
    assert audit_page.network == []


def test_audit_report_shows_the_verdict_all_ten_requirements_and_a_findings_criteria(
    audit_page: Loaded,
) -> None:
    page = audit_page.page
    verdict = page.locator("#verdict")
    assert verdict.is_visible()
    expected = orjson.loads(CliRunner().invoke(app, ["audit", "otel", str(FULL), "-f", "json"]).stdout)
    assert expected["overall"]["verdict"] in verdict.inner_text()
    rows = page.locator("table.summary tr[data-requirement]")
    assert [rows.nth(i).get_attribute("data-requirement") for i in range(rows.count())] == list("abcdefghij")
    assert all(rows.nth(i).is_visible() for i in range(10))
    chart = page.locator("figure.chart g.bar")
    assert chart.count() == 10
    assert chart.nth(0).is_visible()
    assert (chart.nth(0).text_content() or "").split() == [
        "a)",
        "Full",
        "reasoning",
        "traces",
        "1.00",
        "\u2714",
        "PRESENT",
    ]
    criterion = page.locator(
        'section.finding[data-requirement="b"] tr[data-metric="b.requested_calls_with_span"]'
    )
    criterion.scroll_into_view_if_needed()
    assert criterion.is_visible()
    cells = [c.strip() for c in criterion.locator("td").all_inner_texts()]
    numerator, denominator = (int(x) for x in cells[0].split(" / "))
    assert numerator == denominator > 0
    assert cells[2] == "0.90"  # the bar
    assert cells[3].endswith("meets bar")  # status in words, not colour alone
    screenshot(page, "report")


def test_audit_report_is_keyboard_navigable(audit_page: Loaded) -> None:
    page = audit_page.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the report"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:2] == ["Readiness a\u2013j", "Window and accounting"]
    assert page.locator("nav.toc a").count() == 12


def test_audit_report_prints_without_the_navigation(audit_page: Loaded) -> None:
    page = audit_page.page
    page.emulate_media(media="print")
    assert not page.locator("nav.toc").is_visible()
    assert page.locator("#verdict").is_visible()
    assert page.locator("section.finding").count() == 10
    assert page.locator("section.finding").nth(9).is_visible()


def test_a_page_that_reaches_out_is_caught(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><html><head><style>@font-face{font-family:x;src:url("http://127.0.0.1:9/f.woff2")}'
        'body{font-family:x}</style></head><body>text<img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    for loaded in load(browser, page):
        assert len(loaded.network) >= 2, loaded.network


def test_compare_report_shows_each_target_the_matrix_and_a_failed_target(
    browser: Browser, tmp_path: Path
) -> None:
    targets = (f"otel:{FULL}", f"otel:{NO_TOOLS}", "phoenix:nowhere")
    # Nothing listens on the discard port: phoenix:nowhere fails as unreachable (exit 5).
    path = render(
        tmp_path, "compare", *targets, name="compare.html", env={"PHOENIX_ENDPOINT": "http://127.0.0.1:9"}
    )
    for loaded in load(browser, path):
        page = loaded.page
        assert loaded.network == []
        assert page.locator("#verdict").is_visible()
        assert "is the readier for an improvement loop" in page.locator("#verdict").inner_text()
        rows = page.locator("table.matrix tbody tr")
        assert rows.count() == 10
        b = page.locator('table.matrix tr[data-requirement="b"] td[data-target]').all_inner_texts()
        assert b[0].startswith("\u2714 PRESENT") and b[1].startswith("\u2718 ABSENT")
        assert b[2].strip().endswith("error (exit 5)")
        lack = page.locator('#lack-b li[data-metric="b.requested_calls_with_span"]')
        lack.scroll_into_view_if_needed()
        assert lack.is_visible()
        assert "vendor limit" in lack.inner_text()
        assert page.locator('section.target[data-target="phoenix:nowhere"] [role=alert]').is_visible()
        screenshot(page, "compare")


def test_demo_before_after_report_shows_what_the_fixes_changed(browser: Browser, tmp_path: Path) -> None:
    path = render(tmp_path, "demo", "--compare", "--no-server", name="before-after.html")
    for loaded in load(browser, path):
        page = loaded.page
        assert loaded.network == []
        assert "after is the readier for an improvement loop" in page.locator("#verdict").inner_text()
        assert page.locator("table.matrix tbody tr").count() == 10
        b = page.locator('table.matrix tr[data-requirement="b"] td[data-target]').all_inner_texts()
        assert b[0].startswith("\u2718 ABSENT") and b[1].startswith("\u2714 PRESENT")
        lack = page.locator('#lack-b li[data-metric="b.requested_calls_with_span"]')
        lack.scroll_into_view_if_needed()
        assert lack.is_visible()
        assert "before: 0/5" in lack.inner_text() and "after: 5/5" in lack.inner_text()
        screenshot(page, "demo-before-after")
