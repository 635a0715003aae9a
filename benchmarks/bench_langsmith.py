"""LangSmith: pull, map and score 10,000 runs replayed from the cassettes through the connector (issue 5).

The runs are the cassettes' own (``cassettes/langsmith/*/runs.jsonl`` rendered by the replay code,
``tests/connectors/langsmith/fake.py``, as v1 rows and v2 items): every trace of the six scenarios'
projects, replicated with fresh run and trace ids (replaced everywhere they occur: ids, parent ids,
dotted order, app paths) and start times spread 50 ms apart, until N runs. A loopback HTTP server
in this process (pinned to CPU 1) serves them as LangSmith's read API from pre-serialised rows:
``GET /info``, ``GET /sessions?name=``, ``POST /runs/query`` (``is_root``, ``start_time``/``end_time``,
``select``, ``limit`` <= 100, ``cursor``) and ``POST /api/v2/runs/query`` (``min/max_start_time``,
``selects``, ``page_size`` <= 1000, ``cursor``); workspace routes answer ``[]`` or 404. Each stage runs
in a fresh child process pinned to CPU 0, over real HTTP with paging:

- ``pull``: ``LangSmithConnector.iter_records()`` only (HTTP, JSON decoding, shaping);
- ``audit``: what ``traceready audit langsmith`` does before rendering: pull, map, assemble, score
  the ten checks, inventory, ``Scorer.finish``.

Spans/s is mapped spans over wall time; peak RSS is the child's ``VmHWM``. ``--repeat`` rounds
(3 by default) each run the foundation (``bench_map_score``'s score stage on an OTel file of as
many spans) and then every stage once; a stage's figure is its median round, and its ratio the
median of its rounds' ratios to the foundation of the same round (one-shot figures under this
machine's load spread 0.45-0.78x for the same build).

```bash
.venv/bin/python benchmarks/bench_langsmith.py                      # 10,000 runs, v1 and v2, 3 rounds
.venv/bin/python benchmarks/bench_langsmith.py --runs 50000 --backend v2
```
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import platform
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FOUNDATION_SPANS_PER_S = 26_201
"""benchmarks/README.md: OTel map+score, compiled hot path, median of three 1M-span runs, one core."""
PROJECT = "bench-agent"
PROJECT_ID = "5e7c0f4a-2b1d-4c3e-9a8f-0d1e2f3a4b5c"
START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
SERVER_CPU, CHILD_CPU = 1, 0
RSS_EVERY = 5_000


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > cpu:
        os.sched_setaffinity(0, {cpu})


# ------------------------------------------------------------------------------------------- data
def source_traces() -> list[list[dict[str, Any]]]:
    """Every trace of every scenario's main project, as (v1 row, v2 item) pairs per run."""
    from tests.connectors.langsmith import fake
    from tests.connectors.langsmith.replay import CASSETTES, load_workspace

    selects = list(fake.V2_SELECTS)
    traces: dict[str, list[dict[str, Any]]] = {}
    for folder in sorted(p for p in CASSETTES.iterdir() if (p / "runs.jsonl").exists()):
        workspace = load_workspace(folder)
        for run in workspace["stores"][workspace["main"]]["runs"]:
            v1 = run["v1"]
            v2 = fake.v2_run(run, selects, subtree_usage=False)
            traces.setdefault(v1["trace_id"], []).append({"v1": v1, "v2": v2})
    return list(traces.values())


def _shift(value: Any, delta: timedelta, v2: bool) -> Any:
    if not isinstance(value, str):
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) + delta
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text + "Z" if v2 else text


