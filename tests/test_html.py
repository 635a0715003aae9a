"""The HTML report's content guarantees that need no browser: escaping, links, self-containment."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import SAMPLES
from tests.test_scenarios import audit
from traceready.cli import app
from traceready.findings import Example
from traceready.report.html import render_html


def test_values_from_the_source_are_escaped_never_markup() -> None:
    report = audit("plain_spans")
    finding = report.findings[0]
    hostile = Example(span_id="<script>alert(1)</script>", trace_id='"><img src=x onerror=alert(1)>')
    findings = (finding.model_copy(update={"examples": (hostile,)}), *report.findings[1:])
    page = render_html(report.model_copy(update={"target": "<b>bold</b>", "findings": findings}))
    assert "<script>" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_deep_links_are_only_http_addresses() -> None:
    report = audit("plain_spans")
    finding = report.findings[0]
    examples = (
        Example(span_id="s1", trace_id="t", url="javascript:alert(1)"),
        Example(span_id="s2", trace_id="t", url="https://app.example/spans/s2"),
    )
    findings = (finding.model_copy(update={"examples": examples}), *report.findings[1:])
    page = render_html(report.model_copy(update={"findings": findings}))
    assert "javascript:" not in page
    assert '<a class="deep-link" href="https://app.example/spans/s2"' in page


def test_the_page_references_nothing_outside_itself() -> None:
    page = render_html(audit("openinference_full"))
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page)
    assert "url(" not in page and "@import" not in page
    # Every src or href is a fragment or a link the reader follows (docs, deep links), never a load.
    assert not re.findall(r'\ssrc="', page)


def test_self_reported_evidence_is_marked_in_the_audit_format_html(tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text('[sandbox]\nexperiments_isolated = true\nhow = "staging project"\n')
    out = tmp_path / "report.html"
    args = ["audit", "otel", str(SAMPLES / "plain_spans.otlp.jsonl"), "--answers", str(answers)]
    result = CliRunner().invoke(app, [*args, "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    section = page[page.index('id="req-i"') : page.index('id="req-j"')]
    assert "self-reported</span>" in section
    assert "i: from the answers file, not observed in the traces." in page
