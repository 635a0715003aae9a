"""Phoenix: a full ``traceready audit phoenix`` against the official client's bulk export (issue 4).

One run starts a real ``phoenix serve`` (``LocalPhoenix``, working dir under ``benchmarks/data/``),
loads N traces made by replicating the real sample traces of ``src/traceready/samples/otel/`` (fresh
trace and span ids, remapped consistently so parent links hold; timestamps shifted into the last
day), waits until every span is queryable, then times, each in a fresh child process pinned to one
CPU (the server pinned to the other):

- ``export``: ``phoenix.client.Client(base_url).spans.get_spans_dataframe(project_identifier=P,
  limit=<all spans>)``, the official bulk export (one ``POST /v1/spans``). ``import phoenix.client``
  imports the whole server package when arize-phoenix is installed; it is timed apart and excluded.
- ``export-list``: ``Client.spans.get_spans(project_identifier=P, limit=<all>)`` (REST pages of 100).
- ``audit``: ``traceready audit phoenix --project P --endpoint URL --since 3650d --limit <all traces>
  --format json --out /dev/null``, the console script under ``/usr/bin/time`` (wall, peak RSS).
- ``phases``: the same audit in process, split into pull (time inside the connector's generator),
  map+assemble+score, inventory and rendering, with every HTTP request counted by endpoint.
- ``rest-floor``: bare ``GET /v1/projects/P/spans?limit=1000`` pages with httpx + orjson: what
  pulling every span by window pages costs, without annotations or cost.

```bash
.venv/bin/python benchmarks/bench_phoenix.py                       # 10,000 traces, openinference_full
.venv/bin/python benchmarks/bench_phoenix.py --traces 28600 \\
    --sample-file openinference_full --sample-file otel_genai --sample-file openllmetry_legacy
.venv/bin/python benchmarks/bench_phoenix.py --reuse --profile     # the loaded DB again, + cProfile
```
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_WORKDIR = HERE / "data" / "phoenix"
DEFAULT_PROJECT = "bench-agent"
LOAD_META = "bench-load.json"
RESULTS = HERE / "data" / "phoenix-results.json"
STAGES = ("export", "export-list", "audit", "phases", "rest-floor")
DEFAULT_STAGES = ("export", "audit", "phases", "rest-floor")
TARGET_RATIO = 1.0
TARGET_PEAK_RSS_MB = 200.0
SINCE = "3650d"
TIMEOUT = 3600


# ---------------------------------------------------------------------------------------- helpers


def _status_mb(field: str, pid: int | str = "self") -> float:
    """A ``/proc/<pid>/status`` memory field (VmRSS, VmHWM) in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _pin(cpu: int) -> list[int]:
    if cpu >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
        return sorted(os.sched_getaffinity(0))
    return []


def _pin_process(pid: int, cpu: int) -> int:
    """Pin every thread of ``pid`` to ``cpu`` (threads it starts later inherit); threads pinned."""
    pinned = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), {cpu})
            pinned += 1
        except (ProcessLookupError, PermissionError):
            pass
    return pinned


def _process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a whole process (all threads) from ``/proc/<pid>/stat``."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _machine() -> dict[str, Any]:
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from importlib.metadata import version

    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "mem_gb": round(mem_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "arize-phoenix": version("arize-phoenix"),
        "arize-phoenix-client": version("arize-phoenix-client"),
        "pandas": version("pandas"),
        "httpx": version("httpx"),
        "traceready": version("traceready"),
    }


