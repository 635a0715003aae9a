"""Map+score throughput and peak RSS on a large OTLP/JSON Lines file (see benchmarks/README.md).

Each stage runs in its own child process, pinned to CPU 0, so its peak RSS is its own:

- ``parse``: bare ``orjson.loads`` of every line (the floor: no Python work per span);
- ``read``:  the OTel connector's records (``OtelConnector.iter_records``: parse + OTLP decode);
- ``map``:   read + ``Mapper.map_record`` on every record;
- ``score``: read + map + assemble + score, i.e. ``traceready.audit.score_spans`` with a ``Scorer``
  (and ``Scorer.finish``), what ``traceready audit otel FILE`` does before rendering.

```bash
.venv/bin/python benchmarks/make_otlp.py              # once: benchmarks/data/replicated.otlp.jsonl
.venv/bin/python benchmarks/bench_map_score.py        # all four stages
.venv/bin/python benchmarks/bench_map_score.py --profile              # cProfile, 100k-span prefix
.venv/bin/python benchmarks/bench_map_score.py --tracemalloc 200000   # what holds memory
```
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "data" / "replicated.otlp.jsonl"
STAGES = ("parse", "read", "map", "score")
TARGET_SPANS_PER_S = 25_000
TARGET_PEAK_RSS_MB = 200.0
TARGET_RATIO_TO_PARSE = 4.0
"""map+score within this many times a bare orjson parse of the same file, in CPU seconds."""


# --------------------------------------------------------------------------------------- child side


def _status_mb(field: str) -> float:
    """A ``/proc/self/status`` memory field (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


CPU = int(os.environ.get("BENCH_CPU", "0"))


def _pin() -> list[int]:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {CPU})
        return sorted(os.sched_getaffinity(0))
    return []


def _setup() -> tuple[Any, Any]:
    """The connector/mapper imports, done before timing starts."""
    from traceready.connectors.otel import OtelConnector
    from traceready.mapping.mapper import Mapper
    from traceready.mapping.spec import load_mapping

    return OtelConnector, Mapper(load_mapping("otel"))


def stage_parse(path: Path, limit: int | None) -> dict[str, Any]:
    """Bare orjson parse of every line; spans counted by list lengths only."""
    import orjson

    spans = lines = 0
    # The reader's buffer (traceready.files.PLAIN_READ_BUFFER), so the floor stays a floor; not
    # imported, which would add the package's imports to this stage's memory.
    with path.open("rb", buffering=1 << 20) as fh:
        for line in fh:
            request = orjson.loads(line)
            lines += 1
            for block in request["resourceSpans"]:
                for scope in block["scopeSpans"]:
                    spans += len(scope["spans"])
            if limit is not None and spans >= limit:
                break
    return {"spans": spans, "lines": lines}


def stage_read(path: Path, limit: int | None) -> dict[str, Any]:
    """The connector's raw records, nothing else."""
    connector_cls, _ = _setup()
    records = 0
    for _ in islice(connector_cls([path]).iter_records(), limit):
        records += 1
    return {"spans": records}


def stage_map(path: Path, limit: int | None) -> dict[str, Any]:
    """Records mapped to Spans; rejections counted."""
    from traceready.model import Rejection

    connector_cls, mapper = _setup()
    mapped = rejected = 0
    for record in islice(connector_cls([path]).iter_records(), limit):
        result = record if isinstance(record, Rejection) else mapper.map_record(record)
        if isinstance(result, Rejection):
            rejected += 1
        else:
            mapped += 1
    return {"spans": mapped + rejected, "mapped": mapped, "rejected": rejected}


