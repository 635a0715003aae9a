"""The interview engine without a terminal: the question bank, reading replies, follow-ups, saving."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from traceready.answers import UNKNOWN, Answers, dump_answers, load_answers, save_answers
from traceready.interview import (
    Interview,
    Invalid,
    Seen,
    load_bank,
    open_interview,
    parse_reply,
    run_interview,
)

BANK = load_bank()
TODAY = date(2026, 12, 2)


def question(key: str):
    found = BANK.find(key)
    assert found is not None
    return found


def test_every_answers_file_key_has_exactly_one_question() -> None:
    keys = {
        f"{s}.{k}"
        for s, values in Answers.model_fields.items()
        if s != "version"
        for k in values.annotation.model_fields
    }
    assert sorted(q.id for q in BANK.questions) == sorted(keys)


def test_every_question_says_what_it_expects_and_every_group_is_asked() -> None:
    assert [g.title for g in BANK.groups] == ["The agents", "Logging today", "Evaluation", "Infrastructure"]
    assert {q.group for q in BANK.questions} == {g.id for g in BANK.groups}
    assert all(q.expects() for q in BANK.questions)


@pytest.mark.parametrize(
    ("key", "reply", "value"),
    [
        pytest.param("replay.possible", "yes", True, id="yes"),
        pytest.param("replay.possible", "Nope", False, id="no"),
        pytest.param("replay.possible", "not sure", UNKNOWN, id="not_sure_is_unknown_never_no"),
        pytest.param("replay.possible", "I don't know", UNKNOWN, id="dont_know"),
        pytest.param("retention.days", "about 30", 30, id="about_a_number"),
        pytest.param("retention.days", "2 weeks", 14, id="weeks_in_days"),
        pytest.param("retention.days", "1 year", 365, id="a_year"),
        pytest.param("eval_harness.test_cases", "1,200", 1200, id="thousands"),
        pytest.param("eval_harness.datasets", "none", 0, id="none_is_zero"),
        pytest.param("logging.source", "we use LangSmith", "langsmith", id="vendor_in_a_sentence"),
        pytest.param("logging.source", "2", "braintrust", id="by_number"),
        pytest.param("logging.source", "grep on the servers", "text_files", id="alias"),
        pytest.param("logging.tool_calls", "some", "some", id="some"),
        pytest.param("logging.tool_calls", "no tools at all", "no_tools", id="longest_phrase_wins"),
        pytest.param("logging.reasoning", "only final outputs", "final", id="final_only"),
        pytest.param("replay.how", "1, 3", ["recorded_tool_responses", "replay_tool"], id="several_numbers"),
        pytest.param(
            "replay.how", "fixed seeds and a replay tool", ["fixed_seeds", "replay_tool"], id="words"
        ),
        pytest.param("agent.tools", "search, book , ", ["search", "book"], id="list"),
        pytest.param("agent.tools", "none", [], id="no_tools"),
        pytest.param("failures.taxonomy", "no", "none", id="no_taxonomy"),
        pytest.param("eval_harness.last_run", "3 days ago", date(2026, 11, 29), id="days_ago"),
        pytest.param("eval_harness.last_run", "2026-11-20", date(2026, 11, 20), id="iso"),
    ],
)
def test_a_reply_is_read_as_the_question_expects(key: str, reply: str, value: object) -> None:
    assert parse_reply(question(key), reply, TODAY) == value


@pytest.mark.parametrize(
    ("key", "reply", "message"),
    [
        pytest.param("replay.possible", "maybe", '"maybe" is not yes or no', id="yes_no"),
        pytest.param("retention.days", "forever", '"forever" is not one number', id="number"),
        pytest.param("retention.days", "between 10 and 20", "is not one number", id="two_numbers"),
        pytest.param("logging.source", "a spreadsheet", "is not one of the choices", id="choice"),
        pytest.param("eval_harness.last_run", "last spring", "is not a date", id="date"),
    ],
)
def test_a_reply_it_cannot_use_says_why(key: str, reply: str, message: str) -> None:
    result = parse_reply(question(key), reply, TODAY)
    assert isinstance(result, Invalid)
    assert message in result.message


def test_a_vague_answer_brings_its_follow_up_and_a_changed_one_drops_it() -> None:
    interview = Interview(bank=BANK, answers={"logging.tool_calls": "some"})
    assert question("logging.tools_not_logged") in interview.pending()
    interview.answers["logging.tools_not_logged"] = ["crm_lookup"]
    assert interview.to_answers().logging.tools_not_logged == ["crm_lookup"]
    interview.answers["logging.tool_calls"] = "all"
    assert question("logging.tools_not_logged") not in interview.pending()
    assert interview.to_answers().logging.tools_not_logged is None


def test_a_follow_up_whose_question_is_unanswered_is_kept() -> None:
    interview = Interview(bank=BANK, answers={"logging.project": "travel-agent"})
    assert interview.to_answers().logging.project == "travel-agent"


def test_not_sure_asks_no_follow_up() -> None:
    interview = Interview(bank=BANK, answers={"replay.possible": UNKNOWN, "eval_harness.datasets": UNKNOWN})
    pending = {q.id for q in interview.pending()}
    assert not pending & {
        "replay.how",
        "replay.deterministic",
        "eval_harness.frequency",
        "eval_harness.last_run",
    }


def test_what_the_audit_settled_is_not_asked_and_a_partial_figure_is_shown() -> None:
    interview = Interview(
        bank=BANK,
        seen={
            "logging.source": Seen("traces come from Phoenix", settled=True),
            "logging.tool_calls": Seen("tool spans for 38 of 40 tool calls", settled=False),
        },
    )
    pending = [q.id for q in interview.pending()]
    assert "logging.source" not in pending
    assert "logging.project" not in pending
    text = interview.render(question("logging.tool_calls"))
    assert text.startswith("[13/33] The audit saw tool spans for 38 of 40 tool calls.")


def test_an_answer_the_audit_may_contradict_is_asked_again_once() -> None:
    interview = Interview(
        bank=BANK,
        answers={"agent.description": "Books trips", "logging.tool_calls": "all"},
        seen={"logging.tool_calls": Seen("tool spans for 38 of 40 tool calls", settled=False)},
    )
    assert interview.current() == question("logging.tool_calls")
    assert "Current answer: all" in interview.render(question("logging.tool_calls"))
    assert interview.reply("some").saved
    assert interview.current() == question("logging.tools_not_logged")
    assert interview.reply("crm_lookup").saved
    assert interview.current() == question("agent.architecture")


def test_back_and_goto_revisit_and_enter_keeps_the_answer() -> None:
    interview = Interview(bank=BANK, today=TODAY)
    assert interview.reply("Books trips").saved
    assert interview.reply("one").saved
    assert interview.current() == question("agent.models")
    interview.reply("back")
    assert interview.current() == question("agent.architecture")
    assert not interview.reply("").saved
    assert interview.answers["agent.architecture"] == "single"
    assert interview.current() == question("agent.models")
    assert "No question" in interview.reply(":goto 99").message
    interview.reply(":goto agent.description")
    assert interview.current() == question("agent.description")


def test_the_first_format_reads_and_is_rewritten_as_version_2(tmp_path: Path) -> None:
    first = tmp_path / "answers.toml"
    first.write_text("[sandbox]\nexperiments_isolated = true\n\n[eval_harness]\nlast_run = 2026-11-20\n")
    answers = load_answers(first)
    assert answers.version == 1
    assert answers.eval_harness.last_run == date(2026, 11, 20)
    save_answers(first, answers)
    written = tomllib.loads(first.read_text())
    assert written == {
        "version": 2,
        "sandbox": {"experiments_isolated": True},
        "eval_harness": {"last_run": date(2026, 11, 20)},
    }


def test_text_with_quotes_and_newlines_survives_the_round_trip(tmp_path: Path) -> None:
    text = 'say "hi"\\ then\nnew line\ttab \x7f end'
    path = tmp_path / "answers.toml"
    save_answers(path, Answers.from_flat({"agent.description": text, "agent.models": ['o"1']}))
    assert load_answers(path).agent.description == text
    assert load_answers(path).agent.models == ['o"1']
    assert [p.name for p in tmp_path.iterdir()] == ["answers.toml"]


def test_every_answer_is_saved_before_the_next_question(tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    replies = iter(["Books trips", "maybe", "several", "gpt-4o"])
    snapshots: list[str] = []

    def ask(prompt: str) -> str:
        snapshots.append(path.read_text() if path.exists() else "")
        try:
            return next(replies)
        except StopIteration:
            raise KeyboardInterrupt from None

    with pytest.raises(KeyboardInterrupt):
        run_interview(Interview(bank=BANK, today=TODAY), path, ask=ask, say=lambda text: None)
    assert snapshots[0] == ""
    assert 'description = "Books trips"' in snapshots[1]
    assert "architecture" not in snapshots[2]  # "maybe" was re-asked, nothing written
    assert 'architecture = "multi"' in snapshots[3]
    assert load_answers(path).agent.models == ["gpt-4o"]
    assert dump_answers(load_answers(path)).startswith("# Self-reported facts")


def test_a_complete_file_can_still_have_one_answer_changed(tmp_path: Path) -> None:
    path = tmp_path / "answers.toml"
    every = {q.id: UNKNOWN for q in BANK.questions if q.when is None}
    save_answers(path, Answers.from_flat(every | {"agent.description": "Books trips"}))
    replies = iter(["", ":goto 1", "Plans trips"])
    said: list[str] = []
    interview = open_interview(path, today=TODAY)
    ended = run_interview(interview, path, ask=lambda prompt: next(replies), say=said.append)
    assert ended.unanswered == ()
    assert "Every question is answered" in said[1]
    assert load_answers(path).agent.description == "Plans trips"
    assert load_answers(path).agent.architecture == UNKNOWN