def _git_head() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "connectors"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (src/connectors modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


# ------------------------------------------------------------------------------------ the data


def _replicas(names: list[str], traces: int, seed: int) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(spans, resourceSpans) of each replica: fresh ids, parents intact, times within the last day."""
    import orjson

    sys.path.insert(0, str(HERE))
    from make_otlp import Replicator, load_templates

    templates = load_templates(dict.fromkeys(names, 1.0))
    # Replicas start every 20-400 ms (210 ms on average); end them about an hour before now.
    span_s = traces * 0.41 + 3600
    start_ns = time.time_ns() - int(span_s * 1e9)
    replicator = Replicator(seed, start_ns)
    pick = random.Random(seed + 1)
    for _ in range(traces):
        template = pick.choice(templates[pick.choice(names)])
        blocks = [
            block for line in replicator.replicate(template) for block in orjson.loads(line)["resourceSpans"]
        ]
        yield template.spans, blocks


def _graphql_counts(base_url: str, project: str) -> tuple[int, int]:
    """(spans, traces) of ``project`` from Phoenix's GraphQL ``recordCount``/``traceCount``; cheap."""
    import httpx

    query = "{ projects { edges { node { name recordCount traceCount } } } }"
    response = httpx.post(f"{base_url}/graphql", json={"query": query}, timeout=60, trust_env=False)
    response.raise_for_status()
    for edge in response.json()["data"]["projects"]["edges"]:
        if edge["node"]["name"] == project:
            return int(edge["node"]["recordCount"]), int(edge["node"]["traceCount"])
    return 0, 0


def load(base_url: str, project: str, names: list[str], traces: int, batch: int, seed: int) -> dict[str, Any]:
    """Post the replicas in batches of ``batch`` traces; wait until all spans are queryable."""
    from traceready.connectors.phoenix.otlp_loader import post_otlp_requests, wait_for_spans

    spans = sent_traces = requests = rejected_503 = 0
    began = time.perf_counter()
    last_report = began
    pending: list[dict[str, Any]] = []
    pending_spans = 0

    def flush() -> None:
        nonlocal spans, requests, rejected_503, pending, pending_spans
        request = {"resourceSpans": pending}
        while True:
            try:
                post_otlp_requests(base_url, project, [request])
                break
            except RuntimeError as exc:  # 503: the span queue is full (20,000 spans); wait
                if "503" not in str(exc):
                    raise
                rejected_503 += 1
                time.sleep(1.0)
        spans += pending_spans
        requests += 1
        pending, pending_spans = [], 0

    for n_spans, blocks in _replicas(names, traces, seed):
        pending.extend(blocks)
        pending_spans += n_spans
        sent_traces += 1
        if sent_traces % batch == 0:
            flush()
            now = time.perf_counter()
            if now - last_report > 15:
                last_report = now
                stored, _ = _graphql_counts(base_url, project)
                print(
                    f"  posted {sent_traces:,} traces / {spans:,} spans in {now - began:.0f}s;"
                    f" {stored:,} stored; {rejected_503} x 503",
                    file=sys.stderr,
                    flush=True,
                )
    if pending:
        flush()
    posted_s = time.perf_counter() - began
    print(
        f"  all {spans:,} spans posted in {posted_s:.1f}s; waiting for ingestion", file=sys.stderr, flush=True
    )
    while True:
        stored, stored_traces = _graphql_counts(base_url, project)
        if stored >= spans:
            break
        time.sleep(2.0)
        if time.perf_counter() - last_report > 15:
            last_report = time.perf_counter()
            print(
                f"  {stored:,} of {spans:,} spans stored at {last_report - began:.0f}s",
                file=sys.stderr,
                flush=True,
            )
    stored_s = time.perf_counter() - began
    queryable = wait_for_spans(base_url, project, spans, timeout=600)  # REST agrees: every span pages out
    queryable_s = time.perf_counter() - began
    return {
        "project": project,
        "sample_files": names,
        "traces": sent_traces,
        "spans": spans,
        "stored_traces": stored_traces,
        "queryable_spans": queryable,
        "requests": requests,
        "batch_traces": batch,
        "rejected_503": rejected_503,
        "posted_s": round(posted_s, 1),
        "stored_s": round(stored_s, 1),
        "queryable_s": round(queryable_s, 1),
        "ingest_spans_per_s": round(spans / queryable_s, 1),
        "seed": seed,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# ------------------------------------------------------------------------------------- children


def child_export(endpoint: str, project: str, limit: int, kind: str) -> dict[str, Any]:
    """The official client's export; the slow ``import phoenix.client`` is timed apart."""
    t0 = time.perf_counter()
    from phoenix.client import Client

    import_s = time.perf_counter() - t0
    rss_after_import = _status_mb("VmRSS")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    client = Client(base_url=endpoint)
    if kind == "export":
        df = client.spans.get_spans_dataframe(project_identifier=project, limit=limit, timeout=TIMEOUT)
        rows, columns = int(df.shape[0]), int(df.shape[1])
    else:
        spans = client.spans.get_spans(project_identifier=project, limit=limit, timeout=TIMEOUT)
        rows, columns = len(spans), 0
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "spans": rows,
        "columns": columns,
        "wall_s": wall,
        "cpu_s": cpu,
        "import_s": import_s,
        "rss_after_import_mb": rss_after_import,
        "vm_hwm_mb": _status_mb("VmHWM"),
    }


def _endpoint(method: str, path: str, project: str) -> str:
    path = path.replace(f"/v1/projects/{project}", "/v1/projects/{p}")
    path = re.sub(r"/v1/(datasets|experiments|prompts)/[^/]+", r"/v1/\1/{id}", path)
    return f"{method} {path}"


def _apply_what_if(package: Any, what_if: list[str]) -> None:
    """Override connector constants (``TRACES_PER_BATCH=200``) or skip calls, in this child only."""
    client_cls = package.PhoenixClient
    for item in what_if:
        name, _, value = item.partition("=")
        if name == "no-annotations":
            client_cls.annotations = lambda self, project, kind, ids: []
        elif name == "no-cost":
            client_cls.span_costs = lambda self, *args: {}
        elif name == "no-gzip":
            pass  # applied to the HTTP client in child_phases
        elif value and isinstance(getattr(package, name, None), int):
            setattr(package, name, int(value))
        else:
            raise SystemExit(f"unknown --what-if {item!r}")


def child_phases(
    endpoint: str, project: str, limit: int, profile: Path | None, what_if: list[str]
) -> dict[str, Any]:
    """The audit in process: pull / map+score / inventory / render, HTTP counted by endpoint."""
    import httpx

    from traceready.audit import run_audit
    from traceready.connector import get_connector
    from traceready.mapping.mapper import Mapper
    from traceready.mapping.spec import load_mapping
    from traceready.recommend import load_catalog
    from traceready.report import RENDERERS
    from traceready.window import Window, parse_since

    http_stats: dict[str, list[float]] = {}

    class CountingStream(httpx.SyncByteStream):
        """Counts a body's bytes and the time until it is closed, without keeping the body."""

        def __init__(self, inner: Any, entry: list[Any], started: float) -> None:
            self.inner, self.entry, self.started = inner, entry, started

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.inner:
                self.entry[2] += len(chunk)
                yield chunk

        def close(self) -> None:
            self.inner.close()
            self.entry[1] += time.perf_counter() - self.started

    class CountingTransport(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            t = time.perf_counter()
            response = super().handle_request(request)
            entry = http_stats.setdefault(_endpoint(request.method, request.url.path, project), [0, 0.0, 0])
            entry[0] += 1
            response.stream = CountingStream(response.stream, entry, t)
            return response

    cls = get_connector("phoenix")
    package = sys.modules[cls.__module__]
    _apply_what_if(package, what_if)
    settings = package.PhoenixSettings(endpoint=endpoint, project=project)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    headers = {"Accept-Encoding": "identity"} if "no-gzip" in what_if else None
    transport = httpx.Client(base_url=endpoint, transport=CountingTransport(), timeout=30.0, headers=headers)
    connector = cls(settings, Window(start=parse_since(SINCE)), limit=limit, http=transport)  # type: ignore[call-arg]
    mapper = Mapper(load_mapping("phoenix", None))
    catalog = load_catalog(connector.package_dir() / "recommendations.yaml")
    setup_s = time.perf_counter() - wall0

    pull = [0.0]
    first = [0.0]
    iter_records, inventory = connector.iter_records, connector.inventory

    def timed_records() -> Iterator[Any]:
        it = iter_records()
        while True:
            t = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                pull[0] += time.perf_counter() - t
                return
            dt = time.perf_counter() - t
            if not first[0]:
                first[0] = dt  # project + trace listing + the first batch
            pull[0] += dt
            yield item

    inv = [0.0]

    def timed_inventory() -> Any:
        t = time.perf_counter()
        try:
            return inventory()
        finally:
            inv[0] = time.perf_counter() - t

    connector.iter_records = timed_records  # type: ignore[method-assign]
    connector.inventory = timed_inventory  # type: ignore[method-assign]
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    rss: list[tuple[int, float]] = []
    seen = [0]

    def on_span(_span: Any) -> None:
        seen[0] += 1
        if seen[0] % 10_000 == 0:
            rss.append((seen[0], round(_status_mb("VmRSS"), 1)))

    audit0 = time.perf_counter()
    report = run_audit(connector, mapper, catalog=catalog, on_span=on_span)
    audit_s = time.perf_counter() - audit0
    t = time.perf_counter()
    text = RENDERERS["json"](report, False)
    render_s = time.perf_counter() - t
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    connector.close()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "spans": report.counts.records_pulled,
        "mapped": report.counts.spans_mapped,
        "traces": report.counts.traces,
        "late_spans": report.counts.late_spans,
        "report_bytes": len(text),
        "overall": report.overall.score,
        "wall_s": wall,
        "cpu_s": cpu,
        "setup_s": setup_s,
        "audit_s": audit_s,
        "pull_s": pull[0],
        "first_record_s": first[0],
        "inventory_s": inv[0],
        "map_score_s": audit_s - pull[0] - inv[0],
        "render_s": render_s,
        "http": {
            k: {"requests": v[0], "seconds": v[1], "bytes": v[2]} for k, v in sorted(http_stats.items())
        },
        "vm_hwm_mb": _status_mb("VmHWM"),
        "profiled": profile is not None,
        "what_if": what_if,
        "rss_every_10k_mb": rss,
    }


def child_rest_floor(endpoint: str, project: str) -> dict[str, Any]:
    """Every span by ``GET /v1/projects/P/spans?limit=1000`` pages (cursor), decoded with orjson."""
    import httpx
    import orjson

    cpu0, wall0 = time.process_time(), time.perf_counter()
    spans = pages = 0
    cursor = None
    with httpx.Client(base_url=endpoint, timeout=TIMEOUT, trust_env=False) as http:
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            body = orjson.loads(http.get(f"/v1/projects/{project}/spans", params=params).content)
            spans += len(body["data"])
            pages += 1
            cursor = body.get("next_cursor")
            if not cursor:
                break
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"spans": spans, "pages": pages, "wall_s": wall, "cpu_s": cpu, "vm_hwm_mb": _status_mb("VmHWM")}


