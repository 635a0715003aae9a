"""Whether the mypyc-compiled modules still match their sources.

One definition for the build (``scripts/build_native.py``), the package's start-up guard
(``traceready/__init__.py``) and the tests. The build writes ``_native.json`` beside this file: the
SHA-256 of each compiled module's source at build time. This module imports nothing from
``traceready``, so the build can load it by path without running the package's start-up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = PACKAGE_DIR / "_native.json"


def source_of(module: str) -> Path:
    """The ``.py`` file of a module of this package's tree (``traceready.x.y``)."""
    base = PACKAGE_DIR.parent.joinpath(*module.split("."))
    package = base / "__init__.py"
    return package if package.exists() else base.with_suffix(".py")


def source_hash(module: str) -> str:
    """SHA-256 of a module's source (``OSError`` when it cannot be read)."""
    return hashlib.sha256(source_of(module).read_bytes()).hexdigest()


def recorded_hashes() -> dict[str, str] | None:
    """The hashes of the last build, or None when nothing was built (``ValueError`` when unreadable)."""
    if not MANIFEST.exists():
        return None
    try:
        sources = json.loads(MANIFEST.read_text(encoding="utf-8"))["sources"]
    except (OSError, KeyError, TypeError) as exc:
        raise ValueError(f"unreadable {MANIFEST.name}: {exc}") from exc
    if not isinstance(sources, dict) or not sources:
        raise ValueError(f"unreadable {MANIFEST.name}: no sources")
    return {str(module): str(digest) for module, digest in sources.items()}


def stale_modules(modules: Iterable[str] | None = None) -> list[str] | None:
    """Modules whose source no longer matches the last build (default: those it compiled).

    None when nothing was built; ``ValueError`` when the manifest cannot be read.
    """
    recorded = recorded_hashes()
    if recorded is None:
        return None
    stale = []
    for module in recorded if modules is None else modules:
        try:
            current: str | None = source_hash(module)
        except OSError:
            current = None
        if current != recorded.get(module):
            stale.append(module)
    return stale
