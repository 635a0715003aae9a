"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile: self and inclusive shares.

py-spy samples without slowing the program down (cProfile triples the run time here and inflates
small Python functions), so its shares are the ones to trust. py-spy is not a project dependency;
install it anywhere (``pip install py-spy`` in a scratch venv) and run:

```bash
py-spy record -r 200 -f raw -o /tmp/score.txt -- \
    .venv/bin/python benchmarks/bench_map_score.py --child score --limit 200000 --rss-every 0
.venv/bin/python benchmarks/stack_summary.py /tmp/score.txt
```
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")


def _parse(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        body, _, count = line.rpartition(" ")
        if body and count.isdigit():
            stacks.append((body.split(";"), int(count)))
    return stacks


def _name(frame: str, with_line: bool) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    where = match["file"].rsplit("/", 1)[-1]
    if with_line and match["line"]:
        where += f":{match['line']}"
    return f"{match['func']} ({where})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--lines", type=int, default=15, help="also the top N source lines by self samples")
    parser.add_argument("--root", default="score_spans", help="only stacks through this function")
    args = parser.parse_args(argv)

    stacks = [(s, n) for s, n in _parse(args.raw) if any(args.root in f for f in s)]
    total = sum(n for _, n in stacks)
    own: Counter[str] = Counter()
    own_lines: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, n in stacks:
        own[_name(frames[-1], False)] += n
        own_lines[_name(frames[-1], True)] += n
        for name in {_name(f, False) for f in frames}:
            inclusive[name] += n
    print(f"{total:,} samples under {args.root}")
    print(f"\n=== top {args.top} by inclusive share ===")
    for name, n in inclusive.most_common(args.top):
        print(f"  {n / total:6.1%}  {name}")
    print(f"\n=== top {args.top} by self share ===")
    for name, n in own.most_common(args.top):
        print(f"  {n / total:6.1%}  {name}")
    if args.lines:
        print(f"\n=== top {args.lines} source lines by self share ===")
        for name, n in own_lines.most_common(args.lines):
            print(f"  {n / total:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