def stage_score(path: Path, limit: int | None, rss_every: int = 0) -> dict[str, Any]:
    """The full ``score_spans`` with a ``Scorer``, then ``Scorer.finish``."""
    from traceready.answers import Answers
    from traceready.audit import PullStats, Scorer, score_spans
    from traceready.connector import Inventory

    connector_cls, mapper = _setup()
    scorer = Scorer()
    stats = PullStats()
    samples: list[tuple[int, float]] = []
    on_span = None
    if rss_every:
        seen = 0

        def on_span(_span: Any) -> None:
            nonlocal seen
            seen += 1
            if seen % rss_every == 0:
                samples.append((seen, round(_status_mb("VmRSS"), 1)))

    assembler = score_spans(
        islice(connector_cls([path]).iter_records(), limit),
        mapper,
        scorer,
        stats,
        children_first=connector_cls.children_first,
        on_span=on_span,
    )
    findings = scorer.finish(Inventory(), Answers())
    return {
        "spans": stats.pulled,
        "mapped": stats.mapped,
        "rejected": sum(stats.rejections.values()),
        "traces": assembler.traces,
        "late_spans": assembler.late_spans,
        "findings": {f.requirement: [str(f.status), f.score] for f in findings},
        "rss_samples_mb": samples,
    }


def _imported_from() -> str | None:
    module = sys.modules.get("traceready")
    if module is None:
        return None
    mapper = sys.modules.get("traceready.mapping.mapper")
    compiled = mapper is not None and (mapper.__file__ or "").endswith(".so")
    return f"{Path(module.__file__ or '?').parent} ({'mypyc-compiled' if compiled else 'pure Python'})"


def run_child(stage: str, path: Path, limit: int | None, rss_every: int) -> None:
    """Run one stage and print one JSON line with its figures."""
    cpus = _pin()
    if stage != "parse":
        _setup()  # import cost and mapping compile are outside the timed loop
    rss_before = _status_mb("VmRSS")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if stage == "parse":
        out = stage_parse(path, limit)
    elif stage == "read":
        out = stage_read(path, limit)
    elif stage == "map":
        out = stage_map(path, limit)
    else:
        out = stage_score(path, limit, rss_every)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    out.update(
        stage=stage,
        wall_s=wall,
        cpu_s=cpu,
        spans_per_s=out["spans"] / wall if wall else float("nan"),
        rss_before_mb=rss_before,
        vm_hwm_mb=_status_mb("VmHWM"),
        ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        cpus=cpus,
        traceready=_imported_from(),
    )
    print(json.dumps(out))


def run_profile(path: Path, limit: int, top: int) -> None:
    """cProfile of the full pipeline on a prefix; top functions and a per-area breakdown."""
    import cProfile
    import pstats

    _pin()
    from traceready.audit import PullStats, Scorer, score_spans

    connector_cls, mapper = _setup()
    scorer, stats = Scorer(), PullStats()
    profiler = cProfile.Profile()
    wall0 = time.perf_counter()
    profiler.enable()
    records = islice(connector_cls([path]).iter_records(), limit)
    score_spans(records, mapper, scorer, stats, children_first=connector_cls.children_first)
    profiler.disable()
    wall = time.perf_counter() - wall0
    print(
        f"profiled {stats.pulled:,} spans in {wall:.1f}s under cProfile ({stats.pulled / wall:,.0f} spans/s)"
    )
    for order in ("cumulative", "tottime"):
        print(f"\n=== top {top} by {order} ===")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(top)
    _print_breakdown(pstats.Stats(profiler), stats.pulled)


def _area(filename: str, func: str) -> str:
    """A coarse bucket for a profiled function, by file (or by builtin name)."""
    if filename == "~":
        if "orjson" in func or func in ("<built-in method orjson.loads>",):
            return "orjson.loads (C)"
        if "pydantic_core" in func or "validate_python" in func:
            return "pydantic-core validation (C)"
        if "isinstance" in func:
            return "builtins: isinstance"
        return "other builtins"
    path = filename.replace("\\", "/")
    for marker, label in (
        ("/connectors/otel/", "connector: "),
        ("/traceready/mapping/", "mapping: "),
        ("/traceready/checks/", "checks: "),
        ("/traceready/", "traceready: "),
        ("/pydantic/", "pydantic (Python side): "),
        ("/enum.py", "stdlib enum"),
    ):
        if marker in path:
            return label + (path.rsplit("/", 1)[-1] if label.endswith(": ") else "")
    return "other: " + path.rsplit("/", 1)[-1]


