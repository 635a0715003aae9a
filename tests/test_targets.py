"""Target strings and named targets: one grammar for every command that audits."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from tests.loopback import serving
from traceready.cli import app
from traceready.connector import Pull
from traceready.errors import AuthError, UsageError
from traceready.targets import Target, audit_target, build_connector, named_targets, resolve_target

FULL = SAMPLES / "openinference_full.otlp.jsonl"
CONFIG = """
[targets.prod-langsmith]
source = "langsmith"
project = "my-agent"
endpoint = "https://eu.api.smith.langchain.com"
workspace_id = "ws-123"

[targets.eu-braintrust]
source = "braintrust"
project = "agent"
org = "acme"

[targets.local]
source = "otel"
paths = "exports"

[targets.phoenix]
source = "phoenix"
project = "named-wins"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "traceready.toml"
    path.write_text(CONFIG)
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("phoenix:my-agent", Target("phoenix", {"project": "my-agent"}), id="vendor_project"),
        pytest.param(
            "langsmith:team:agent", Target("langsmith", {"project": "team:agent"}), id="colon_in_project"
        ),
        pytest.param("otel:./exports/", Target("otel", {"paths": [Path("./exports/")]}), id="otel_folder"),
        pytest.param("braintrust:", Target("braintrust"), id="empty_subject_reads_settings"),
        pytest.param("langsmith", Target("langsmith"), id="bare_source"),
    ],
)
def test_source_colon_subject(text: str, expected: Target) -> None:
    assert resolve_target(text) == expected


