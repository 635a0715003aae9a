"""Help texts render as written: example lines stay on their own lines, no literal escape shows."""

from __future__ import annotations

from click.testing import CliRunner

from traceready.cli import app


def test_audit_help_keeps_its_example_lines() -> None:
    result = CliRunner().invoke(app, ["audit", "--help"])
    assert result.exit_code == 0
    assert "\\b" not in result.output and "\b" not in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    for example in (
        "traceready audit otel FILE_OR_DIR...",
        "traceready audit phoenix --project NAME",
        "traceready audit phoenix:NAME",
    ):
        assert example in lines, result.output
