"""``traceready interview`` driven through a real pseudo-terminal (pexpect), as a user types it."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import orjson
import pexpect
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from traceready.cli import app
from traceready.interview import load_bank

TRACEREADY = str(Path(sys.executable).parent / "traceready")
BANK = load_bank()
QUESTION = r"\[(\d+)/\d+\] "


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    child = pexpect.spawn(
        TRACEREADY, ["interview", *args], cwd=str(cwd), env=env, encoding="utf-8", timeout=30
    )
    child.setwinsize(50, 200)
    return child


def next_question(child: pexpect.spawn) -> str:
    """The key of the question now asked (read from its [n/N] number), once its prompt is shown."""
    child.expect(QUESTION)
    key = BANK.questions[int(child.match.group(1)) - 1].id
    child.expect("> ")
    return key


def answer_all(child: pexpect.spawn, replies: dict[str, str]) -> list[str]:
    """Answer each question asked from ``replies`` until the interview ends; the keys asked, in order."""
    asked = []
    while child.expect([QUESTION, r"Saved \d+ answers"]) == 0:
        key = BANK.questions[int(child.match.group(1)) - 1].id
        child.expect("> ")
        asked.append(key)
        child.sendline(replies[key])
    child.expect(pexpect.EOF)
    return asked


def saved(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def quit_interview(child: pexpect.spawn, folder: Path) -> dict:
    """Type :quit at the prompt shown; the answers file as saved."""
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    return saved(folder / "answers.toml")


FULL_REPLIES = {
    "agent.description": "Books trips for travellers",
    "agent.architecture": "just one",
    "agent.models": "gpt-4o-mini, claude-sonnet-4",
    "agent.tools": "search_flights, book_hotel, crm_lookup",
    "agent.harness": "one system prompt and three tool definitions in LangGraph",
    "logging.source": "we use LangSmith",
    "logging.project": "travel-agent",
    "logging.access": "the LangSmith UI",
    "retention.days": "about 2 weeks",
    "logging.format": "1",
    "logging.inputs_outputs": "yes",
    "logging.reasoning": "steps",
    "logging.tool_calls": "some",
    "logging.tools_not_logged": "crm_lookup",
    "logging.decisions": "not sure",
    "logging.errors": "only a message",
    "logging.usage": "tokens only",
    "eval_harness.how": "we read a sample of sessions every week",
    "eval_harness.automated": "no",
    "eval_harness.datasets": "2",
    "eval_harness.test_cases": "120",
    "eval_harness.frequency": "before each release",
    "eval_harness.last_run": "2026-11-20",
    "eval_harness.scored_experiments": "0",
    "failures.taxonomy": "none",
    "replay.possible": "yes",
    "replay.how": "recorded tool responses and fixed seeds",
    "replay.deterministic": "not sure",
    "sandbox.experiments_isolated": "yes",
    "sandbox.how": "a staging project with its own keys",
    "versioning.harness_in_version_control": "yes",
    "versioning.version_on_traces": "no",
}


def test_a_full_interview_follows_up_vague_answers_and_writes_what_the_audit_reads(tmp_path: Path) -> None:
    child = spawn(cwd=tmp_path)
    asked = answer_all(child, FULL_REPLIES)
    child.close()
    assert child.exitstatus == 0
    # Follow-ups asked because of vague answers; the one for automated evaluation skipped after "no".
    assert asked.index("logging.project") == asked.index("logging.source") + 1
    assert asked.index("logging.tools_not_logged") == asked.index("logging.tool_calls") + 1
    assert asked[asked.index("replay.possible") + 1 : asked.index("replay.possible") + 3] == [
        "replay.how",
        "replay.deterministic",
    ]
    assert "eval_harness.automated_evaluators" not in asked
    answers = saved(tmp_path / "answers.toml")
    assert answers["version"] == 2
    assert answers["agent"]["architecture"] == "single"
    assert answers["agent"]["tools"] == ["search_flights", "book_hotel", "crm_lookup"]
    assert answers["logging"]["source"] == "langsmith"
    assert answers["logging"]["tools_not_logged"] == ["crm_lookup"]
    assert answers["logging"]["decisions"] == "unknown"  # "not sure" is unknown, never no
    assert answers["logging"]["errors"] == "message"
    assert answers["retention"]["days"] == 14
    assert answers["eval_harness"]["frequency"] == "per_release"
    assert str(answers["eval_harness"]["last_run"]) == "2026-11-20"
    assert answers["replay"]["how"] == ["recorded_tool_responses", "fixed_seeds"]
    assert answers["replay"]["deterministic"] == "unknown"
    # "we use LangSmith" pre-filled the source: the next step names the LangSmith audit.
    assert "Next: traceready audit langsmith:travel-agent --answers answers.toml" in child.before
    result = CliRunner().invoke(app, ["audit", "answers", str(tmp_path / "answers.toml"), "-f", "json"])
    findings = {f["requirement"]: f["status"] for f in orjson.loads(result.stdout)["findings"]}
    assert findings == {
        "a": "PARTIAL",
        "b": "PARTIAL",
        "c": "UNKNOWN",
        "d": "PRESENT",
        "e": "PARTIAL",
        "f": "ABSENT",
        "g": "ABSENT",
        "h": "PARTIAL",
        "i": "PRESENT",
        "j": "PARTIAL",  # two datasets, but no scored experiment and human review only
    }


def test_an_answer_it_cannot_use_is_asked_again_and_nothing_is_lost(tmp_path: Path) -> None:
    child = spawn(cwd=tmp_path)
    assert next_question(child) == "agent.description"
    child.sendline("Books trips")
    assert next_question(child) == "agent.architecture"
    child.sendline("maybe")
    child.expect('"maybe" is not one of the choices')
    assert next_question(child) == "agent.architecture"
    child.sendline("several agents")
    assert next_question(child) == "agent.models"
    assert quit_interview(child, tmp_path)["agent"] == {"description": "Books trips", "architecture": "multi"}


def test_ctrl_c_after_five_answers_keeps_them_and_the_next_run_resumes(tmp_path: Path) -> None:
    child = spawn(cwd=tmp_path)
    for _ in range(5):
        key = next_question(child)
        child.sendline(FULL_REPLIES[key])
    assert next_question(child) == "logging.source"
    child.send("we use Lang")  # half typed, then Ctrl-C
    child.sendintr()
    child.expect("Stopped: 5 answers are saved in answers.toml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(saved(tmp_path / "answers.toml")["agent"]) == [
        "description",
        "architecture",
        "models",
        "tools",
        "harness",
    ]
    assert not [p.name for p in tmp_path.iterdir() if p.name != "answers.toml"]  # no temp file left

    child = spawn(cwd=tmp_path)
    child.expect("answers.toml holds 5 answers; ")
    child.expect(r"Resume \(Enter\)")
    child.sendline("")
    assert next_question(child) == "logging.source"
    child.sendline("we use LangSmith")
    assert next_question(child) == "logging.project"
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    answers = saved(tmp_path / "answers.toml")
    assert answers["logging"] == {"source": "langsmith"}
    assert answers["agent"]["description"] == "Books trips for travellers"


def test_going_back_changes_an_earlier_answer(tmp_path: Path) -> None:
    child = spawn(cwd=tmp_path)
    next_question(child)
    child.sendline("Books trips")
    next_question(child)
    child.sendline("one agent")
    assert next_question(child) == "agent.models"
    child.sendline("back")
    child.expect(r"\[2/\d+\] ")
    child.expect("Current answer: single")
    child.expect("> ")
    child.sendline("several")
    assert next_question(child) == "agent.models"
    child.sendline(":goto 1")
    child.expect("Current answer: Books trips")
    child.expect("> ")
    child.sendline("")  # Enter keeps it
    assert next_question(child) == "agent.models"
    assert quit_interview(child, tmp_path)["agent"] == {"description": "Books trips", "architecture": "multi"}


def test_a_rerun_asks_before_discarding_answers(tmp_path: Path) -> None:
    (tmp_path / "answers.toml").write_text('version = 2\n[agent]\ndescription = "Books trips"\n')
    child = spawn(cwd=tmp_path)
    child.expect("answers.toml holds 1 answer; ")
    child.expect(r"\? ")
    child.sendline("o")
    child.expect("Discard the 1 answer in")
    child.sendline("no")
    child.expect("Kept them.")
    child.sendline("q")
    child.expect(pexpect.EOF)
    assert saved(tmp_path / "answers.toml")["agent"] == {"description": "Books trips"}


@pytest.fixture
def audit_report(tmp_path: Path) -> Path:
    """A real JSON report of the sample agent, its tool-span figure changed to 38 of 40."""
    result = CliRunner().invoke(
        app, ["audit", "otel", str(SAMPLES / "openinference_full.otlp.jsonl"), "-f", "json"]
    )
    report = orjson.loads(result.stdout)
    for finding in report["findings"]:
        for metric in finding["metrics"]:
            if metric["metric"] == "b.requested_calls_with_span":
                metric.update(numerator=38, denominator=40, value=0.95)
    path = tmp_path / "audit.json"
    path.write_bytes(orjson.dumps(report))
    return path


def test_with_a_report_it_asks_only_what_the_traces_could_not_show(
    tmp_path: Path, audit_report: Path
) -> None:
    child = spawn("--report", str(audit_report), cwd=tmp_path)
    child.expect("Already shown by the audit, so not asked:")
    child.expect(r"Where are the agent's logs or traces stored\? -> traces come from OpenTelemetry files")
    asked = []
    while child.expect([QUESTION, r"Saved \d+ answers"]) == 0:
        key = BANK.questions[int(child.match.group(1)) - 1].id
        if key == "logging.tool_calls":
            child.expect("The audit saw tool spans for 38 of 40 tool calls.")
        child.expect("> ")
        asked.append(key)
        child.sendline("not sure")
    child.expect(pexpect.EOF)
    # The sample shows where the traces live and their shape, model calls as steps on every trace,
    # the offered tools on every choice: those are not asked. 38 of 40 is asked, with the figure.
    for shown in (
        "logging.source",
        "logging.project",
        "logging.format",
        "logging.reasoning",
        "logging.decisions",
    ):
        assert shown not in asked
    assert "logging.tool_calls" in asked
    assert {
        "agent.description",
        "sandbox.experiments_isolated",
        "versioning.harness_in_version_control",
    } <= set(asked)
    assert saved(tmp_path / "answers.toml")["logging"]["tool_calls"] == "unknown"