def replicate(n_runs: int) -> tuple[list[dict[str, Any]], int]:
    """Rows ``{"start", "trace_id", "is_root", "v1", "v2"}`` for at least ``n_runs`` runs; and traces."""
    sources = source_traces()
    rows: list[dict[str, Any]] = []
    traces = 0
    while len(rows) < n_runs:
        source = sources[traces % len(sources)]
        ids = {r["v1"]["id"] for r in source} | {r["v1"]["trace_id"] for r in source}
        fresh = {old: str(uuid.UUID(int=uuid.uuid4().int)) for old in ids}
        root_start = min(datetime.fromisoformat(r["v1"]["start_time"]) for r in source).replace(tzinfo=UTC)
        delta = START + timedelta(milliseconds=50 * traces) - root_start
        for run in source:
            pair = {}
            for api in ("v1", "v2"):
                text = orjson.dumps(run[api]).decode()
                for old, new in fresh.items():
                    text = text.replace(old, new)
                item = orjson.loads(text)
                for key in ("start_time", "end_time", "first_token_time"):
                    item[key] = _shift(item.get(key), delta, api == "v2")
                item["session_id" if api == "v1" else "project_id"] = PROJECT_ID
                pair[api] = item
            start = datetime.fromisoformat(pair["v1"]["start_time"]).replace(tzinfo=UTC)
            rows.append(
                {
                    "start": start,
                    "trace_id": pair["v1"]["trace_id"],
                    "is_root": pair["v1"]["parent_run_id"] is None,
                    **pair,
                }
            )
        traces += 1
    return rows, traces


