"""traceready: audit agent traces for automatic-improvement readiness."""

from __future__ import annotations


def _run_sources_when_extensions_are_stale() -> None:
    """Import the ``.py`` files, not stale compiled modules, after an edit in a built source tree.

    ``scripts/build_native.py`` compiles the hot path with mypyc beside its sources and records each
    source's SHA-256 in ``_native.json``. Python imports an extension before the ``.py`` beside it, so
    an edited module would silently run its old compiled code until rebuilt; when any recorded hash
    no longer matches, every module of the package is imported from source instead (the same results,
    slower) and one line on stderr says so. Installs without the manifest skip this entirely.
    """
    import sys
    from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

    from traceready._native_manifest import PACKAGE_DIR, stale_modules

    try:
        stale = stale_modules()
    except ValueError:
        stale = ["unreadable manifest"]
    if not stale:
        return
    root = str(PACKAGE_DIR)

    def sources_only(path: str) -> FileFinder:
        if not path.startswith(root):
            raise ImportError(path)
        return FileFinder(path, (SourceFileLoader, SOURCE_SUFFIXES))

    sys.path_hooks.insert(0, sources_only)
    for cached in [p for p in sys.path_importer_cache if p.startswith(root)]:
        del sys.path_importer_cache[cached]
    print(
        f"traceready: note: compiled modules are older than their sources ({', '.join(stale)}); "
        "running the sources (run scripts/setup to rebuild)",
        file=sys.stderr,
    )


_run_sources_when_extensions_are_stale()