def run_child(args: argparse.Namespace) -> None:
    cpus = _pin(args.cpu)
    if args.child in ("export", "export-list"):
        out = child_export(args.endpoint, args.project, args.limit, args.child)
    elif args.child == "phases":
        out = child_phases(args.endpoint, args.project, args.limit, args.profile_out, args.what_if)
    else:
        out = child_rest_floor(args.endpoint, args.project)
    out["cpus"] = cpus
    out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH_RESULT " + json.dumps(out), flush=True)


# --------------------------------------------------------------------------------------- parent


def _spawn_child(
    stage: str, args: argparse.Namespace, endpoint: str, project: str, limit: int
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        stage,
        "--endpoint",
        endpoint,
        "--project",
        project,
        "--limit",
        str(limit),
        "--cpu",
        str(args.cpu),
    ]
    if stage == "phases" and args.profile_out is not None:
        command += ["--profile-out", str(args.profile_out)]
    if stage == "phases":
        command += [f"--what-if={item}" for item in args.what_if]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    outer = time.perf_counter() - began
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(
            f"stage {stage} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    result["process_wall_s"] = outer
    return result


def _audit_command(endpoint: str, project: str, traces: int) -> list[str]:
    return [
        str(Path(sys.executable).with_name("traceready")),
        "audit",
        "phoenix",
        "--project",
        project,
        "--endpoint",
        endpoint,
        "--since",
        SINCE,
        "--limit",
        str(traces),
        "--format",
        "json",
        "--out",
        "/dev/null",
    ]


def _run_audit_cli(args: argparse.Namespace, endpoint: str, project: str, traces: int) -> dict[str, Any]:
    """The console script under /usr/bin/time (which forks from itself: its %M is the audit's own)."""
    command = ["/usr/bin/time", "-f", "TIME %e %U %S %M", *_audit_command(endpoint, project, traces)]
    began = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=(lambda: _pin(args.cpu)) if args.cpu >= 0 else None,
    )
    wall = time.perf_counter() - began
    line = next((x for x in done.stderr.splitlines() if x.startswith("TIME ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"audit failed ({done.returncode}):\n{done.stderr[-3000:]}")
    elapsed, user, system, max_kb = line.split()[1:]
    return {
        "wall_s": wall,
        "time_elapsed_s": float(elapsed),
        "cpu_s": float(user) + float(system),
        "vm_hwm_mb": int(max_kb) / 1024,
        "command": " ".join(_audit_command("URL", project, traces)),
    }


def _measure(
    stage: str,
    args: argparse.Namespace,
    server_pid: int | None,
    endpoint: str,
    project: str,
    meta: dict[str, Any],
) -> dict[str, Any]:
    load_before = _loadavg()
    server_cpu0 = _process_cpu_s(server_pid) if server_pid else float("nan")
    if stage == "audit":
        result = _run_audit_cli(args, endpoint, project, meta["traces"])
        result["spans"] = meta["spans"]
    elif stage in ("export", "export-list"):
        result = _spawn_child(stage, args, endpoint, project, meta["spans"])
    elif stage == "phases":
        result = _spawn_child(stage, args, endpoint, project, meta["traces"])
    else:
        result = _spawn_child(stage, args, endpoint, project, meta["spans"])
    result["server_cpu_s"] = (_process_cpu_s(server_pid) if server_pid else float("nan")) - server_cpu0
    result["loadavg_before"] = load_before
    result["loadavg_after"] = _loadavg()
    result["stage"] = stage
    if stage == "phases" and args.what_if:
        result["stage"] = f"phases[{','.join(args.what_if)}]"
    result["spans_per_s"] = result["spans"] / result["wall_s"] if result["wall_s"] else float("nan")
    return result


def _print_stage(r: dict[str, Any]) -> None:
    extra = ""
    if "import_s" in r:
        extra = f"  (+ import phoenix.client {r['import_s']:.1f}s, excluded)"
    print(
        f"  {r['stage']:<12}{r['spans']:>9,} spans {r['wall_s']:8.2f} s (cpu {r['cpu_s']:6.2f} s,"
        f" server cpu {r['server_cpu_s']:6.2f} s) {r['spans_per_s']:>8,.0f} spans/s"
        f"  peak RSS {r['vm_hwm_mb']:6.1f} MB  load {r['loadavg_before'][0]:.2f}{extra}",
        flush=True,
    )


def _print_phases(r: dict[str, Any]) -> None:
    print(
        f"    phases: setup {r['setup_s']:.2f}s, pull {r['pull_s']:.2f}s"
        f" (first record {r['first_record_s']:.2f}s),"
        f" map+assemble+score {r['map_score_s']:.2f}s, inventory {r['inventory_s']:.2f}s,"
        f" render {r['render_s']:.2f}s; {r['traces']:,} traces, {r['mapped']:,} mapped"
    )
    total_n = sum(v["requests"] for v in r["http"].values())
    total_s = sum(v["seconds"] for v in r["http"].values())
    print(f"    VmRSS every 10,000 spans (MB): {[mb for _, mb in r['rss_every_10k_mb']]}")
    print(f"    HTTP: {total_n:,} requests, {total_s:.2f}s waiting (incl. reading bodies)")
    for name, v in sorted(r["http"].items(), key=lambda kv: -kv[1]["seconds"]):
        print(
            f"      {name:<46}{v['requests']:>7,} req {v['seconds']:8.2f} s"
            f" {1000 * v['seconds'] / v['requests']:8.1f} ms/req {v['bytes'] / 1e6:9.1f} MB"
        )


def _print_profile(path: Path, top: int) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def _snapshot(rev: str) -> Path | None:
    """``git archive REV`` laid out as the installed package (``traceready``, ``.connectors``,
    ``.mappings``) under ``data/code-<sha>``; None for ``worktree`` (the editable install as it is)."""
    if rev == "worktree":
        return None
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    dest = HERE / "data" / f"code-{sha}"
    if (dest / "traceready" / "__init__.py").exists():
        return dest
    part = dest.with_name(dest.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", sha, "src/traceready", "connectors", "mappings"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(part)], input=archive, check=True)
    (part / "src" / "traceready").rename(part / "traceready")
    (part / "connectors").rename(part / "traceready" / "connectors")
    (part / "mappings").rename(part / "traceready" / "mappings")
    (part / "src").rmdir()
    part.rename(dest)
    return dest


def _code_in_use(env: dict[str, str]) -> str:
    """Where a child's ``traceready`` and Phoenix connector come from."""
    probe = "import traceready.connectors.phoenix as p; print(p.__file__)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def _start_server(workdir: Path, fresh: bool) -> Any:
    from traceready.connectors.phoenix.server import LocalPhoenix

    if fresh and workdir.exists():
        if not (workdir / "phoenix.log").exists() and any(workdir.iterdir()):
            raise SystemExit(f"{workdir} exists and is not a Phoenix working dir; pick another --workdir")
        shutil.rmtree(workdir)
    began = time.perf_counter()
    phoenix = LocalPhoenix(working_dir=workdir).start()
    print(
        f"Phoenix {phoenix.base_url} pid {phoenix.pid} up in {time.perf_counter() - began:.1f}s ({workdir})"
    )
    return phoenix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--traces", type=int, default=10_000, help="traces to load (default 10,000)")
    parser.add_argument(
        "--sample-file",
        action="append",
        dest="sample_files",
        help="sample file of src/traceready/samples/otel (name without .otlp.jsonl); repeat for a mix;"
        " default openinference_full",
    )
    parser.add_argument("--batch", type=int, default=50, help="traces per OTLP POST while loading")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--project", default=DEFAULT_PROJECT)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="Phoenix working dir (SQLite)")
    parser.add_argument("--reuse", action="store_true", help="serve the DB already loaded in --workdir")
    parser.add_argument("--endpoint", help="measure against this running server instead (with --reuse meta)")
    parser.add_argument(
        "--server-pid", type=int, help="with --endpoint: the server's pid, to pin it and read its CPU"
    )
    parser.add_argument(
        "--stages", default=",".join(DEFAULT_STAGES), help=f"comma list of {', '.join(STAGES)}"
    )
    parser.add_argument("--repeat", type=int, default=1, help="run the export and audit stages N times each")
    parser.add_argument(
        "--cpu", type=int, default=0, help="CPU the measured processes are pinned to (-1: none)"
    )
    parser.add_argument(
        "--server-cpu", type=int, default=1, help="CPU the server is pinned to while measuring"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process audit (phases stage)")
    parser.add_argument(
        "--what-if",
        action="append",
        default=[],
        help="phases stage only, in its child: NAME=INT sets a connector constant (TRACES_PER_BATCH,"
        " IDS_PER_REQUEST); no-annotations / no-cost skip those requests. Product code is not changed.",
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", type=Path, default=RESULTS, help="write all figures here")
    parser.add_argument(
        "--code",
        default="HEAD",
        help="git revision of traceready to measure, run from a snapshot under data/code-<sha>"
        " (the work tree may change during a run); 'worktree' uses the editable install",
    )
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args)
        return 0
    # LocalPhoenix runs the server in its working dir: a relative PHOENIX_WORKING_DIR would nest.
    args.workdir = args.workdir.resolve()

    stages = [s for s in args.stages.split(",") if s]
    for stage in stages:
        if stage not in STAGES:
            parser.error(f"unknown stage {stage!r}")
    args.profile_out = HERE / "data" / "phoenix-audit.prof" if args.profile else None
    names = args.sample_files or ["openinference_full"]
    snapshot = _snapshot(args.code)
    if snapshot is not None:
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(snapshot), os.environ.get("PYTHONPATH")])
        )
        sys.path.insert(0, str(snapshot))
    code = {
        "rev": args.code,
        "snapshot": str(snapshot) if snapshot else None,
        "connector": _code_in_use(dict(os.environ)),
    }
    started = datetime.now(UTC).isoformat(timespec="seconds")
    machine = _machine()
    print(f"{started}  {machine['cpu']}  nproc={machine['nproc']}  python {machine['python']}")
    print(
        f"arize-phoenix {machine['arize-phoenix']}, client {machine['arize-phoenix-client']};"
        f" load {_loadavg()}"
    )
    print(f"traceready {args.code}: {code['connector']}")

    meta_path = args.workdir / LOAD_META
    phoenix = None
    try:
        if args.reuse:
            meta = json.loads(meta_path.read_text())
            if args.endpoint:
                endpoint, server_pid = args.endpoint, args.server_pid
            else:
                phoenix = _start_server(args.workdir, fresh=False)
                endpoint, server_pid = phoenix.base_url, phoenix.pid
            project = meta["project"]
            stored, stored_traces = _graphql_counts(endpoint, project)
            print(
                f"reusing {project}: {stored:,} spans, {stored_traces:,} traces (loaded {meta['loaded_at']})"
            )
            if stored != meta["spans"]:
                raise SystemExit(f"expected {meta['spans']:,} spans in {project}, found {stored:,}")
        else:
            phoenix = _start_server(args.workdir, fresh=True)
            endpoint, server_pid, project = phoenix.base_url, phoenix.pid, args.project
            print(f"loading {args.traces:,} traces from {', '.join(names)} in batches of {args.batch}")
            meta = load(endpoint, project, names, args.traces, args.batch, args.seed)
            meta_path.write_text(json.dumps(meta, indent=2) + "\n")
            print(
                f"loaded {meta['traces']:,} traces, {meta['spans']:,} spans: posted in {meta['posted_s']}s,"
                f" all queryable after {meta['queryable_s']}s ({meta['ingest_spans_per_s']:,.0f} spans/s);"
                f" {meta['rejected_503']} POSTs waited on 503 (queue full)"
            )
        if server_pid is not None and args.server_cpu >= 0:
            threads = _pin_process(server_pid, args.server_cpu)
            print(
                f"server pinned to CPU {args.server_cpu} ({threads} threads);"
                f" measured processes to CPU {args.cpu}"
            )

        results: list[dict[str, Any]] = []
        order = [s for s in stages if s in ("export", "export-list", "audit")]
        for _ in range(args.repeat):
            for stage in order:
                results.append(_measure(stage, args, server_pid, endpoint, project, meta))
                _print_stage(results[-1])
        for stage in stages:
            if stage in ("phases", "rest-floor"):
                results.append(_measure(stage, args, server_pid, endpoint, project, meta))
                _print_stage(results[-1])
                if stage == "phases":
                    _print_phases(results[-1])
    finally:
        if phoenix is not None:
            phoenix.stop()

    best = {
        s: min((r for r in results if r["stage"] == s), key=lambda r: r["wall_s"])
        for s in {r["stage"] for r in results}
    }
    print(f"\n{meta['traces']:,} traces, {meta['spans']:,} spans ({', '.join(meta['sample_files'])})")
    summary: dict[str, Any] = {}
    if "export" in best and "audit" in best:
        export, audit = best["export"], best["audit"]
        ratio = audit["wall_s"] / export["wall_s"]
        summary = {
            "ratio_audit_to_export": ratio,
            "ratio_met": ratio <= TARGET_RATIO,
            "audit_peak_rss_mb": audit["vm_hwm_mb"],
            "export_peak_rss_mb": export["vm_hwm_mb"],
        }
        print(
            f"  export (get_spans_dataframe) {export['wall_s']:.2f} s = {export['spans_per_s']:,.0f} spans/s;"
            f" import phoenix.client {export['import_s']:.1f} s not counted"
        )
        print(f"  audit (CLI, whole process)   {audit['wall_s']:.2f} s = {audit['spans_per_s']:,.0f} spans/s")
        print(
            f"  ratio audit/export: {ratio:.2f}x -> target <= {TARGET_RATIO:.1f}:"
            f" {'MET' if ratio <= TARGET_RATIO else 'NOT MET'}"
        )
        print(
            f"  peak RSS: audit {audit['vm_hwm_mb']:.1f} MB (target < {TARGET_PEAK_RSS_MB:.0f} MB:"
            f" {'MET' if audit['vm_hwm_mb'] < TARGET_PEAK_RSS_MB else 'NOT MET'}),"
            f" export {export['vm_hwm_mb']:.1f} MB ({export['rss_after_import_mb']:.1f} MB after the import)"
        )
    if args.profile_out is not None and args.profile_out.exists():
        _print_profile(args.profile_out, args.top)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "started": started,
                "machine": machine,
                "code": code,
                "head": _git_head(),
                "load": meta,
                "results": results,
                "summary": summary,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
