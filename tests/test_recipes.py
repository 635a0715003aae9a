"""The scheduling recipes in docs/recipes/: each file parses and validates, and its commands run.

The GitHub and GitLab files are checked against SchemaStore's schemas as check-jsonschema vendors them
(offline); the systemd units by ``systemd-analyze verify`` where systemd is installed, and by their
structure everywhere; the crontab schedule by croniter.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from croniter import croniter

from tests.conftest import SAMPLES

RECIPES = Path(__file__).resolve().parents[1] / "docs" / "recipes"


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_github_workflow_validates_against_the_schemastore_schema() -> None:
    result = check_jsonschema("vendor.github-workflows", RECIPES / "github-actions.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_github_workflow_schedules_keeps_history_publishes_and_fails_on_regression() -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert all(croniter.is_valid(entry["cron"]) for entry in triggers["schedule"])
    (job,) = workflow["jobs"].values()
    uses = [step.get("uses", "").split("@")[0] for step in job["steps"]]
    for action in ("actions/cache/restore", "actions/cache/save", "actions/upload-artifact"):
        assert action in uses
    assert "mikepenz/action-junit-report" in uses
    audit = next(step["run"] for step in job["steps"] if "traceready audit" in step.get("run", ""))
    assert "--fail-on-regression" in audit and "--junit junit.xml" in audit
    after = job["steps"][[s.get("name") for s in job["steps"]].index("Trend report") :]
    assert all(step.get("if") == "${{ !cancelled() }}" for step in after), "reports must publish on failure"
    assert job["env"]["TRACEREADY_HISTORY"].startswith(".traceready/")


def test_the_gitlab_job_validates_against_the_schemastore_schema() -> None:
    result = check_jsonschema("vendor.gitlab-ci", RECIPES / "gitlab-ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gitlab_job_runs_on_schedule_keeps_history_and_publishes_junit() -> None:
    job = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())["traceready"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert job["cache"]["paths"] == [".traceready/"] and job["cache"]["when"] == "always"
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "junit.xml"
    assert "history.html" in job["artifacts"]["paths"]
    assert job["script"][-1] == "exit $status", "the audit's exit status must survive the trend step"


def _units(tmp_path: Path) -> tuple[Path, Path]:
    """The units, with ExecStart pointing at this environment's traceready (verify checks it exists)."""
    traceready = Path(sys.executable).with_name("traceready")
    service = tmp_path / "traceready-audit.service"
    service.write_text(
        (RECIPES / "traceready-audit.service")
        .read_text()
        .replace("/usr/local/bin/traceready", str(traceready))
    )
    timer = tmp_path / "traceready-audit.timer"
    shutil.copy(RECIPES / "traceready-audit.timer", timer)
    return service, timer


