"""A connector from another package is auditable with no change to traceready.

``tests/data/acme_connector`` holds a tiny installed distribution: the package ``acme_traceready``
and its ``.dist-info`` registering ``acme = acme_traceready:AcmeConnector`` in the
``traceready.connectors`` entry-point group, as ``pip install`` would leave it in site-packages.
Putting that folder on ``sys.path`` installs it for the test.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from traceready.cli import app

PLUGIN = Path(__file__).parent / "data" / "acme_connector"


@pytest.fixture(autouse=True)
def _installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGIN))
    for name in ("ACME_PROJECT", "ACME_API_KEY", "ACME_REGION"):
        monkeypatch.delenv(name, raising=False)


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(app, list(args))


def test_the_plugin_is_listed_and_its_audit_command_names_its_variables() -> None:
    assert "acme\tAcme Logs\tacme_traceready" in invoke("connectors").stdout.splitlines()
    result = invoke("audit", "acme", "--help")
    assert result.exit_code == 0, result.output
    for expected in (
        "--project PROJECT",
        "--region REGION",
        "ACME_REGION",
        "ACME_API_KEY",
        "--since",
        "--sample",
    ):
        assert expected in result.stdout


def test_the_plugin_audits_through_the_generic_command() -> None:
    result = invoke("audit", "acme", "--project", "shop", "-f", "json", env={"ACME_API_KEY": "k"})
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert (report["connector"], report["vendor"], report["target"]) == (
        "acme",
        "Acme Logs",
        "project shop in eu",
    )
    assert report["counts"]["spans_mapped"] == 2
    assert report["window"].endswith("; newest 500 traces")


def test_the_plugin_reads_its_table_its_variables_targets_and_flags(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text(
        '[acme]\nregion = "ap"\n\n[targets.shop-us]\nsource = "acme"\nproject = "shop"\nregion = "us"\n'
    )
    env = {"ACME_API_KEY": "k"}

    def target_of(*args: str) -> str:
        result = invoke("audit", *args, "--config", str(config), "-f", "json", env=env)
        assert result.exit_code == 0, result.output
        return str(orjson.loads(result.stdout)["target"])

    assert target_of("acme:shop") == "project shop in ap"
    assert target_of("acme:shop", "--region", "eu") == "project shop in eu"
    assert target_of("--target", "shop-us") == "project shop in us"
    env["ACME_REGION"] = "sa"
    assert target_of("acme:shop") == "project shop in sa"


def test_the_plugin_without_its_key_exits_3_naming_the_variable() -> None:
    result = invoke("audit", "acme:shop")
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == "traceready: error: no Acme Logs API key (set ACME_API_KEY)"
