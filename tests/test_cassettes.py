"""Every cassette says how it was made, holds no secret, and talks only to loopback."""

from __future__ import annotations

import re
import tomllib
from urllib.parse import urlsplit

import pytest
import yaml

from tests.cassettes import CASSETTES, FILTER_HEADERS

FILES = sorted(CASSETTES.glob("*/*.yaml"))
SECRET = re.compile(
    r"lsv2_(pt|sk)_[A-Za-z0-9]{8,}|sk-[A-Za-z0-9]{20,}|Bearer [A-Za-z0-9._-]{20,}|phx_[A-Za-z0-9]{16,}"
)
REQUIRED = {"how", "server", "client", "date", "command"}
HOW = {"recorded from a real server", "built from real SDK payloads"}


def test_there_are_cassettes() -> None:
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_cassette_has_a_manifest_entry(path) -> None:
    manifest = tomllib.loads((path.parent / "MANIFEST.toml").read_text())
    entry = manifest.get(path.stem)
    assert entry is not None, f"{path.name} is missing from MANIFEST.toml"
    assert set(entry) >= REQUIRED, f"{path.name}: manifest lacks {REQUIRED - set(entry)}"
    assert entry["how"] in HOW


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_cassette_holds_no_secret_and_only_loopback_hosts(path) -> None:
    text = path.read_text()
    assert not SECRET.search(text)
    for interaction in yaml.safe_load(text)["interactions"]:
        headers = {k.lower() for k in interaction["request"]["headers"]}
        assert not headers & set(FILTER_HEADERS)
        assert urlsplit(interaction["request"]["uri"]).hostname in {"127.0.0.1", "localhost"}
        assert "!!binary" not in yaml.safe_dump(interaction["response"]["body"])


SCENARIO_DIRS = sorted(p for p in CASSETTES.glob("*/*") if p.is_dir())


@pytest.mark.parametrize("folder", SCENARIO_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in SCENARIO_DIRS])
def test_scenario_folder_has_a_manifest_entry_and_no_secret(folder) -> None:
    manifest = tomllib.loads((folder.parent / "MANIFEST.toml").read_text())
    entry = manifest.get(folder.name)
    assert entry is not None, f"{folder.name} is missing from {folder.parent.name}/MANIFEST.toml"
    assert entry["how"] in HOW
    for path in folder.rglob("*"):
        if path.is_file():
            assert not SECRET.search(path.read_text(errors="replace")), path
