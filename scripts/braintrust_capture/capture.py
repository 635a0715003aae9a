"""Record what the real ``braintrust`` SDK sends, one scenario at a time.

For each scenario: start a fresh recorder (recorder.py) and the deterministic fake
OpenAI server (scripts/fake_openai.py), both on 127.0.0.1; run drive.py in a child
process with a clean environment (temporary HOME and working directory, dummy
``BRAINTRUST_API_KEY``, ``BRAINTRUST_APP_URL``/``BRAINTRUST_API_URL`` = recorder);
then write ``cassettes/braintrust/<scenario>/sdk_requests.json``: every request
the SDK made, in order, with the recorder's answer.

Run through run.sh (which builds the pinned venv). No network beyond loopback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE.parent
REPO = SCRIPTS.parent
OUT = REPO / "cassettes" / "braintrust"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SCRIPTS))

from fake_openai import FakeOpenAI  # noqa: E402
from recorder import Recorder  # noqa: E402

DUMMY_KEY = "traceready-dummy-key"  # not a secret; the recorder ignores it
PRODUCTION = {"BRAINTRUST_ENVIRONMENT_TYPE": "server", "BRAINTRUST_ENVIRONMENT_NAME": "production"}
CI = {"CI": "true"}

# name -> (project, [(part, extra args, extra env)], description)
SCENARIOS: dict[str, tuple[str, list[tuple[str, list[str], dict[str, str]]], str]] = {
    "logger_traced_tools": (
        "travel-agent-traced-tools",
        [("logger", ["--tools", "traced"], PRODUCTION)],
        "init_logger + @traced agent + @traced(type='tool') tools + wrap_openai; 3 sessions x 2 turns; "
        "Lisbon's get_weather raises TimeoutError",
    ),
    "logger_plain_tools": (
        "travel-agent-plain-tools",
        [("logger", ["--tools", "plain"], PRODUCTION)],
        "as logger_traced_tools but the tools are plain functions: no tool spans (wrap_openai's known limit)",
    ),
    "eval_with_dataset": (
        "travel-agent-evals",
        [
            ("logger", ["--tools", "traced", "--session", "sess-1"], PRODUCTION),
            ("eval", [], CI),
        ],
        "one production session (as logger_traced_tools), a 3-record dataset, and two Eval() experiments "
        "(baseline; candidate with base_experiment=baseline) with three deterministic code scorers, "
        "run under CI=true",
    ),
    "logger_legacy_ids": (
        "travel-agent-legacy-ids",
        [("logger", ["--tools", "traced", "--session", "sess-3"], {"BRAINTRUST_LEGACY_IDS": "1"})],
        "one session (sess-3, the tool timeout) with BRAINTRUST_LEGACY_IDS=1 (UUID span/trace ids) and no "
        "environment variables (no span_origin.environment)",
    ),
    "openai_agents": (
        "travel-agent-openai-agents",
        [("openai_agents", [], PRODUCTION)],
        "OpenAI Agents SDK Agent (Responses API model, two function_tools) traced by Braintrust's "
        "BraintrustTracingProcessor via agents.set_trace_processors; 3 sessions x 2 turns, each turn a "
        "trace() with group_id = session id and metadata user_id/harness_version/git_sha; Lisbon's "
        "get_weather raises TimeoutError (the SDK reports it to the model)",
    ),
}
# Parts that need another venv: openai-agents requires openai 3, the other scenarios were made
# with openai 2 (scripts/braintrust_capture/requirements-openai-agents.txt, built by run.sh).
PART_PYTHON = {"openai_agents": REPO / ".venv-capture-bt-agents" / "bin" / "python"}


def child_env(recorder_url: str, home: str, extra: dict[str, str]) -> dict[str, str]:
    """A minimal environment: nothing from the caller that the SDK would read."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "BRAINTRUST_API_KEY": DUMMY_KEY,
        "BRAINTRUST_APP_URL": recorder_url,
        "BRAINTRUST_API_URL": recorder_url,
    }
    env.update(extra)
    return env


def part_python(part: str) -> str:
    """The interpreter a part runs under (its venv's)."""
    return str(PART_PYTHON.get(part, sys.executable))


def sdk_versions(python: str = sys.executable) -> dict[str, str]:
    out = subprocess.run(
        [python, str(HERE / "drive.py"), "--part", "versions"],
        check=True,
        capture_output=True,
        text=True,
        env=child_env("http://127.0.0.1:9", tempfile.gettempdir(), {}),
    )
    versions: dict[str, str] = json.loads(out.stdout)
    versions["python"] = sys.version.split()[0]
    return versions


def run_scenario(name: str, versions: dict[str, str]) -> Path:
    project, parts, description = SCENARIOS[name]
    commands: list[str] = []
    with Recorder() as rec, FakeOpenAI() as openai_url, tempfile.TemporaryDirectory() as home:
        for part, extra_args, extra_env in parts:
            cmd = [
                part_python(part),
                str(HERE / "drive.py"),
                "--part",
                part,
                "--project",
                project,
                "--openai-base-url",
                openai_url,
                *extra_args,
            ]
            shown_env = " ".join(f"{k}={v}" for k, v in extra_env.items())
            commands.append(
                f"{shown_env + ' ' if shown_env else ''}drive.py --part {part} --project {project} "
                + " ".join(extra_args)
            )
            proc = subprocess.run(
                cmd,
                env=child_env(rec.base_url, home, extra_env),
                cwd=home,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout + proc.stderr)
                raise SystemExit(f"{name}: drive.py --part {part} failed ({proc.returncode})")
            noisy = [ln for ln in proc.stderr.splitlines() if "Traceback" in ln or "failed" in ln.lower()]
            if noisy:
                sys.stderr.write(f"{name}: SDK stderr:\n{proc.stderr}\n")
        state = rec.state
        record: dict[str, Any] = {
            "scenario": name,
            "description": description,
            "project": project,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "client": versions,
            "commands": commands,
            "recorder_base_url": rec.base_url,
            "unanswered_paths": sorted(set(state.unknown)),
            "requests": state.requests,
        }
    out_dir = OUT / name
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "sdk_requests.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    calls: dict[str, int] = {}
    for r in state.requests:
        calls[f"{r['method']} {r['path']}"] = calls.get(f"{r['method']} {r['path']}", 0) + 1
    print(f"{name}: {len(state.requests)} requests {json.dumps(calls)}")
    if state.unknown:
        print(f"{name}: unanswered {sorted(set(state.unknown))}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    versions = sdk_versions()
    print(f"client: {json.dumps(versions)}")
    for name in args.scenario or list(SCENARIOS):
        pythons = {part_python(part) for part, _, _ in SCENARIOS[name][1]}
        run_scenario(name, sdk_versions(pythons.pop()) if len(pythons) == 1 else versions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
