"""The compiled hot path comes through the package build (``setup.py``).

A wheel built from the tree carries a mypyc extension for every module of ``COMPILED`` and gives
the same spans, findings and reports as the pure Python the editable install runs; a build that
cannot compile (or is told not to) still gives a working pure-Python wheel and says so in one line.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import SAMPLES
from tests.test_scenarios import GOLDEN

ROOT = Path(__file__).resolve().parents[1]

# Wheels are built once per worker for the whole module: keep its tests on one xdist worker.
pytestmark = pytest.mark.xdist_group("wheel")


def _setup_py() -> ModuleType:
    """``setup.py`` as a module (it calls ``setup()`` only when run as the build script)."""
    spec = importlib.util.spec_from_file_location("traceready_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPILED: tuple[str, ...] = _setup_py().COMPILED


def _build_wheel(tmp: Path, **env: str) -> tuple[Path, str]:
    """A wheel of a copy of the tree's files (as a fresh clone has them), and pip's build log."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    tree = tmp / "tree"
    for name in listed:
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
    out = tmp / "wheel"
    # No build isolation: the dev extra holds the build requirements, and tests stay off the network.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "-w", out, tree],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("traceready-*.whl")
    return wheel, done.stdout + done.stderr


def _build_lines(log: str) -> list[str]:
    return [line.strip() for line in log.splitlines() if line.strip().startswith("traceready build:")]


@pytest.fixture(scope="module")
def compiled_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _build_wheel(tmp_path_factory.mktemp("compiled"))


def _extension(names: list[str], module: str) -> str | None:
    stem = module.replace(".", "/")
    stems = (stem + "/__init__.", stem + ".")
    return next((n for n in names if n.startswith(stems) and n.endswith(".so")), None)


def test_a_wheel_built_from_the_tree_carries_every_compiled_module(compiled_wheel: tuple[Path, str]) -> None:
    wheel, log = compiled_wheel
    assert not wheel.name.endswith("-none-any.whl"), wheel.name  # a platform wheel: it holds C code
    names = zipfile.ZipFile(wheel).namelist()
    assert [m for m in COMPILED if _extension(names, m) is None] == []
    assert any(n.startswith("traceready/_native__mypyc.") and n.endswith(".so") for n in names)
    # The sources ship too, and the modules moved out of src/ are compiled under their import names.
    assert "traceready/connectors/otel/otlp.py" in names
    assert _build_lines(log)[-1].startswith(f"traceready build: compiled {len(COMPILED)} modules in ")


# Audits every sample file with whichever traceready comes first on sys.path and prints, per file,
# the fingerprint of benchmarks/fingerprint.py (a hash of every exported span, the findings, the
# counts) and the JSON report, stamps normalised; and where each compiled module was imported from.
_AUDIT_SAMPLES = """
import importlib, json, sys
from pathlib import Path
sys.path.append(sys.argv[1] + "/benchmarks")
from fingerprint import fingerprint
from traceready.audit import run_audit
from traceready.connectors.otel import OtelConnector
from traceready.mapping.mapper import Mapper
from traceready.mapping.spec import load_mapping
from traceready.recommend import load_catalog
from traceready.report.json import render_json
out = {"files": {m: importlib.import_module(m).__file__ for m in sys.argv[3:]}, "samples": {}}
catalog = load_catalog(OtelConnector.package_dir() / "recommendations.yaml")
for path in sorted(Path(sys.argv[2]).glob("*.otlp.jsonl")):
    report = run_audit(OtelConnector([path]), Mapper(load_mapping("otel")), catalog=catalog)
    stamped = report.model_copy(update={"generated_at": "<generated_at>", "tool_version": "<version>"})
    name = path.name.split(".")[0]
    out["samples"][name] = {"fingerprint": fingerprint(path, None), "report": render_json(stamped)}
print(json.dumps(out))
"""


def _audit_samples(pythonpath: Path | None) -> dict[str, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [sys.executable, "-c", _AUDIT_SAMPLES, str(ROOT), str(SAMPLES), *COMPILED],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT.parent,  # not the tree: nothing imports from it by accident
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, dict[str, str]] = json.loads(done.stdout)
    return result


def test_the_compiled_wheel_gives_exactly_the_results_of_pure_python(
    compiled_wheel: tuple[Path, str], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(compiled_wheel[0]).extractall(site)
    compiled = _audit_samples(site)
    assert [
        m for m, f in compiled["files"].items() if not (f.startswith(str(site)) and f.endswith(".so"))
    ] == []
    pure = _audit_samples(None)
    assert [m for m, f in pure["files"].items() if not f.endswith(".py")] == []
    assert len(compiled["samples"]) >= 8
    assert compiled["samples"] == pure["samples"]
    for name, result in compiled["samples"].items():  # and the reports are the golden ones
        golden = GOLDEN / f"{name}.report.json"
        if golden.exists():
            assert result["report"] == golden.read_text(encoding="utf-8"), name


def test_the_editable_install_runs_the_sources_in_the_tree() -> None:
    """An edit takes effect at once: no compiled copy in the tree can stand in for its source."""
    for module in COMPILED:
        file = Path(importlib.import_module(module).__file__ or "")
        assert file.suffix == ".py" and file.is_relative_to(ROOT), (module, file)
    assert sorted(str(p) for d in ("src", "connectors", "mappings") for p in (ROOT / d).rglob("*.so")) == []


@pytest.mark.parametrize(
    ("env", "line"),
    [
        pytest.param(
            {"TRACEREADY_PURE": "1"}, "traceready build: pure Python (TRACEREADY_PURE=1)", id="asked"
        ),
        pytest.param({"CC": "false"}, "traceready build: compiling failed (", id="no_c_compiler"),
    ],
)
def test_a_build_that_does_not_compile_gives_a_pure_python_wheel(
    env: dict[str, str], line: str, tmp_path: Path
) -> None:
    wheel, log = _build_wheel(tmp_path, **env)
    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n in names if n.endswith(".so")] == []
    assert "traceready/mapping/mapper.py" in names
    said = _build_lines(log)
    assert said[-1].startswith(line), said
    if "TRACEREADY_PURE" in env:
        assert wheel.name.endswith("-py3-none-any.whl")
    else:
        assert said[-1].endswith("installing pure Python (slower)")


def test_the_build_requirements_hold_every_runtime_dependency() -> None:
    # The compile type-checks what the compiled modules import, the rest of the package included;
    # a dependency missing from the isolated build environment makes `pip install .` fall back to
    # pure Python (it did for httpx, jinja2 and rich).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(project["project"]["dependencies"]) <= set(project["build-system"]["requires"])
