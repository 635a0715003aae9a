"""Ctrl-C during a stalled pull: how long until the line, and until the process has exited (issue 10).

For each vendor connector, the conformance suite's fake serves on 127.0.0.1 and holds the first span
request open forever (``Stall``); ``traceready audit <vendor>`` runs as a real child process (a new
session, as under a terminal), and once the span request is in, gets SIGINT. Measured from the
signal: the ``traceready: interrupted`` line on stderr, and the exit (polled every 2 ms).
``--entry app`` runs the command without ``traceready.cli.main``'s immediate exit, i.e. with the
interpreter's full shutdown, to compare.

```bash
.venv/bin/python benchmarks/bench_ctrl_c.py                 # 3 rounds per vendor
.venv/bin/python benchmarks/bench_ctrl_c.py --entry app     # the interpreter's shutdown included
```
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.connectors.conformance.hostile import Stall, hostile
from tests.connectors.conformance.test_conformance import VARIABLE_PREFIXES, on
from tests.connectors.conformance.vendors import VENDORS, Vendor


def one_round(vendor: Vendor, entry: str) -> tuple[float, float]:
    """(seconds to the line, seconds to the exit) after SIGINT."""
    arrived = threading.Event()

    def stall(request: Any, n: int) -> Stall:
        arrived.set()
        return Stall()

    with vendor.fake() as fake, hostile(fake, on(vendor.spans_route, stall)) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(VARIABLE_PREFIXES)}
        env.update({vendor.key_variable: vendor.key, vendor.endpoint_variable: server.url})
        env["TRACEREADY_REQUEST_DEADLINE"] = "600"
        command = [sys.executable, "-c", f"from traceready.cli import {entry}; {entry}()", *vendor.args()]
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            if not arrived.wait(120):
                raise RuntimeError(f"{vendor.slug}: the span request never came")
            time.sleep(0.3)  # the pull is now waiting on the stalled read
            line_at: list[float] = []

            def read() -> None:
                seen = b""
                assert child.stderr is not None
                while chunk := os.read(child.stderr.fileno(), 4096):
                    seen += chunk
                    if b"interrupted" in seen and not line_at:
                        line_at.append(time.monotonic())

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            while child.poll() is None:
                time.sleep(0.002)
            exited = time.monotonic()
            reader.join(5)
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
    if child.returncode != 130 or not line_at:
        raise RuntimeError(f"{vendor.slug}: exit {child.returncode}, line seen: {bool(line_at)}")
    return line_at[0] - sent, exited - sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--entry", choices=("main", "app"), default="main")
    args = parser.parse_args()
    lines, exits = [], []
    for vendor in VENDORS:
        for _ in range(args.rounds):
            line, exit_ = one_round(vendor, args.entry)
            lines.append(line)
            exits.append(exit_)
            print(f"{vendor.slug:<11} line {line * 1000:6.0f} ms   exit {exit_ * 1000:6.0f} ms", flush=True)
    print(
        f"entry {args.entry}, load average {os.getloadavg()[0]:.1f}, {len(exits)} rounds: "
        f"line median {statistics.median(lines) * 1000:.0f} ms (max {max(lines) * 1000:.0f}), "
        f"exit median {statistics.median(exits) * 1000:.0f} ms (max {max(exits) * 1000:.0f})"
    )


if __name__ == "__main__":
    main()