def _print_breakdown(stats: Any, spans: int) -> None:
    total = sum(row[2] for row in stats.stats.values())
    areas: dict[str, float] = {}
    for (filename, _line, func), row in stats.stats.items():
        key = _area(filename, func)
        areas[key] = areas.get(key, 0.0) + row[2]
    print(f"\n=== own time (tottime) by area, {total:.2f}s total, {total / spans * 1e6:.1f} us/span ===")
    for key, value in sorted(areas.items(), key=lambda kv: -kv[1]):
        if value / total >= 0.003:
            print(f"  {value / total:6.1%}  {value:7.2f}s  {key}")


def run_tracemalloc(path: Path, limit: int, top: int) -> None:
    """tracemalloc snapshot taken at the last span of the prefix (before the final flush)."""
    import tracemalloc

    _pin()
    from traceready.audit import PullStats, Scorer, score_spans

    connector_cls, mapper = _setup()
    scorer, stats = Scorer(), PullStats()
    seen = 0
    snapshot: list[Any] = []

    def on_span(_span: Any) -> None:
        nonlocal seen
        seen += 1
        if seen == limit:
            snapshot.append(tracemalloc.take_snapshot())

    tracemalloc.start(8)
    records = islice(connector_cls([path]).iter_records(), limit)
    score_spans(records, mapper, scorer, stats, children_first=connector_cls.children_first, on_span=on_span)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{stats.pulled:,} spans; traced now {current / 2**20:.1f} MB, traced peak {peak / 2**20:.1f} MB")
    if not snapshot:
        return
    snap = snapshot[0].filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    held = sum(s.size for s in snap.statistics("filename"))
    print(f"held at span {limit:,} (before flush): {held / 2**20:.1f} MB")
    for key in ("filename", "lineno"):
        print(f"\n=== top {top} allocations by {key} ===")
        for stat in snap.statistics(key)[:top]:
            print(f"  {stat.size / 2**20:8.2f} MB  {stat.count:>9,} blocks  {stat.traceback[0]}")


# -------------------------------------------------------------------------------------- parent side


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "cpu": cpu,
        "platform": platform.platform(),
    }


def code_state() -> dict[str, Any]:
    """Which traceready is measured: this work tree (commit, uncommitted product changes) or a copy."""
    import traceready

    root = HERE.parent
    source = Path(traceready.__file__ or ".").resolve().parent
    if not source.is_relative_to(root):
        return {"commit": None, "source": str(source), "dirty": False, "dirty_files": ""}

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--", "src", "connectors", "mappings")
    commit = git("rev-parse", "--short", "HEAD")
    return {"commit": commit, "source": str(source), "dirty": bool(dirty), "dirty_files": dirty}


def _warm(path: Path) -> None:
    """Read the file once so every stage starts with it in the page cache."""
    with path.open("rb") as fh:
        while fh.read(1 << 24):
            pass