def test_named_targets_carry_settings_by_setting_or_option_name(config: Path) -> None:
    targets = named_targets(config)
    assert list(targets) == ["prod-langsmith", "eu-braintrust", "local", "phoenix"]
    assert targets["prod-langsmith"].settings == {
        "project": "my-agent",
        "endpoint": "https://eu.api.smith.langchain.com",
        "workspace_id": "ws-123",
    }
    assert targets["eu-braintrust"].settings == {"project": "agent", "org_name": "acme"}
    # A relative path in a named target is read from the config file's folder.
    assert targets["local"].settings == {"paths": [config.parent / "exports"]}
    assert resolve_target("phoenix", config).settings == {"project": "named-wins"}
    assert resolve_target("prod-langsmith", config).label() == "prod-langsmith"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "prod-langsmit",
            "unknown target 'prod-langsmit' (did you mean prod-langsmith, langsmith, phoenix?)",
            id="typo",
        ),
        pytest.param(
            "phonix:agent", "unknown target 'phonix:agent' (did you mean phoenix?)", id="source_typo"
        ),
        pytest.param(
            "./exports",
            "unknown target './exports' (a path is written file:./exports; or declare "
            "[targets../exports] in traceready.toml)",
            id="bare_path",
        ),
    ],
)
def test_unknown_targets_are_usage_errors_with_the_closest_names(config: Path, text: str, line: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_target(text, config)
    assert caught.value.one_line() == line


def test_a_key_a_source_does_not_know_is_named_with_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "traceready.toml"
    path.write_text('[targets.x]\nsource = "langsmith"\nprojet = "a"\n')
    with pytest.raises(UsageError) as caught:
        resolve_target("x", path)
    assert caught.value.one_line().endswith("langsmith has no setting 'projet' (did you mean project?)")


def test_audit_target_returns_the_report_of_one_target() -> None:
    report = audit_target(resolve_target(f"otel:{FULL}"), Pull())
    assert (report.connector, report.counts.spans_mapped, report.counts.traces) == ("otel", 21, 6)


def test_flags_win_over_the_target_and_the_target_over_the_environment(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGSMITH_API_KEY", "k")
    monkeypatch.setenv("LANGSMITH_PROJECT", "from-env")
    target = resolve_target("prod-langsmith", config)
    connector = build_connector(target, Pull(limit=3), config=config, flags={"workspace_id": "ws-flag"})
    try:
        assert connector.describe_target() == "project my-agent at https://eu.api.smith.langchain.com"
        assert connector.settings.workspace_id == "ws-flag"  # type: ignore[attr-defined]
        assert connector.limit == 3  # type: ignore[attr-defined]
    finally:
        connector.close()


class _Counting(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Counting.seen.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET  # noqa: N815 - the handler's method name


@pytest.mark.parametrize(
    ("source", "variables", "line"),
    [
        pytest.param(
            "langsmith",
            {"LANGSMITH_API_KEY": "", "LANGCHAIN_API_KEY": "", "LANGSMITH_ENDPOINT": "{url}"},
            "traceready: error: no LangSmith API key (set LANGSMITH_API_KEY)",
            id="langsmith",
        ),
        pytest.param(
            "braintrust",
            {"BRAINTRUST_API_KEY": "", "BRAINTRUST_APP_URL": "{url}", "BRAINTRUST_API_URL": "{url}"},
            "traceready: error: no Braintrust API key (set BRAINTRUST_API_KEY)",
            id="braintrust",
        ),
    ],
)
def test_no_key_exits_3_naming_the_variable_without_a_request(
    source: str, variables: dict[str, str], line: str
) -> None:
    _Counting.seen = []
    with serving(_Counting) as server:
        env = {k: v.format(url=server.url) for k, v in variables.items()}
        result = CliRunner(env=env).invoke(app, ["audit", f"{source}:my-agent"])
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == line
    assert _Counting.seen == []


def test_building_without_a_key_raises_auth_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRAINTRUST_API_KEY", " ")
    with pytest.raises(AuthError):
        build_connector(resolve_target("braintrust:p"))


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_audits_a_target_string_and_a_named_target(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(f'[targets.sample]\nsource = "otel"\npaths = ["{FULL}"]\n')
    by_string = invoke("audit", f"otel:{FULL}", "-f", "json")
    by_name = invoke("audit", "--target", "sample", "--config", str(config), "-f", "json")
    by_name_eq = invoke("audit", "--target=sample", "-f", "json", f"--config={config}")
    for result in (by_string, by_name, by_name_eq):
        assert result.exit_code == 0, result.output
        assert orjson.loads(result.stdout)["counts"]["spans_mapped"] == 21


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["audit", "--config", "{config}", "--target", "sample"], id="audit_config_first"),
        pytest.param(["audit", "--target", "sample", "--config", "{config}"], id="audit_target_first"),
        pytest.param(["audit", "--config={config}", "--target=sample"], id="audit_config_first_eq"),
        pytest.param(["audit", "--config", "{config}", "sample"], id="audit_name_after_config"),
        pytest.param(["audit", "sample", "--config", "{config}"], id="audit_name_before_config"),
        pytest.param(["audit", "--config", "{config}", "otel", str(FULL)], id="audit_source_after_config"),
        pytest.param(["audit", "otel", str(FULL), "--config", "{config}"], id="audit_source_before_config"),
        pytest.param(
            ["compare", "--config", "{config}", "sample", f"otel:{FULL}"], id="compare_config_first"
        ),
        pytest.param(["compare", "sample", f"otel:{FULL}", "--config", "{config}"], id="compare_config_last"),
    ],
)
def test_config_is_read_wherever_it_is_written(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(f'fail_under = 0.99\n\n[targets.sample]\nsource = "otel"\npaths = ["{FULL}"]\n')
    result = invoke(*(arg.format(config=config) for arg in args), "-f", "json")
    assert result.exit_code == 1, result.output  # the bar of the file, so the file was read
    assert f"is below fail_under in {config} 0.99" in result.stderr


@pytest.mark.parametrize("config_first", [True, False], ids=["config_first", "target_first"])
def test_interview_reads_the_config_wherever_it_is_written(tmp_path: Path, config_first: bool) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(f'[targets.sample]\nsource = "otel"\npaths = ["{FULL}"]\n')
    options = ["--config", str(config), "--target", "sample"]
    if not config_first:
        options = [*options[2:], *options[:2]]
    result = invoke("interview", *options, "--non-interactive", "--out", str(tmp_path / "answers.toml"))
    assert result.exit_code == 0, result.output
    assert "traceready: auditing sample first" in result.stderr


def test_cli_unknown_target_exits_2_with_one_line() -> None:
    result = invoke("audit", "--target", "phonix:agent")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "traceready: error: unknown target 'phonix:agent' (did you mean phoenix?)"


def test_targets_lists_the_named_targets_without_secrets(config: Path) -> None:
    config.write_text(CONFIG + 'api_key = "sk-secret-value"\n')
    result = invoke("targets", "--config", str(config))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "prod-langsmith\tlangsmith\tproject=my-agent "
        "endpoint=https://eu.api.smith.langchain.com workspace_id=ws-123"
    )
    assert lines[1] == "eu-braintrust\tbraintrust\tproject=agent org_name=acme"
    assert len(lines) == 4
    assert "sk-secret-value" not in result.output
    assert "any source works as a target too: answers:ANSWERS_FILE, braintrust:PROJECT" in result.stderr


@pytest.mark.parametrize("slug", ["braintrust", "langsmith", "otel", "phoenix"])
def test_every_declared_option_and_key_names_a_setting(slug: str) -> None:
    from traceready.connector import get_connector

    cls = get_connector(slug)
    fields = set(cls.settings_model.model_fields)
    assert {o.setting for o in cls.options} <= fields
    assert cls.required_key is None or cls.required_key in fields
    assert sum(o.subject for o in cls.options) == 1
