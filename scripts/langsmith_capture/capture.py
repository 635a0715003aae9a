#!/usr/bin/env python3
"""Capture what the real ``langsmith`` SDK sends, one scenario at a time, into raw JSON files.

For each scenario this starts, on 127.0.0.1 only, the capture server (``capture_server.py``,
standing in for LangSmith's ingest API) and the deterministic fake OpenAI server
(``scripts/fake_openai.py``), then runs ``agents.py --scenario NAME`` in a fresh subprocess with
a clean LangSmith environment:

* ``LANGSMITH_TRACING=true``, ``LANGSMITH_ENDPOINT=<capture server>``,
  ``LANGSMITH_API_KEY=<dummy>``, ``LANGSMITH_PROJECT=<per scenario>``;
* every other ``LANGSMITH_*`` / ``LANGCHAIN_*`` / ``OPENAI_*`` / proxy variable removed, so
  nothing leaks in from the caller and nothing reaches the network;
* the child's working directory is a fresh temporary directory outside any git checkout, so the
  SDK's ``git describe`` fallback for ``revision_id`` finds nothing unless the scenario sets
  ``LANGSMITH_REVISION_ID``.

The raw capture (every HTTP request the SDK made, every decoded run/feedback operation, the SDK
versions) goes to ``<raw-dir>/<scenario>.json``; ``convert.py`` turns it into cassettes.

``--transport-check`` additionally runs ``traceable_full`` over the other ingest transports
(uncompressed multipart; ``/runs/batch``; single ``POST /runs`` + ``PATCH /runs/{id}``) and
verifies that the merged runs match the zstd capture field for field (ids and times aside).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS_DIR = HERE.parent
REPO_ROOT = SCRIPTS_DIR.parent
sys.path.insert(0, str(SCRIPTS_DIR))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the repository: tests.connectors.langsmith, the fake server

from capture_server import CaptureServer, merge_runs  # noqa: E402
from fake_openai import FakeOpenAI  # noqa: E402

DUMMY_API_KEY = "lsv2-fake-local"
FIXED_CREATED = 1_780_000_000  # fake OpenAI ``created`` (2026-05-28), so completions are stable
REVISION_ID = "3f9c2d1"  # short form of generate_samples.GIT_SHA

SCENARIO_ENV: dict[str, dict[str, str]] = {
    "traceable_full": {"LANGSMITH_REVISION_ID": REVISION_ID},
    "traceable_no_tool_spans": {"LANGSMITH_REVISION_ID": REVISION_ID},
    "traceable_hidden_io": {
        "LANGSMITH_REVISION_ID": REVISION_ID,
        "LANGSMITH_HIDE_INPUTS": "true",
        "LANGSMITH_HIDE_OUTPUTS": "true",
    },
    "wrap_openai_only": {},
    "langchain_agent": {"LANGSMITH_REVISION_ID": REVISION_ID},
    "langgraph_react": {"LANGSMITH_REVISION_ID": REVISION_ID},
    "langgraph_react_no_versions": {},
    "langgraph_agent": {"LANGSMITH_REVISION_ID": REVISION_ID},
    "eval_with_dataset": {"LANGSMITH_REVISION_ID": REVISION_ID},
}
OPT_IN = ("langgraph_agent",)
SCENARIOS = tuple(SCENARIO_ENV)
DEFAULT_SCENARIOS = tuple(s for s in SCENARIOS if s not in OPT_IN)

PACKAGES = (
    "langsmith",
    "openai",
    "langchain-core",
    "langchain-openai",
    "langgraph",
    "langgraph-prebuilt",
    "zstandard",
    "requests-toolbelt",
)
_DROP_PREFIXES = ("LANGSMITH_", "LANGCHAIN_", "OPENAI_", "LANGGRAPH_")
_DROP_NAMES = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}


def project_name(scenario: str) -> str:
    """LangSmith project a scenario traces into."""
    return "travel-agent-" + scenario.replace("_", "-")


def versions() -> dict[str, str]:
    out = {}
    for pkg in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            out[pkg] = importlib.metadata.version(pkg)
    out["python"] = sys.version.split()[0]
    return out


def child_env(scenario: str, endpoint: str, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_DROP_PREFIXES) and k not in _DROP_NAMES and k != "PYTHONPATH"
    }
    env.update(
        {
            "LANGSMITH_TRACING": "true",
            "LANGSMITH_ENDPOINT": endpoint,
            "LANGSMITH_API_KEY": DUMMY_API_KEY,
            "LANGSMITH_PROJECT": project_name(scenario),
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(SCENARIO_ENV.get(scenario, {}))
    env.update(extra)
    return env


def capture(scenario: str, *, mode: str = "zstd", extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one scenario against fresh servers and return the raw capture."""
    fake = FakeOpenAI(created=FIXED_CREATED)
    server = CaptureServer(mode=mode)
    with fake as openai_url, server as ls_url, tempfile.TemporaryDirectory(prefix="ls-capture-") as cwd:
        started = time.time()
        cmd = [
            sys.executable,
            str(HERE / "agents.py"),
            "--scenario",
            scenario,
            "--openai-base-url",
            openai_url,
        ]
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=child_env(scenario, ls_url, extra_env or {}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        # The SDK's background thread may still be sending when the child's flush returns
        # (it should not, flush() blocks); give stragglers a moment before shutting down.
        time.sleep(0.3)
        port = ls_url.rsplit(":", 1)[1]
        openai_port = openai_url.split(":")[2].split("/")[0]
        openai_requests = len(fake.requests)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"scenario {scenario} failed with exit code {proc.returncode}")
    failures = [r for r in server.requests if r["transport"] in ("error", "unknown")]
    if failures:
        raise SystemExit(f"scenario {scenario}: capture server could not handle {failures}")
    return {
        "scenario": scenario,
        "project_name": project_name(scenario),
        "transport_mode": mode,
        "captured_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "capture_port": port,
        "openai_port": openai_port,
        "versions": versions(),
        "env": {k: v for k, v in SCENARIO_ENV.get(scenario, {}).items()},
        "openai_requests": openai_requests,
        "child_stderr": [line for line in proc.stderr.splitlines() if line.strip()][:40],
        "requests": server.requests,
        "ops": server.ops,
        "workspace": server.workspace,
    }


