"""The package build compiles the per-span hot path with mypyc, the way mypy and black ship theirs.

``pyproject.toml`` holds the project metadata; this file only adds the compiled modules. A regular
install or a wheel (``pip install .``, ``pip wheel .``) carries a C extension for each module of
``COMPILED`` beside its ``.py``; the same source runs as plain Python, with identical results, when:

- ``TRACEREADY_PURE=1`` is set for the build;
- the install is editable (``pip install -e .``): the sources in the tree run as they are, so an edit
  takes effect at once and no compiled copy can go stale;
- compiling fails (no C compiler or Python headers): one line on stderr says so
  (``pip install -v`` shows it) and the install goes on.

mypy names a module by its place under a package base, and ``traceready.connectors`` and
``traceready.mappings`` live outside ``src/`` (``package-dir`` in ``pyproject.toml``). So the build
copies the package's sources into the layout they are installed in (``build/mypyc/src/traceready``)
and compiles from there under their import names.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGE_DIRS = {
    "traceready": ROOT / "src" / "traceready",
    "traceready/connectors": ROOT / "connectors",
    "traceready/mappings": ROOT / "mappings",
}
"""Where each part of the installed package lives in this tree (``package-dir`` in pyproject.toml)."""
COMPILED = (
    "traceready.model",
    "traceready.connectors.otel.otlp",
    "traceready.connectors.otel.reader",
    "traceready.connectors.langsmith.shape",
    "traceready.assemble",
    "traceready.audit",
    "traceready.mapping.mapper",
    "traceready.mapping.paths",
    "traceready.mapping.transforms",
    "traceready.mapping.messages",
    "traceready.mapping.messages._parts",
    "traceready.mapping.messages.adk",
    "traceready.mapping.messages.anthropic",
    "traceready.mapping.messages.braintrust",
    "traceready.mapping.messages.genai",
    "traceready.mapping.messages.flat",
    "traceready.mapping.messages.genai_events",
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
"""What runs per span: the OTel file reader and OTLP decode, LangSmith's run shaping, the mapper
and what it calls per field, the trace assembler, the audit loop and the checks.
``checks/i_sandbox.py`` stays Python (``Check`` allows interpreted subclasses, so plug-in checks can
subclass it too). The reader, the assembler and the audit loop measured no faster compiled while
the rest was slower; since the eighth round they save 4.2 % of the instructions a replicated span
costs (2.0 % a fat one)."""
GROUP = "traceready._native"
"""The shared library all compiled modules link to (``traceready/_native__mypyc*.so``)."""
WORK = ROOT / "build" / "mypyc"


def _say(message: str) -> None:
    print(f"traceready build: {message}", file=sys.stderr, flush=True)


def _installed_layout() -> Path:
    """Copy the package's Python sources into ``WORK/src`` as they are installed; its root."""
    tree = WORK / "src"
    shutil.rmtree(tree, ignore_errors=True)
    for target, source in PACKAGE_DIRS.items():
        for path in source.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            copy = tree / target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    shutil.copyfile(ROOT / "src" / "traceready" / "py.typed", tree / "traceready" / "py.typed")
    return tree


def _source(tree: Path, module: str) -> str:
    """A module's file, relative to ``tree`` (a package's ``__init__.py``)."""
    path = Path(*module.split("."))
    return str(path / "__init__.py" if (tree / path).is_dir() else path.with_suffix(".py"))


def compiled_extensions() -> list[Extension]:
    """Mypyc's C extensions of ``COMPILED`` (type-checks the package first, as ``mypy --strict``)."""
    from mypyc.build import mypycify

    tree = _installed_layout()
    here = Path.cwd()
    os.chdir(tree)  # module names come from the paths below this folder
    try:
        return mypycify(
            # [tool.mypy] of pyproject.toml: strict, the pydantic plugin
            ["--config-file", str(ROOT / "pyproject.toml"), *(_source(tree, m) for m in COMPILED)],
            opt_level="3",
            group_name=GROUP,
            target_dir=str(WORK / "c"),
        )
    finally:
        os.chdir(here)


class BuildCompiled(build_ext):
    """``build_ext`` that compiles the hot path, or leaves the package pure Python and says why."""

    def run(self) -> None:
        """Type-check and generate C with mypyc, then compile; on any failure, build without them."""
        started = time.monotonic()
        extensions: list[Extension] = []
        if self.editable_mode:
            _say("pure Python (editable install): no modules compiled")
        else:
            _say(f"compiling {len(COMPILED)} modules with mypyc: type-checking, then C")
            try:
                extensions = compiled_extensions()
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure leaves a working package
                _fell_back(exc)
        self.extensions = extensions
        if not extensions:
            return
        try:
            # setuptools' own command, set up for the real extensions (the placeholder is gone)
            self.distribution.ext_modules = extensions
            compile_them = build_ext(self.distribution)
            compile_them.inplace = self.inplace
            compile_them.ensure_finalized()
            compile_them.run()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure leaves a working package
            self.extensions = []
            _fell_back(exc)
            return
        _say(f"compiled {len(COMPILED)} modules in {time.monotonic() - started:.0f} s")


def _fell_back(exc: BaseException) -> None:
    _say(f"compiling failed ({str(exc) or type(exc).__name__}); installing pure Python (slower)")


class BuildPure(build_py):
    """``build_py`` that says the package is built without compiled modules (``TRACEREADY_PURE=1``)."""

    def run(self) -> None:
        """Say so, then copy the sources as usual."""
        _say("pure Python (TRACEREADY_PURE=1): no modules compiled")
        super().run()


def _options() -> dict[str, Any]:
    if os.environ.get("TRACEREADY_PURE") == "1":
        return {"cmdclass": {"build_py": BuildPure}}  # a py3-none-any wheel
    # A placeholder, replaced when build_ext runs: it makes the wheel a platform wheel and runs
    # build_ext at all, without compiling anything when setup.py is only read for its metadata.
    return {
        "ext_modules": [Extension(f"{GROUP}__mypyc", sources=[])],
        "cmdclass": {"build_ext": BuildCompiled},
    }


if __name__ == "__main__":
    setup(**_options())
