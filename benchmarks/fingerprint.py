"""A fingerprint of an audit's results on a file, to show a speed-up changed nothing.

Prints (and with ``--json`` writes) the SHA-256 of every mapped span's JSON export (orjson, keys in
field order), of the ten findings as JSON, and the pulled/mapped/rejected/quality/trace counts. Run it on
the same file before and after a change; the two outputs must be identical.

```bash
.venv/bin/python benchmarks/fingerprint.py --limit 100000 --json /tmp/after.json
```
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent


def fingerprint(path: Path, limit: int | None) -> dict[str, Any]:
    from traceready.answers import Answers
    from traceready.audit import PullStats, Scorer, score_spans
    from traceready.connector import Inventory
    from traceready.connectors.otel import OtelConnector
    from traceready.mapping.mapper import Mapper
    from traceready.mapping.spec import load_mapping

    spans = hashlib.sha256()

    try:
        from traceready.span_format import export
    except ImportError:  # before the span model became plain classes (the span was its own export)
        export = None

    def on_span(span: Any) -> None:
        spans.update(orjson.dumps(export(span) if export else span.model_dump(mode="json")))
        spans.update(b"\n")

    scorer, stats = Scorer(), PullStats()
    records = islice(OtelConnector([path]).iter_records(), limit)
    # As `traceready audit otel` runs it (children first), where the code under test knows that.
    order = {"children_first": True} if hasattr(OtelConnector, "children_first") else {}
    assembler = score_spans(records, Mapper(load_mapping("otel")), scorer, stats, on_span=on_span, **order)
    findings = [f.model_dump(mode="json") for f in scorer.finish(Inventory(), Answers())]
    text = json.dumps(findings, sort_keys=True)
    return {
        "spans_sha256": spans.hexdigest(),
        "findings_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "statuses": {f["requirement"]: [f["status"], f["score"]] for f in findings},
        "pulled": stats.pulled,
        "mapped": stats.mapped,
        "rejections": dict(sorted(stats.rejections.items())),
        "quality": dict(sorted(stats.quality.items())),
        "traces": assembler.traces,
        "late_spans": assembler.late_spans,
        "findings": findings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=HERE / "data" / "replicated.otlp.jsonl")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = fingerprint(args.file, args.limit)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    short = {k: v for k, v in result.items() if k != "findings"}
    json.dump(short, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