# --------------------------------------------------------------------------
# Transport check
# --------------------------------------------------------------------------

_VOLATILE = {"id", "trace_id", "parent_run_id", "dotted_order", "start_time", "end_time", "_ops"}


def _shape(run: dict[str, Any]) -> dict[str, Any]:
    """A run with its ids and times removed (for comparing captures).

    ``attachments: {}`` is dropped: only the single-run path (``POST /runs``) sends it, empty.
    """
    out = {k: v for k, v in run.items() if k not in _VOLATILE}
    if out.get("attachments") == {}:
        del out["attachments"]
    out.pop("events", None)
    extra = json.loads(json.dumps(out.get("extra") or {}))
    extra.get("metadata", {}).pop("LANGSMITH_ENDPOINT", None)
    out["extra"] = extra
    text = json.dumps(out, sort_keys=True)
    return json.loads(text)


def transport_check(reference: dict[str, Any]) -> list[str]:
    """Capture ``traceable_full`` over the other transports; compare with ``reference``."""
    ref_runs = merge_runs(reference["ops"])
    ref = sorted(json.dumps(_shape(r), sort_keys=True) for r in ref_runs)
    report = []
    for label, mode, env in (
        ("multipart (uncompressed)", "multipart", {}),
        ("POST /runs/batch", "batch", {}),
        ("POST /runs + PATCH /runs/{id}", "zstd", {"CAPTURE_AUTO_BATCH_TRACING": "false"}),
    ):
        raw = capture("traceable_full", mode=mode, extra_env=env)
        transports = sorted({r["transport"] for r in raw["requests"]} - {"info"})
        got = sorted(json.dumps(_shape(r), sort_keys=True) for r in merge_runs(raw["ops"]))
        # Feedback goes to POST /feedback outside the multipart stream; compare runs only.
        if got != ref:
            diff = sorted(set(got) ^ set(ref))[:2]
            raise SystemExit(f"transport check failed for {label}: runs differ, e.g. {diff}")
        extra_keys = sorted({k for r in merge_runs(raw["ops"]) for k in r} - {k for r in ref_runs for k in r})
        note = f" (this path also sends {extra_keys})" if extra_keys else ""
        report.append(
            f"{label}: transports {transports}, {len(got)} runs identical to the zstd capture{note}; "
            f"ops {sorted(collections.Counter((o['op'], tuple(o['parts'])) for o in raw['ops']).items())}"
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", action="append", choices=SCENARIOS, help="default: all but the opt-in langgraph_agent"
    )
    parser.add_argument("--raw-dir", type=Path, default=REPO_ROOT / "build" / "langsmith_capture")
    parser.add_argument("--transport-check", action="store_true")
    args = parser.parse_args()
    args.raw_dir.mkdir(parents=True, exist_ok=True)
    names = args.scenario or list(DEFAULT_SCENARIOS)
    for name in names:
        raw = capture(name)
        path = args.raw_dir / f"{name}.json"
        path.write_text(json.dumps(raw, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        runs = merge_runs(raw["ops"])
        kinds = sorted({r["transport"] for r in raw["requests"]})
        print(f"{name}: {len(raw['requests'])} requests {kinds}, {len(runs)} runs -> {path}")
    if args.transport_check:
        ref_path = args.raw_dir / "traceable_full.json"
        reference = json.loads(ref_path.read_text(encoding="utf-8"))
        lines = transport_check(reference)
        (args.raw_dir / "transport_check.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for line in lines:
            print("transport check:", line)


if __name__ == "__main__":
    main()