def _spawn(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {args} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma list of {', '.join(STAGES)}")
    parser.add_argument("--limit", type=int, default=None, help="only the first N spans")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage; the fastest is reported")
    parser.add_argument("--rss-every", type=int, default=100_000, help="score: sample VmRSS every N spans")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--profile", action="store_true", help="cProfile the score pipeline on a prefix")
    parser.add_argument("--profile-spans", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--tracemalloc", type=int, default=0, metavar="N", help="tracemalloc on an N-span prefix"
    )
    parser.add_argument("--cpu", type=int, default=None, help="pin children to this CPU (default 0)")
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cpu is not None:
        global CPU
        CPU = args.cpu
        os.environ["BENCH_CPU"] = str(args.cpu)  # children inherit it

    if not args.file.is_file():
        raise SystemExit(f"{args.file} not found: run benchmarks/make_otlp.py first")
    if args.child:
        run_child(args.child, args.file, args.limit, args.rss_every)
        return 0
    if args.profile:
        run_profile(args.file, args.profile_spans, args.top)
        return 0
    if args.tracemalloc:
        run_tracemalloc(args.file, args.tracemalloc, args.top)
        return 0

    info = machine()
    code = code_state()
    size_mb = args.file.stat().st_size / 1e6
    print(f"{info['date']}  {info['cpu']}  nproc={info['nproc']}  python {info['python']}")
    if code["commit"] is None:
        print(f"code: installed copy at {code['source']} (not this work tree)")
    else:
        print(f"code {code['commit']}" + (" + uncommitted product changes" if code["dirty"] else ""))
    print(f"python {sys.executable}, load average {os.getloadavg()}")
    print(f"file {args.file} ({size_mb:,.0f} MB)" + (f", first {args.limit:,} spans" if args.limit else ""))
    _warm(args.file)
    results: dict[str, dict[str, Any]] = {}
    for stage in [s.strip() for s in args.stages.split(",") if s.strip()]:
        runs = []
        for _ in range(args.repeat):
            child_args = ["--child", stage, "--file", str(args.file), "--rss-every", str(args.rss_every)]
            if args.limit:
                child_args += ["--limit", str(args.limit)]
            runs.append(_spawn(child_args))
        best = min(runs, key=lambda r: r["wall_s"])
        best["all_wall_s"] = [round(r["wall_s"], 2) for r in runs]
        results[stage] = best
        print(
            f"  {stage:<6} {best['spans']:>10,} spans  {best['wall_s']:8.2f} s  "
            f"(cpu {best['cpu_s']:6.2f} s)  {best['spans_per_s']:>9,.0f} spans/s "
            f"({best['spans'] / best['cpu_s']:,.0f} per CPU s)  "
            f"peak RSS {best['vm_hwm_mb']:7.1f} MB "
            f"(ru_maxrss {best['ru_maxrss_mb']:.1f}, at start {best['rss_before_mb']:.1f})",
            flush=True,
        )

    imported = {r["traceready"] for r in results.values() if r.get("traceready")}
    print(f"  load average after: {os.getloadavg()}; traceready imported from {', '.join(sorted(imported))}")
    after = code_state()
    if after != code:
        print(f"  WARNING: product code changed during the run ({code['commit']} -> {after['commit']})")
    print()
    base = results.get("parse")
    for stage in ("read", "map", "score"):
        if base and stage in results:
            print(f"  ratio {stage}/parse: {results[stage]['wall_s'] / base['wall_s']:.2f}x")
    score = results.get("score")
    if score:
        speed_ok = score["spans_per_s"] >= TARGET_SPANS_PER_S
        rss_ok = score["vm_hwm_mb"] < TARGET_PEAK_RSS_MB
        print(
            f"  target map+score >= {TARGET_SPANS_PER_S:,} spans/s: {score['spans_per_s']:,.0f} "
            f"-> {'MET' if speed_ok else 'NOT MET'}"
        )
        print(
            f"  target peak RSS < {TARGET_PEAK_RSS_MB:.0f} MB: {score['vm_hwm_mb']:.1f} MB "
            f"-> {'MET' if rss_ok else 'NOT MET'}"
        )
        if base:
            print(f"  ratio (c) score / (a) bare orjson parse: {score['wall_s'] / base['wall_s']:.2f}x")
            # On a shared machine wall time carries other jobs' load; CPU time is this process's own.
            ratio = score["cpu_s"] / base["cpu_s"]
            print(f"  the same in CPU time: {ratio:.2f}x")
            print(
                f"  target score within {TARGET_RATIO_TO_PARSE:.0f}x the bare parse (CPU): "
                f"{score['cpu_s']:.2f} s / {base['cpu_s']:.2f} s = {ratio:.2f}x "
                f"-> {'MET' if ratio <= TARGET_RATIO_TO_PARSE else 'NOT MET'}"
            )
        if score.get("rss_samples_mb"):
            print(f"  score VmRSS every {args.rss_every:,} spans: {[m for _, m in score['rss_samples_mb']]}")
        print(
            f"  traces {score['traces']:,}, late spans {score['late_spans']:,}, "
            f"rejected {score['rejected']:,}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"machine": info, "code": code, "file": str(args.file), "results": results}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
