"""Compile the mapping hot path with mypyc, in place (``scripts/setup`` runs this).

The modules in ``NATIVE_MODULES`` are plain, mypy-strict Python; mypyc turns them into C extensions
(``*.so`` beside each ``.py``, git-ignored), which Python imports in preference to the source. The
mapper runs ~1.6x and the checks ~1.5x faster (benchmarks/README.md). Without the extensions (mypy
not installed, no C compiler, ``TRACEREADY_PURE=1`` at set-up, or the files deleted) the same source
runs as plain Python: the results are identical, only slower.

A manifest (``NATIVE_MANIFEST``) records the SHA-256 of every compiled source; the build is skipped
when it matches, and ``tests/test_native.py`` fails when a source changed after its extension was
built (run ``scripts/setup`` again), so a stale extension never hides an edit.

```bash
.venv/bin/python scripts/build_native.py           # build (or skip when up to date)
.venv/bin/python scripts/build_native.py --clean   # remove the extensions: pure Python again
```
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
NATIVE_MODULES = (
    "traceready.model",
    "traceready.otlp",
    "traceready.mapping.mapper",
    "traceready.mapping.paths",
    "traceready.mapping.transforms",
    "traceready.mapping.messages",
    "traceready.mapping.messages._parts",
    "traceready.mapping.messages.anthropic",
    "traceready.mapping.messages.braintrust",
    "traceready.mapping.messages.genai",
    "traceready.mapping.messages.langchain",
    "traceready.mapping.messages.openai_chat",
    "traceready.mapping.messages.openinference",
    "traceready.mapping.messages.openllmetry",
    "traceready.mapping.messages.tools",
    "traceready.checks.base",
    "traceready.checks.tool_calls",
    "traceready.checks.a_reasoning",
    "traceready.checks.b_tools",
    "traceready.checks.c_decisions",
    "traceready.checks.d_structure",
    "traceready.checks.e_replay",
    "traceready.checks.f_baselines",
    "traceready.checks.g_failures",
    "traceready.checks.h_cost_latency",
    "traceready.checks.j_eval_harness",
)
"""What is compiled: the OTLP decode, the mapper and what it calls per field, and the checks.
``checks/i_sandbox.py`` stays Python (``Check`` allows interpreted subclasses); the trace assembler
was measured no faster compiled; ``connectors/`` sits outside ``src`` (its module names would not
match), so the per-span code a connector needs compiled lives under ``src`` (``traceready.otlp``)."""
GROUP = "traceready._native"
"""The shared library of the group (``src/traceready/_native__mypyc*.so``)."""


def _load_manifest_module() -> ModuleType:
    """``traceready/_native_manifest.py``, loaded by path.

    Importing ``traceready`` would run its start-up guard, which reports the very staleness this
    build is about to mend.
    """
    path = SRC / "traceready" / "_native_manifest.py"
    spec = importlib.util.spec_from_file_location("traceready_native_manifest", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_manifest = _load_manifest_module()
NATIVE_MANIFEST: Path = _manifest.MANIFEST
source_of: Callable[[str], Path] = _manifest.source_of


def source_hashes() -> dict[str, str]:
    """SHA-256 of every compiled module's source, by module."""
    return {m: _manifest.source_hash(m) for m in NATIVE_MODULES}


def built_files() -> list[Path]:
    """The extension files of the group now in the source tree."""
    return sorted((SRC / "traceready").rglob("*.so"))


def clean() -> None:
    """Remove the extensions and the manifest: the package is pure Python again."""
    for path in built_files():
        path.unlink()
    NATIVE_MANIFEST.unlink(missing_ok=True)
    shutil.rmtree(ROOT / "build" / "native", ignore_errors=True)


def build() -> bool:
    """Compile in place; False when compiling failed (then the package is left pure Python)."""
    hashes = source_hashes()
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as exc:
        print(f"build_native: mypyc not available ({exc.name}); traceready runs as pure Python")
        clean()
        return False
    try:
        recorded = _manifest.recorded_hashes()
    except ValueError:
        recorded = None
    if recorded == hashes and built_files():
        print("build_native: compiled modules are up to date")
        return True
    clean()
    started = time.monotonic()
    os.chdir(ROOT)  # mypy reads [tool.mypy] of pyproject.toml (pydantic plugin, mypy_path = src)
    try:
        extensions = mypycify(
            [str(source_of(m).relative_to(ROOT)) for m in NATIVE_MODULES],
            opt_level="3",
            group_name=GROUP,
            target_dir=str(ROOT / "build" / "native" / "c"),
        )
        work = ROOT / "build" / "native"
        work.mkdir(parents=True, exist_ok=True)
        os.chdir(work)  # away from pyproject.toml: this setup() builds the extensions, nothing else
        setup(
            name="traceready-native",
            package_dir={"traceready": str(SRC / "traceready")},
            ext_modules=extensions,
            script_args=[
                "--quiet",
                "build_ext",
                "--inplace",
                "--build-temp",
                str(work / "tmp"),
            ],
        )
    except (SystemExit, Exception) as exc:  # noqa: BLE001 - any build failure leaves pure Python
        print(f"build_native: compiling failed ({exc!r}); traceready runs as pure Python", file=sys.stderr)
        clean()
        return False
    NATIVE_MANIFEST.write_text(json.dumps({"sources": hashes}, indent=1), encoding="utf-8")
    print(f"build_native: compiled {len(NATIVE_MODULES)} modules in {time.monotonic() - started:.1f} s")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = parser.parse_args()
    if args.clean or os.environ.get("TRACEREADY_PURE") == "1":
        clean()
        print("build_native: compiled modules removed; traceready runs as pure Python")
        return
    build()  # a failed build leaves a working pure-Python package: set-up goes on


if __name__ == "__main__":
    main()