# ----------------------------------------------------------------------------------------- server
class Store:
    """Rows newest first, pre-serialised per API and select, with a start-time index."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        rows = sorted(rows, key=lambda r: r["start"], reverse=True)
        self.starts = [-r["start"].timestamp() for r in rows]  # ascending for bisect
        self.roots = [i for i, r in enumerate(rows) if r["is_root"]]
        self.rows = rows
        self.cache: dict[tuple[str, tuple[str, ...]], list[bytes]] = {}

    def encoded(self, api: str, select: tuple[str, ...]) -> list[bytes]:
        key = (api, select)
        if key not in self.cache:
            fields = [s.lower() for s in select]
            self.cache[key] = [
                orjson.dumps({f: r[api].get(f) for f in fields if f in r[api] or f == "id"})
                for r in self.rows
            ]
        return self.cache[key]

    def query(self, api: str, body: dict[str, Any]) -> bytes:
        low = body.get("start_time" if api == "v1" else "min_start_time")
        high = body.get("end_time" if api == "v1" else "max_start_time")
        lo = bisect.bisect_left(self.starts, -_ts(high)) if high else 0
        hi = bisect.bisect_right(self.starts, -_ts(low)) if low else len(self.rows)
        select = tuple(body.get("select" if api == "v1" else "selects") or ("id",))
        size = int(body.get("limit" if api == "v1" else "page_size") or 100)
        offset = int(body.get("cursor") or 0)
        encoded = self.encoded(api, select)
        # The cursor is the position in the filtered range: a page costs its size, not the offset.
        positions = (
            range(lo, hi)
            if not body.get("is_root")
            else self.roots[bisect.bisect_left(self.roots, lo) : bisect.bisect_left(self.roots, hi)]
        )
        picked = [encoded[i] for i in positions[offset : offset + size]]
        cursor = str(offset + size) if offset + size < len(positions) else None
        items = b"[" + b",".join(picked) + b"]"
        if api == "v1":
            return b'{"runs":' + items + b',"cursors":{"next":' + orjson.dumps(cursor) + b',"prev":null}}'
        return b'{"items":' + items + b',"next_cursor":' + orjson.dumps(cursor) + b"}"


def _ts(text: str) -> float:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def serve(store: Store, backend: str) -> tuple[ThreadingHTTPServer, dict[str, int]]:
    info = json.loads((ROOT / "cassettes" / "langsmith" / "info.json").read_text())[backend][0]["response"][
        "body"
    ]
    counts: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes: without TCP_NODELAY, Nagle and delayed ACKs add
        # ~40 ms to every keep-alive response, and the benchmark would time the socket, not us.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            counts[url.path] = counts.get(url.path, 0) + 1
            if url.path == "/info":
                self._send(200, orjson.dumps(info))
            elif url.path == "/sessions":
                names = parse_qs(url.query).get("name")
                found = names in (None, [PROJECT])
                self._send(200, orjson.dumps([{"id": PROJECT_ID, "name": PROJECT}] if found else []))
            elif url.path == "/datasets":
                self._send(200, b"[]")
            else:
                self._send(404, b'{"detail":"Not Found"}')

        def do_POST(self) -> None:
            body = orjson.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            path = urlsplit(self.path).path
            counts[path] = counts.get(path, 0) + 1
            if path == "/runs/query":
                self._send(200, store.query("v1", body))
            elif path == "/api/v2/runs/query":
                self._send(200, store.query("v2", body))
            else:
                self._send(404, b'{"detail":"Not Found"}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counts


# ------------------------------------------------------------------------------------------ child
def child(stage: str, url: str, backend: str, traces: int) -> None:
    _pin(CHILD_CPU)
    from traceready.answers import Answers
    from traceready.audit import PullStats, Scorer, score_spans
    from traceready.connectors.langsmith import LangSmithConnector, LangSmithSettings
    from traceready.mapping.mapper import Mapper
    from traceready.mapping.spec import load_mapping
    from traceready.window import Window

    settings = LangSmithSettings(endpoint=url, project=PROJECT, api_key="bench", query_api=backend)
    connector = LangSmithConnector(settings, Window(start=START - timedelta(days=1)), limit=traces)
    mapper = Mapper(load_mapping("langsmith"))
    rss_before = _status_mb("VmRSS")
    rss: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    if stage == "pull":
        records = sum(1 for _ in connector.iter_records())
        mapped, found_traces, findings = records, None, None
    else:
        stats, scorer = PullStats(), Scorer()
        seen = [0]

        def on_span(_span: Any) -> None:
            seen[0] += 1
            if seen[0] % RSS_EVERY == 0:
                rss.append(round(_status_mb("VmRSS"), 1))

        assembler = score_spans(connector.iter_records(), mapper, scorer, stats, on_span=on_span)
        result = scorer.finish(connector.inventory(), Answers())
        records, mapped, found_traces = stats.pulled, stats.mapped, assembler.traces
        findings = "".join(f.status.value[0].upper() for f in result)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    connector.close()
    print(
        json.dumps(
            {
                "stage": stage,
                "backend": backend,
                "records": records,
                "spans": mapped,
                "traces": found_traces,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "spans_per_s": round(mapped / wall, 1),
                "spans_per_cpu_s": round(mapped / cpu, 1),
                "rss_before_mb": round(rss_before, 1),
                "peak_rss_mb": round(_status_mb("VmHWM"), 1),
                "verdicts_a_to_j": findings,
                f"rss_every_{RSS_EVERY}_spans_mb": rss,
            }
        )
    )


def _met(ratio: float) -> str:
    return "MET" if ratio >= 0.5 else "NOT MET"


def foundation_now(spans: int) -> dict[str, Any]:
    """The foundation's figure on this machine now: ``bench_map_score``'s score stage on an OTel file."""
    path = HERE / "data" / f"foundation-{spans}.otlp.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, str(HERE / "make_otlp.py"), "--spans", str(spans), "--out", str(path)],
            check=True,
            capture_output=True,
        )
    out = subprocess.run(
        [sys.executable, str(HERE / "bench_map_score.py"), "--child", "score", "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_CPU": str(CHILD_CPU)},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["stage"] = "foundation-otel-score"
    return result


def _run_child(stage: str, url: str, backend: str, traces: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", stage, url, backend, str(traces)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median CPU rate (the lower middle of an even count), with every round's rate."""
    ordered = sorted(runs, key=lambda r: r["spans_per_cpu_s"])
    return {
        **ordered[(len(ordered) - 1) // 2],
        "rounds_spans_per_cpu_s": [r["spans_per_cpu_s"] for r in runs],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--backend", choices=("v1", "v2", "both"), default="both")
    parser.add_argument("--stages", default="pull,audit")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds; each runs the foundation and every stage once, back to back; medians are kept",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the foundation's OTel map+score on the same machine (make_otlp + bench_map_score)",
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--child", nargs=4, metavar=("STAGE", "URL", "BACKEND", "TRACES"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        stage, url, backend, traces = args.child
        child(stage, url, backend, int(traces))
        return 0
    _pin(SERVER_CPU)
    built = time.perf_counter()
    rows, traces = replicate(args.runs)
    store = Store(rows)
    print(
        f"{datetime.now(UTC).isoformat(timespec='seconds')}  {platform.processor() or platform.machine()}  "
        f"nproc={os.cpu_count()}  python {platform.python_version()}"
    )
    print(f"replayed {len(rows):,} runs in {traces:,} traces (built in {time.perf_counter() - built:.1f} s)")
    backends = ("v1", "v2") if args.backend == "both" else (args.backend,)
    servers = {backend: serve(store, backend) for backend in backends}
    keys = [(backend, stage) for backend in backends for stage in args.stages.split(",")]
    # Rounds, not one stage after another: the machine's load moves CPU figures by 1.5x within a
    # minute, so each round runs the foundation and every stage back to back, and a stage is held
    # against the foundation of its own round (the median of those ratios is the figure).
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in keys}
    baselines: list[dict[str, Any]] = []
    for number in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        if not args.no_baseline:
            baselines.append(foundation_now(args.runs))
            baselines[-1]["spans_per_cpu_s"] = round(baselines[-1]["spans"] / baselines[-1]["cpu_s"], 1)
        for backend, stage in keys:
            server, counts = servers[backend]
            counts.clear()
            url = f"http://127.0.0.1:{server.server_address[1]}"
            runs[backend, stage].append(_run_child(stage, url, backend, traces))
            runs[backend, stage][-1]["requests"] = dict(sorted(counts.items()))
            if baselines:
                base = baselines[-1]
                runs[backend, stage][-1]["cpu_ratio"] = round(
                    runs[backend, stage][-1]["spans_per_cpu_s"] / base["spans_per_cpu_s"], 3
                )
                runs[backend, stage][-1]["wall_ratio"] = round(
                    runs[backend, stage][-1]["spans_per_s"] / base["spans_per_s"], 3
                )
        rates = "  ".join(f"{b} {s} {runs[b, s][-1]['spans_per_cpu_s']:,.0f}" for b, s in keys)
        base_rate = f"foundation {baselines[-1]['spans_per_cpu_s']:,.0f}  " if baselines else ""
        print(
            f"  round {number}: load {load:.2f} -> {os.getloadavg()[0]:.2f}; "
            f"spans per CPU s: {base_rate}{rates}"
        )
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()
    results = []
    if baselines:
        baseline = _median_run(baselines)
        baseline["stage"] = "foundation-otel-score"
        results.append(baseline)
        print(
            f"  foundation (OTel file map+score, same machine, now; median of {len(baselines)}) "
            f"{baseline['spans']:,} spans {baseline['wall_s']:.2f} s (cpu {baseline['cpu_s']:.2f} s) "
            f"{baseline['spans_per_s']:,.0f} spans/s ({baseline['spans_per_cpu_s']:,.0f}/cpu s)"
        )
    for backend, stage in keys:
        result = _median_run(runs[backend, stage])
        results.append(result)
        print(
            f"  {backend} {stage:<5} {result['spans']:>7,} spans {result['wall_s']:>7.2f} s "
            f"(cpu {result['cpu_s']:>6.2f} s) {result['spans_per_s']:>9,.0f} spans/s "
            f"({result['spans_per_cpu_s']:,.0f}/cpu s, median of {len(runs[backend, stage])})  "
            f"peak RSS {result['peak_rss_mb']:>6.1f} MB (before {result['rss_before_mb']:.1f})  "
            f"requests {result['requests']}"
        )
        if stage == "audit":
            ratio = result["spans_per_s"] / FOUNDATION_SPANS_PER_S
            print(
                f"      verdicts a-j {result['verdicts_a_to_j']}; vs the README's foundation "
                f"{FOUNDATION_SPANS_PER_S:,} spans/s: {ratio:.2f}x (target >= 0.5x) -> {_met(ratio)}"
            )
            if baselines:
                cpu_ratios = sorted(r["cpu_ratio"] for r in runs[backend, stage])
                wall_ratios = sorted(r["wall_ratio"] for r in runs[backend, stage])
                cpu, wall = cpu_ratios[(len(cpu_ratios) - 1) // 2], wall_ratios[(len(wall_ratios) - 1) // 2]
                result["cpu_ratio_median"], result["wall_ratio_median"] = cpu, wall
                print(
                    f"      vs the foundation of the same round (median; rounds {cpu_ratios[0]:.2f}-"
                    f"{cpu_ratios[-1]:.2f} per CPU s): cpu {cpu:.2f}x, wall {wall:.2f}x "
                    f"(target >= 0.5x) -> {_met(min(wall, cpu))}"
                )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
