"""The mypyc-compiled mapping hot path (scripts/build_native.py): up to date, and the same as pure Python."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.build_native import NATIVE_MANIFEST, NATIVE_MODULES, SRC, built_files
from tests.test_scenarios import EXPECTED, GOLDEN
from traceready._native_manifest import stale_modules

# Run in a child: Python imports the modules under src/traceready from their .py files only
# (extension modules are skipped there), then audits a sample file as JSON, stamps normalised.
_PURE_AUDIT = """
import importlib.machinery as m, json, sys
package_dir = sys.argv[1]
def pure_only(path):
    if not path.startswith(package_dir):
        raise ImportError
    return m.FileFinder(path, (m.SourceFileLoader, m.SOURCE_SUFFIXES))
sys.path_hooks.insert(0, pure_only)
sys.path_importer_cache.clear()
from traceready.connectors.otel import OtelConnector
from traceready.audit import run_audit
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.recommend import load_catalog
from traceready.report.json import render_json
import traceready.mapping.mapper as mapper, traceready.checks.base as base
assert mapper.__file__.endswith(".py") and base.__file__.endswith(".py"), (mapper.__file__, base.__file__)
from pathlib import Path
connector = OtelConnector([Path(sys.argv[2])])
catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
report = run_audit(connector, Mapper(load_mapping("otel")), catalog=catalog)
print(render_json(report.model_copy(update={"generated_at": "<generated_at>", "tool_version": "<version>"})))
"""


def test_compiled_modules_are_built_from_the_sources_in_the_tree() -> None:
    """A stale extension would run old code in place of an edited module: set-up must rebuild it."""
    # mypy (and with it mypyc) is a dev dependency, so scripts/setup dev always builds them: a missing
    # manifest means the build failed, and the tests would otherwise run a path users do not.
    assert NATIVE_MANIFEST.exists(), "mypyc extensions not built: run scripts/setup dev, see its output"
    assert built_files(), "manifest without extension modules: run scripts/setup dev"
    stale = stale_modules(NATIVE_MODULES)
    assert stale == [], f"sources changed after their extension was built: {stale}; run scripts/setup"
    for module in NATIVE_MODULES:
        assert importlib.import_module(module).__file__.endswith(".so"), module


@pytest.mark.parametrize("name", ["openinference_full", "otel_genai", "openllmetry_legacy", "redacted"])
def test_pure_python_gives_the_golden_report(name: str) -> None:
    """Without the extensions (the fallback) the report is byte for byte the golden one."""
    from tests.conftest import SAMPLES

    assert name in EXPECTED
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _PURE_AUDIT,
            str(SRC / "traceready"),
            str(SAMPLES / f"{name}.otlp.jsonl"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / f"{name}.report.json").read_text(encoding="utf-8") + "\n"


def test_source_of_names_real_files() -> None:
    from scripts.build_native import source_of

    assert all(source_of(m).is_file() for m in NATIVE_MODULES)
    assert source_of("traceready.mapping.messages") == Path(SRC, "traceready/mapping/messages/__init__.py")


def _import_from_copy(tmp_path: Path, edit: bool) -> subprocess.CompletedProcess[str]:
    """Import ``traceready.checks.base`` from a copy of the built package, its source edited or not."""
    import shutil

    copy = tmp_path / "traceready"
    shutil.copytree(SRC / "traceready", copy, ignore=shutil.ignore_patterns("__pycache__"))
    if edit:
        with (copy / "checks" / "base.py").open("a", encoding="utf-8") as source:
            source.write("\n# an edit after the build\n")
    code = "import traceready.checks.base as base; print(base.__file__)"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )


def test_an_edited_source_runs_as_python_not_as_its_stale_extension(tmp_path: Path) -> None:
    """After an edit without a rebuild, the package imports its sources and says so on stderr."""
    fresh = _import_from_copy(tmp_path / "fresh", edit=False)
    assert fresh.stdout.strip().endswith(".so") and fresh.stderr == ""
    edited = _import_from_copy(tmp_path / "edited", edit=True)
    assert edited.stdout.strip() == str(tmp_path / "edited" / "traceready" / "checks" / "base.py")
    assert edited.stderr.strip() == (
        "traceready: note: compiled modules are older than their sources (traceready.checks.base); "
        "running the sources (run scripts/setup to rebuild)"
    )
