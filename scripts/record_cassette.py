"""Record what a connector reads from a live vendor server into cassettes/<vendor>/<name>.yaml.

The connector runs exactly as in an audit; vcrpy records every HTTP exchange as plain YAML, with
credentials filtered out. MANIFEST.toml beside the cassettes gets an entry saying how, when and with
which versions it was recorded. Replay in tests with ``tests/cassettes.py``.

    .venv/bin/python scripts/record_cassette.py phoenix --endpoint http://127.0.0.1:6006 \
        --project openinference_full --name openinference_full
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import vcr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cassettes import FILTER_HEADERS, MATCH_ON, configure  # noqa: E402
from traceready.audit import PullStats, Scorer, score_spans  # noqa: E402
from traceready.connectors.phoenix import PhoenixConnector, PhoenixSettings  # noqa: E402
from traceready.mapping.mapper import Mapper  # noqa: E402
from traceready.mapping.spec import load_mapping  # noqa: E402
from traceready.window import Window, parse_since  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vendor", choices=["phoenix"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--name", required=True, help="scenario name: what behaviour the cassette shows")
    parser.add_argument("--since", default="3650d")
    args = parser.parse_args()

    folder = ROOT / "cassettes" / args.vendor
    path = folder / f"{args.name}.yaml"
    path.unlink(missing_ok=True)
    recorder = configure(vcr.VCR(record_mode="all", filter_headers=FILTER_HEADERS, match_on=MATCH_ON))
    settings = PhoenixSettings(endpoint=args.endpoint, project=args.project)
    with recorder.use_cassette(str(path)):
        connector = PhoenixConnector(settings, Window(start=parse_since(args.since)))
        stats = PullStats()
        score_spans(connector.iter_records(), Mapper(load_mapping("phoenix")), Scorer(), stats)
        connector.inventory()
    manifest = folder / "MANIFEST.toml"
    entries = tomllib.loads(manifest.read_text()) if manifest.exists() else {}
    entries[args.name] = {
        "how": "recorded from a real server",
        "server": f"arize-phoenix {version('arize-phoenix')} (phoenix serve on 127.0.0.1)",
        "client": f"traceready {version('traceready')} PhoenixConnector via vcrpy {version('vcrpy')}",
        "project": args.project,
        "spans": stats.mapped,
        "date": datetime.now(UTC).date().isoformat(),
        "command": " ".join(["scripts/record_cassette.py", *sys.argv[1:]]),
    }
    lines = ["# How each cassette here was made (tests/test_cassettes.py checks this file).", ""]
    for name, entry in sorted(entries.items()):
        lines.append(f"[{name}]")
        lines += [
            f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}"
            for key, value in entry.items()
        ]
        lines.append("")
    manifest.write_text("\n".join(lines))
    print(f"recorded {stats.mapped} spans into {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
