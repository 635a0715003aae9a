"""Write a large, realistic OTLP/JSON Lines file by replicating the real sample traces.

Every trace of ``src/traceready/samples/otel/*.otlp.jsonl`` and of one framework file
(``samples/frameworks/langgraph_openinference``: LangGraph chains) is a template (real
instrumentation output). Replicas are drawn from a weighted mix of the sample files (mostly
OpenInference, OTel GenAI and OpenLLMetry), each with a fresh trace id, fresh span ids (remapped
consistently within the replica, so parent links stay intact) and timestamps shifted forward so
traces follow one another in time and overlap a little, as they would from a busy service. The OTLP
line structure is kept: one ``ExportTraceServiceRequest`` per line, as the collector ``file``
exporter writes it (one line per trace for most files, one line per span for ``plain_spans``). Lines
are written as they are made, so memory stays flat whatever ``--spans`` is.

```bash
.venv/bin/python benchmarks/make_otlp.py    # 1,000,000 spans -> benchmarks/data/replicated.otlp.jsonl
.venv/bin/python benchmarks/make_otlp.py --spans 100000 --out /tmp/small.otlp.jsonl
```

A sidecar ``<out>.meta.json`` records the counts (spans, traces, lines, bytes, per-file mix).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "traceready" / "samples" / "otel"
FRAMEWORKS = ROOT / "src" / "traceready" / "samples" / "frameworks"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "replicated.otlp.jsonl"

# Relative weight of each sample file in the mix (per trace replica drawn).
MIX: dict[str, float] = {
    "openinference_full": 30,
    "otel_genai": 25,
    "openllmetry_legacy": 20,
    "llm_spans_no_tool_spans": 6,
    "redacted": 5,
    "otel_genai_legacy": 6,
    "final_io_only": 4,
    "plain_spans": 4,
    # A framework trace: nested LangGraph chains around each model call, long message histories.
    "frameworks/langgraph_openinference": 5,
}


@dataclass(frozen=True, slots=True)
class Template:
    """One trace of a sample file: its raw lines, span count and earliest start."""

    source: str
    lines: tuple[bytes, ...]
    spans: int
    start_ns: int
    end_ns: int


def _spans_of(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        span
        for block in request.get("resourceSpans", ())
        for scope in block.get("scopeSpans", ())
        for span in scope.get("spans", ())
    ]


def load_templates(mix: dict[str, float]) -> dict[str, list[Template]]:
    """Traces of each sample file, grouped by trace id across lines, in first-seen order."""
    templates: dict[str, list[Template]] = {}
    for name in mix:
        path = (
            FRAMEWORKS if name.startswith("frameworks/") else SAMPLES
        ) / f"{name.removeprefix('frameworks/')}.otlp.jsonl"
        by_trace: dict[str, list[bytes]] = {}
        for raw in path.read_bytes().splitlines():
            if not raw.strip():
                continue
            trace_ids = {span["traceId"] for span in _spans_of(orjson.loads(raw))}
            if len(trace_ids) != 1:
                raise SystemExit(f"{path.name}: a line holds {len(trace_ids)} traces; expected one")
            by_trace.setdefault(trace_ids.pop(), []).append(raw)
        templates[name] = []
        for lines in by_trace.values():
            spans = [span for raw in lines for span in _spans_of(orjson.loads(raw))]
            templates[name].append(
                Template(
                    source=name,
                    lines=tuple(lines),
                    spans=len(spans),
                    start_ns=min(int(s["startTimeUnixNano"]) for s in spans),
                    end_ns=max(int(s["endTimeUnixNano"]) for s in spans),
                )
            )
    return templates


class Replicator:
    """Makes fresh-id, time-shifted copies of template traces."""

    def __init__(self, seed: int, start_ns: int) -> None:
        self.rng = random.Random(seed)
        self.cursor = start_ns

    def _hex(self, nbytes: int) -> str:
        while True:
            value = self.rng.getrandbits(nbytes * 8)
            if value:
                return f"{value:0{nbytes * 2}x}"

    def replicate(self, template: Template) -> list[bytes]:
        """The template's lines with a new trace id, new span ids and shifted times."""
        trace_id = self._hex(16)
        shift = self.cursor - template.start_ns
        # Next trace starts 20-400 ms later: traces of a few seconds overlap, as in real traffic.
        self.cursor += self.rng.randint(20_000_000, 400_000_000)
        ids: dict[str, str] = {}

        def new_id(old: str) -> str:
            found = ids.get(old)
            if found is None:
                found = ids[old] = self._hex(8)
            return found

        out = []
        for raw in template.lines:
            request = orjson.loads(raw)  # a fresh copy per replica
            for span in _spans_of(request):
                span["traceId"] = trace_id
                span["spanId"] = new_id(span["spanId"])
                if span.get("parentSpanId"):
                    span["parentSpanId"] = new_id(span["parentSpanId"])
                for key in ("startTimeUnixNano", "endTimeUnixNano"):
                    span[key] = str(int(span[key]) + shift)
                for event in span.get("events") or ():
                    if "timeUnixNano" in event:
                        event["timeUnixNano"] = str(int(event["timeUnixNano"]) + shift)
            out.append(orjson.dumps(request))
        return out


def write(out: Path, target_spans: int, seed: int, mix: dict[str, float]) -> dict[str, Any]:
    """Stream replicas into ``out`` until ``target_spans`` spans; returns the counts."""
    templates = load_templates(mix)
    names = list(mix)
    weights = [mix[n] for n in names]
    start_ns = min(t.start_ns for ts in templates.values() for t in ts)
    replicator = Replicator(seed, start_ns)
    pick = random.Random(seed + 1)
    counts = {"spans": 0, "traces": 0, "lines": 0, "bytes": 0}
    spans_by_source: Counter[str] = Counter()
    traces_by_source: Counter[str] = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb", buffering=1 << 20) as fh:
        while counts["spans"] < target_spans:
            name = pick.choices(names, weights)[0]
            template = pick.choice(templates[name])
            for line in replicator.replicate(template):
                fh.write(line)
                fh.write(b"\n")
                counts["lines"] += 1
                counts["bytes"] += len(line) + 1
            counts["spans"] += template.spans
            counts["traces"] += 1
            spans_by_source[name] += template.spans
            traces_by_source[name] += 1
    tmp.replace(out)
    return {
        **counts,
        "seed": seed,
        "mix_weights": mix,
        "spans_by_source": dict(spans_by_source.most_common()),
        "traces_by_source": dict(traces_by_source.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spans", type=int, default=1_000_000, help="stop once this many spans are written")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    meta = write(args.out, args.spans, args.seed, MIX)
    meta["file"] = str(args.out)
    args.out.with_name(args.out.name + ".meta.json").write_bytes(
        orjson.dumps(meta, option=orjson.OPT_INDENT_2) + b"\n"
    )
    took = time.perf_counter() - began
    print(
        f"wrote {args.out}: {meta['spans']:,} spans, {meta['traces']:,} traces, {meta['lines']:,} lines, "
        f"{meta['bytes'] / 1e6:,.1f} MB in {took:.1f}s",
        file=sys.stderr,
    )
    for name, spans in meta["spans_by_source"].items():
        print(f"  {name:<26} {spans:>9,} spans  {spans / meta['spans']:6.1%}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