def test_the_systemd_units_have_what_a_timer_and_oneshot_service_need(tmp_path: Path) -> None:
    service_path, timer_path = _units(tmp_path)
    service = configparser.ConfigParser(strict=True, interpolation=None)
    service.read(service_path)
    assert service["Service"]["Type"] == "oneshot"
    assert "--fail-on-regression" in service["Service"]["ExecStart"]
    assert service["Service"]["StateDirectory"] == "traceready"
    timer = configparser.ConfigParser(strict=True, interpolation=None)
    timer.read(timer_path)
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    if shutil.which("systemd-analyze"):
        calendar = subprocess.run(
            ["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]],
            capture_output=True,
            text=True,
            check=False,
        )
        assert calendar.returncode == 0, calendar.stderr
        # verify warns about unknown keys without failing: an empty stderr is the bar.
        verify = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", str(timer_path), str(service_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (verify.returncode, verify.stderr) == (0, "")


def test_the_crontab_line_is_a_valid_schedule_that_fails_on_regression() -> None:
    lines = [
        line for line in (RECIPES / "crontab").read_text().splitlines() if line and not line.startswith("#")
    ]
    (job,) = [line for line in lines if not line.startswith("MAILTO=")]
    fields = job.split(maxsplit=5)
    assert croniter.is_valid(" ".join(fields[:5]))
    assert "traceready audit prod --compact --fail-on-regression" in fields[5]


# The recipes' own commands, run for real against a "prod" target that is an OTel file: once with the
# full sample, then with a sample that lost its tool spans, which must fail as a regression.

FULL = SAMPLES / "openinference_full.otlp.jsonl"
WORSE = SAMPLES / "llm_spans_no_tool_spans.otlp.jsonl"


def _declare_prod(folder: Path, sample: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "traceready.toml"
    path.write_text(f'[targets.prod]\nsource = "otel"\npaths = ["{sample}"]\n')
    return path


def _shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env={**os.environ, **env, "PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_crontab_command_runs_and_fails_on_the_regression(tmp_path: Path) -> None:
    (job,) = [
        line.split(maxsplit=5)[5]
        for line in (RECIPES / "crontab").read_text().splitlines()
        if line and not line.startswith(("#", "MAILTO="))
    ]
    home = tmp_path / "home"
    _declare_prod(home / "traceready", FULL)
    first = _shell(job, tmp_path, {"HOME": str(home)})
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0].split()[:3] == ["prod", "a", "PRESENT"]
    assert (home / "traceready" / "traceready.prom").read_text().endswith("# EOF\n")
    _declare_prod(home / "traceready", WORSE)
    second = _shell(job, tmp_path, {"HOME": str(home)})
    assert second.returncode == 1 and "b dropped PRESENT -> ABSENT" in second.stderr


def test_the_systemd_service_command_runs_and_fails_on_the_regression(tmp_path: Path) -> None:
    service = configparser.ConfigParser(strict=True, interpolation=None)
    service.read(RECIPES / "traceready-audit.service")
    etc, state = tmp_path / "etc", tmp_path / "var"
    state.mkdir()

    def local(text: str) -> str:
        traceready = str(Path(sys.executable).with_name("traceready"))
        text = text.replace("/usr/local/bin/traceready", traceready)
        return text.replace("/etc/traceready", str(etc)).replace("/var/lib/traceready", str(state))

    env = dict([local(service["Service"]["Environment"]).split("=", 1)])
    command = local(service["Service"]["ExecStart"])
    _declare_prod(etc, FULL)
    assert _shell(command, tmp_path, env).returncode == 0
    _declare_prod(etc, WORSE)
    assert _shell(command, tmp_path, env).returncode == 1
    assert (state / "history.sqlite").is_file() and (state / "traceready.prom").is_file()


def test_the_github_workflow_steps_run_publish_and_fail_on_the_regression(tmp_path: Path) -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    (job,) = workflow["jobs"].values()
    steps = [s for s in job["steps"] if "run" in s and not s["run"].startswith("pip install")]
    summary = tmp_path / "summary.md"
    env = {**job["env"], "GITHUB_STEP_SUMMARY": str(summary)}
    for sample, audit_status in ((FULL, 0), (WORSE, 1)):
        _declare_prod(tmp_path, sample)
        results = [_shell(step["run"], tmp_path, env) for step in steps]
        assert [r.returncode for r in results] == [audit_status, 0], [r.stderr for r in results]
    for name in ("report.md", "junit.xml", "traceready.prom", "history.html"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / ".traceready" / "history.sqlite").is_file()
    assert summary.read_text().count("### traceready: prod") == 2


def test_the_gitlab_job_script_runs_publishes_and_fails_on_the_regression(tmp_path: Path) -> None:
    job = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())["traceready"]
    script = "\n".join(line for line in job["script"] if not line.startswith("pip install"))
    for sample, status in ((FULL, 0), (WORSE, 1)):
        _declare_prod(tmp_path, sample)
        result = _shell(script, tmp_path, job["variables"])
        assert result.returncode == status, result.stderr
    assert (tmp_path / "history.html").is_file()
    assert (tmp_path / "junit.xml").read_text().count("<testcase") == 10
