"""``traceready interview``: the questions a consultant auditing trace infrastructure would ask.

The question bank is data (``interview.yaml``, validated here); ``Interview`` is the engine: which
question comes next (follow-ups where an answer is vague, nothing an audit report already shows),
how a reply is read (``parse_reply``), going back and jumping; it never touches a terminal.
``run_interview`` drives it through two callables (``ask`` reads a line, ``say`` writes text) and
saves the answers file atomically after every answer, so Ctrl-C loses at most the reply being typed.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from traceready.answers import UNKNOWN, Answers, load_answers, save_answers
from traceready.errors import NotFoundError, UsageError, invalid
from traceready.findings import Status
from traceready.report.model import Report
from traceready.yaml_text import safe_load

Kind = Literal["yes_no", "number", "date", "choice", "choices", "text", "list"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Frozen):
    """One option of a choice question: the value written, its label, words that pick it."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


class When(_Frozen):
    """A follow-up's condition on an earlier answer."""

    key: str
    in_: tuple[Any, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Any, ...] | None = None

    def holds(self, answer: Any) -> bool:
        """True when ``answer`` (None: not given) satisfies the condition."""
        if answer is None:
            return False
        given = answer if isinstance(answer, list) else [answer]
        if self.in_ is not None:
            return any(_same(a, v) for a in given for v in self.in_)
        return not any(_same(a, v) for a in given for v in self.not_in or ())


def _same(answer: Any, value: Any) -> bool:
    # YAML's `true` must not match the number 1, nor 0 match `false`.
    return type(answer) is type(value) and answer == value


class Observed(_Frozen):
    """What an audit report can show instead of the answer (see interview.yaml)."""

    source: bool = False
    metric: str | None = None
    inventory: str | None = None
    finding: str | None = None
    evidence: tuple[str, ...] = ()
    seen: str | None = None
    confirm: bool = False


class Question(_Frozen):
    """One question of the bank."""

    id: str
    group: str
    kind: Kind
    text: str
    choices: tuple[Choice, ...] = ()
    when: When | None = None
    observed: Observed | None = None
    none_ok: bool = False
    unit: Literal["days"] | None = None
    bears_on: tuple[str, ...] = ()

    def expects(self) -> str:
        """What a usable reply looks like, shown under the question."""
        return {
            "yes_no": "yes / no / not sure",
            "number": "a number" + (" (days, or e.g. 2 weeks)" if self.unit else "") + ", or not sure",
            "date": "a date (YYYY-MM-DD, today, yesterday, 3 days ago), or not sure",
            "choice": f"a number 1-{len(self.choices)} or words from the list, or not sure",
            "choices": "one or more numbers or words from the list (e.g. 1,3), or not sure",
            "text": "a line of text" + (", none" if self.none_ok else "") + ", or not sure",
            "list": "names separated by commas (or none), or not sure",
        }[self.kind]


class Group(_Frozen):
    """A group of questions, asked together."""

    id: str
    title: str


class Bank(_Frozen):
    """The validated question bank: groups and questions in the order asked."""

    groups: tuple[Group, ...]
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Bank:
        groups = {g.id for g in self.groups}
        seen: set[str] = set()
        answer_keys = set(_answer_keys())
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"question {q.id} appears twice")
            if q.id not in answer_keys:
                raise ValueError(f"question {q.id} fills no answers-file key")
            if q.group not in groups:
                raise ValueError(f"question {q.id} names unknown group {q.group}")
            if q.when is not None and q.when.key not in seen:
                raise ValueError(f"question {q.id} follows up {q.when.key}, which is not asked before it")
            if (q.kind in ("choice", "choices")) != bool(q.choices):
                raise ValueError(f"question {q.id}: choices belong to choice questions only")
            seen.add(q.id)
        return self

    def number(self, question: Question) -> int:
        """The question's 1-based position in the bank (what ``:goto`` takes)."""
        return self.questions.index(question) + 1

    def find(self, ref: str) -> Question | None:
        """The question numbered or named ``ref``."""
        if ref.isdigit() and 1 <= int(ref) <= len(self.questions):
            return self.questions[int(ref) - 1]
        return next((q for q in self.questions if q.id == ref), None)


def _answer_keys() -> list[str]:
    return [
        f"{section}.{key}"
        for section, info in Answers.model_fields.items()
        if section != "version"
        for key in info.annotation.model_fields  # type: ignore[union-attr]
    ]


@cache
def load_bank() -> Bank:
    """The shipped question bank (``interview.yaml``), validated."""
    text = (resources.files("traceready") / "interview.yaml").read_text(encoding="utf-8")
    try:
        return Bank.model_validate(safe_load(text))
    except ValidationError as exc:
        raise invalid("interview.yaml", exc) from None


# -- reading a reply --------------------------------------------------------------------------------

_UNSURE = {
    "not sure",
    "unsure",
    "don't know",
    "dont know",
    "do not know",
    "idk",
    "unknown",
    "no idea",
    "?",
    "not certain",
    "dunno",
    "no clue",
}
_YES = {"y", "yes", "yep", "yeah", "true", "sure", "of course", "always", "correct"}
_NO = {"n", "no", "nope", "false", "never", "not really"}
_NONE = {"none", "no", "nothing", "n/a", "zero", "nil", "-"}
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}


@dataclass(frozen=True, slots=True)
class Invalid:
    """A reply the question cannot use, and why."""

    message: str


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("\u2019", "'")).strip(" .!")


def is_unsure(text: str) -> bool:
    """True for "not sure" and its usual spellings."""
    folded = _folded(text)
    return folded in _UNSURE or folded.startswith(("not sure", "i'm not sure", "im not sure", "i don't know"))


def parse_reply(question: Question, text: str, today: date | None = None) -> Any:
    """The value ``text`` gives ``question``, ``UNKNOWN`` for "not sure", or an ``Invalid``."""
    if is_unsure(text):
        return UNKNOWN
    folded = _folded(text)
    if question.kind == "yes_no":
        if folded in _YES or folded.startswith(("yes", "yep", "yeah")):
            return True
        if folded in _NO or folded.startswith(("no,", "no ", "nope")):
            return False
        return Invalid(f'"{text.strip()}" is not yes or no: answer yes, no or not sure.')
    if question.kind == "number":
        return _number(question, folded, text)
    if question.kind == "date":
        return _date(folded, text, today or date.today())
    if question.kind == "choice":
        return _choice(question, folded, text)
    if question.kind == "choices":
        return _choices(question, folded, text)
    if question.kind == "list":
        if folded in _NONE:
            return []
        items = [item.strip() for item in re.split(r"[,;]", text) if item.strip()]
        return items or Invalid("Name at least one, separated by commas, or answer none or not sure.")
    if question.none_ok and folded in _NONE:
        return "none"
    return text.strip()


def _number(question: Question, folded: str, text: str) -> int | Invalid:
    if folded in _NONE:
        return 0
    numbers = re.findall(r"\d[\d,_]*", folded)
    if len(numbers) != 1:
        return Invalid(f'"{text.strip()}" is not one number: answer with a single number, or not sure.')
    value = int(re.sub(r"[,_]", "", numbers[0]))
    if question.unit == "days":
        for unit, days in _UNITS.items():
            if re.search(rf"\b{unit}s?\b", folded):
                return value * days
    return value


def _date(folded: str, text: str, today: date) -> date | Invalid:
    if folded == "today":
        return today
    if folded == "yesterday":
        return today - timedelta(days=1)
    ago = re.fullmatch(r"(\d+) (day|week|month)s? ago", folded)
    if ago:
        return today - timedelta(days=int(ago.group(1)) * _UNITS[ago.group(2)])
    try:
        return date.fromisoformat(folded)
    except ValueError:
        return Invalid(f'"{text.strip()}" is not a date: answer YYYY-MM-DD, today, N days ago, or not sure.')


def _choice(question: Question, folded: str, text: str) -> str | Invalid:
    choices = question.choices
    if folded.isdigit() and 1 <= int(folded) <= len(choices):
        return choices[int(folded) - 1].value
    # Free text picks the choice whose longest phrase it contains ("we use LangSmith" -> langsmith).
    best: dict[str, int] = {}
    for choice in choices:
        for phrase in (choice.value.replace("_", " "), choice.value, choice.label.lower(), *choice.aliases):
            if re.search(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])", folded):
                best[choice.value] = max(best.get(choice.value, 0), len(phrase))
    if best:
        longest = max(best.values())
        winners = [value for value, length in best.items() if length == longest]
        if len(winners) == 1:
            return winners[0]
    return Invalid(
        f'"{text.strip()}" is not one of the choices: answer a number 1-{len(choices)}, '
        "a word from the list, or not sure."
    )


def _choices(question: Question, folded: str, text: str) -> list[str] | Invalid:
    parts = [p for p in re.split(r",|;|/| and |\s+(?=\d)", folded) if p.strip()]
    picked: list[str] = []
    for part in parts:
        value = _choice(question, part.strip(), part.strip())
        if isinstance(value, Invalid):
            return Invalid(
                f'"{part.strip()}" is not one of the choices: answer numbers 1-{len(question.choices)} '
                "or words from the list, separated by commas, or not sure."
            )
        if value not in picked:
            picked.append(value)
    return picked or Invalid("Pick at least one of the choices, or answer not sure.")


def show(value: Any) -> str:
    """An answer as the user would type it."""
    if value == UNKNOWN:
        return "not sure"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


# -- what an audit already shows --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seen:
    """What the audit showed for a question: ``settled`` skips it, otherwise it is asked with ``fact``."""

    fact: str
    settled: bool


def observations(bank: Bank, report: Report) -> dict[str, Seen]:
    """For each question the report bears on, what it observed and whether that settles it."""
    ratios = {r.metric: r for f in report.findings for r in (*f.metrics, *f.breakdown)}
    findings = {f.requirement: f for f in report.findings}
    inventory = report.inventory.model_dump()
    result: dict[str, Seen] = {}
    for q in bank.questions:
        spec = q.observed
        if spec is None:
            continue
        if spec.source:
            result[q.id] = Seen(f"traces come from {report.vendor} ({report.target})", settled=True)
        elif spec.metric is not None:
            ratio = ratios.get(spec.metric)
            if ratio is None or not ratio.applies:
                continue
            fact = (spec.seen or "{n} of {d}").format(n=ratio.numerator, d=ratio.denominator)
            decisive = ratio.numerator in (0, ratio.denominator)
            result[q.id] = Seen(fact, settled=decisive and not spec.confirm)
        elif spec.inventory is not None:
            value = inventory.get(spec.inventory)
            if value is None:
                continue
            if isinstance(value, tuple | list):
                value = ", ".join(map(str, value)) or "none"
            result[q.id] = Seen((spec.seen or "{value}").format(value=value), settled=not spec.confirm)
        elif spec.finding is not None:
            finding = findings.get(spec.finding)
            if finding is None or finding.status is Status.UNKNOWN:
                continue
            if finding.evidence.value in spec.evidence:
                result[q.id] = Seen(finding.reason.rstrip("."), settled=True)
    return result


def load_report(path: Path) -> Report:
    """An audit report written by ``traceready audit ... --format json``."""
    if not path.is_file():
        raise NotFoundError(f"report not found: {path}")
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        data = None
    try:
        return Report.model_validate(_without_computed(data))
    except ValidationError as exc:
        raise UsageError(
            f"{path}: not a traceready JSON report ({exc.error_count()} errors)",
            hint="write one with traceready audit ... --format json --out audit.json",
        ) from None


def _without_computed(data: Any) -> Any:
    """The report's JSON without ``Ratio.value``, which is computed on output, not read back."""
    findings = data.get("findings") if isinstance(data, dict) else None
    for finding in findings if isinstance(findings, list) else ():
        for key in ("metrics", "breakdown"):
            ratios = finding.get(key) if isinstance(finding, dict) else None
            for ratio in ratios if isinstance(ratios, list) else ():
                if isinstance(ratio, dict):
                    ratio.pop("value", None)
    return data


# -- the engine -------------------------------------------------------------------------------------

HELP = (
    "Commands: back (the previous question), :goto N (question N, or its key), :list (every answer),"
    " :skip (leave it unanswered), :quit (stop; answers are saved), :help."
)


@dataclass(slots=True)
class Outcome:
    """What a reply did: ``message`` to show; ``saved`` when an answer changed; ``done`` to stop."""

    message: str = ""
    saved: bool = False
    done: bool = False


@dataclass(slots=True)
class Interview:
    """The interview's state: answers by key, what the audit showed, where the user is."""

    bank: Bank
    answers: dict[str, Any] = field(default_factory=dict)
    seen: dict[str, Seen] = field(default_factory=dict)
    today: date | None = None
    skipped: set[str] = field(default_factory=set)
    revisit: Question | None = None
    queued: list[str] = field(default_factory=list)
    """Asked before the next unanswered question: answers the audit's figure may contradict (asked
    again once, the answer shown), then the follow-ups of an answer just given."""

    def __post_init__(self) -> None:
        self.queued = [
            q.id
            for q in self.bank.questions
            if q.id in self.answers and q.id in self.seen and self.applies(q)
        ]

    def applies(self, question: Question) -> bool:
        """Asked at all: its follow-up condition holds and the audit did not settle it."""
        seen = self.seen.get(question.id)
        if seen is not None and seen.settled:
            return False
        when = question.when
        if when is None:
            return True
        parent = self.bank.find(when.key)
        return parent is not None and self.applies(parent) and when.holds(self.answers.get(when.key))

    def pending(self) -> list[Question]:
        """Questions that apply and have no answer yet, in order."""
        return [q for q in self.bank.questions if self.applies(q) and q.id not in self.answers]

    def current(self) -> Question | None:
        """The question to ask now: one the user went back to, else the first unanswered one."""
        if self.revisit is not None:
            return self.revisit
        # A queued follow-up goes once a changed answer rules it out.
        queued = [q for key in self.queued if (q := self.bank.find(key)) is not None and self.applies(q)]
        if queued:
            return queued[0]
        return next((q for q in self.pending() if q.id not in self.skipped), None)

    def to_answers(self) -> Answers:
        """The answers to save: a follow-up whose condition a changed answer no longer meets is dropped."""
        dropped = {q.id for q in self.bank.questions if _ruled_out(self, q)}
        return Answers.from_flat({k: v for k, v in self.answers.items() if k not in dropped})

    def render(self, question: Question) -> str:
        """The question as shown: number, text, the audit's figure, choices, what it expects."""
        lines = [f"[{self.bank.number(question)}/{len(self.bank.questions)}] {question.text}"]
        seen = self.seen.get(question.id)
        if seen is not None:
            lines[0] = f"[{self.bank.number(question)}/{len(self.bank.questions)}] The audit saw {seen.fact}."
            lines.append(f"    {question.text}")
        for index, choice in enumerate(question.choices, 1):
            lines.append(f"    {index}) {choice.label}")
        lines.append(f"    ({question.expects()}; back, :goto N, :help)")
        if question.id in self.answers:
            lines.append(f"    Current answer: {show(self.answers[question.id])} (Enter keeps it)")
        return "\n".join(lines)

    def reply(self, text: str) -> Outcome:
        """Handle one line typed at ``current()``: an answer, or a command."""
        question = self.current()
        command = text.strip()
        lowered = command.lower()
        if lowered in ("back", ":back", ":b"):
            return self._back(question)
        if lowered.startswith(":goto") or lowered.startswith(":g "):
            return self._goto(command.split(maxsplit=1)[1] if " " in command else "")
        if lowered in (":list", ":l"):
            return Outcome(self.listing())
        if lowered in (":quit", ":q", ":exit"):
            return Outcome(done=True)
        if lowered in (":help", ":h", "help"):
            return Outcome(HELP)
        if question is None:
            return Outcome(done=not command, message="" if not command else HELP)
        if lowered in ("", ":skip"):
            self._done_with(question)
            if question.id not in self.answers:
                self.skipped.add(question.id)
            return Outcome()
        value = parse_reply(question, command, self.today)
        if isinstance(value, Invalid):
            return Outcome(value.message)
        self.answers[question.id] = value
        self.skipped.discard(question.id)
        self._done_with(question)
        self.queued[:0] = [
            q.id
            for q in self.bank.questions
            if q.when is not None
            and q.when.key == question.id
            and self.applies(q)
            and q.id not in self.answers
        ]
        if question.choices and value != UNKNOWN:
            # Free text picked the choice: say which, so a misreading is seen (and fixed with back).
            picked = value if isinstance(value, list) else [value]
            labels = [c.label for c in question.choices if c.value in picked]
            return Outcome(f"    -> {'; '.join(labels)}", saved=True)
        return Outcome(saved=True)

    def _done_with(self, question: Question) -> None:
        """Move on from ``question``: it is no longer revisited nor awaiting confirmation."""
        self.revisit = None
        if question.id in self.queued:
            self.queued.remove(question.id)

    def _back(self, question: Question | None) -> Outcome:
        asked = [q for q in self.bank.questions if self.applies(q)]
        position = asked.index(question) if question in asked else len(asked)
        if position == 0:
            return Outcome("This is the first question.")
        self.revisit = asked[position - 1]
        return Outcome()

    def _goto(self, ref: str) -> Outcome:
        target = self.bank.find(ref.strip())
        if target is None:
            return Outcome(
                f"No question {ref.strip()!r}: give its number (1-{len(self.bank.questions)}) or key."
            )
        if not self.applies(target):
            reason = (
                "the audit already showed it" if target.id in self.seen else "it follows up another answer"
            )
            return Outcome(f"Question {self.bank.number(target)} is not asked: {reason}.")
        self.revisit = target
        return Outcome()

    def listing(self) -> str:
        """Every question that applies, with its answer."""
        lines = []
        for q in self.bank.questions:
            if self.applies(q):
                answer = show(self.answers[q.id]) if q.id in self.answers else "(unanswered)"
                lines.append(f"  {self.bank.number(q):>2}. {q.id}: {answer}")
        return "\n".join(lines)


def _ruled_out(interview: Interview, question: Question) -> bool:
    """True when an answer this follow-up depends on was given and rules it out (so its answer goes)."""
    when = question.when
    if when is None:
        return False
    parent = interview.bank.find(when.key)
    given = interview.answers.get(when.key)
    return (given is not None and not when.holds(given)) or (
        parent is not None and _ruled_out(interview, parent)
    )


# -- driving it -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ended:
    """How the interview ended: the answers saved and the questions left."""

    answered: int
    unanswered: tuple[Question, ...]


def open_interview(path: Path, report: Report | None = None, today: date | None = None) -> Interview:
    """The interview over ``path``'s answers (none yet if it does not exist), with the report's facts."""
    bank = load_bank()
    answers = load_answers(path).flat() if path.exists() else {}
    seen = observations(bank, report) if report is not None else {}
    return Interview(bank=bank, answers=answers, seen=seen, today=today)


def run_interview(
    interview: Interview,
    path: Path,
    *,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> Ended:
    """Ask until every question is answered or the user stops; save after every answer.

    ``ask`` raises ``EOFError`` when input ends (treated as :quit) and ``KeyboardInterrupt`` on
    Ctrl-C (propagated: every answer before it is already saved).
    """
    if interview.answers and not _may_keep(interview, path, ask, say):
        return Ended(len(interview.to_answers().flat()), tuple(interview.pending()))
    said = {s for s, seen in interview.seen.items() if seen.settled}
    if said:
        say("Already shown by the audit, so not asked:")
        for q in interview.bank.questions:
            if q.id in said:
                say(f"  - {q.text} -> {interview.seen[q.id].fact}")
    group = ""
    while True:
        question = interview.current()
        if question is None:
            break
        if question.group != group:
            group = question.group
            title = next(g.title for g in interview.bank.groups if g.id == group)
            say(f"\n== {title} ==")
        say(interview.render(question))
        try:
            line = ask("> ")
        except EOFError:
            break
        outcome = interview.reply(line)
        if outcome.saved:
            save_answers(path, interview.to_answers())
        if outcome.message:
            say(outcome.message)
        if outcome.done:
            break
    return Ended(len(interview.to_answers().flat()), tuple(interview.pending()))


def _may_keep(
    interview: Interview, path: Path, ask: Callable[[str], str], say: Callable[[str], None]
) -> bool:
    """Ask before touching earlier answers: resume them, or start over (confirmed); False stops."""
    count, left = len(interview.answers), len(interview.pending())
    say(f"{path} holds {count} answer{'s' * (count != 1)}; {left} question{'s' * (left != 1)} left.")
    if interview.queued:
        say(f"{len(interview.queued)} answers will be asked again: the audit saw something that may differ.")
        left += len(interview.queued)
    while True:
        try:
            choice = _folded(ask("Resume (Enter), start over (o), or quit (q)? "))
        except EOFError:
            return False
        if choice in ("", "r", "resume"):
            if not left:
                say("Every question is answered: :list shows them, :goto N changes one, Enter finishes.")
                return _review(interview, ask, say)
            return True
        if choice in ("q", "quit"):
            return False
        if choice in ("o", "start over", "overwrite"):
            confirm = _folded(
                ask(f"Discard the {count} answer{'s' * (count != 1)} in {path}? Type yes to confirm: ")
            )
            if confirm == "yes":
                interview.answers.clear()
                interview.queued.clear()
                save_answers(path, interview.to_answers())
                return True
            say("Kept them.")


def _review(interview: Interview, ask: Callable[[str], str], say: Callable[[str], None]) -> bool:
    """A complete file: commands until Enter; True once a :goto or back picked a question to ask."""
    while True:
        if interview.revisit is not None:
            return True
        try:
            line = ask("> ")
        except EOFError:
            return False
        outcome = interview.reply(line)
        if outcome.message:
            say(outcome.message)
        if outcome.done or not line.strip():
            return False


def suggested_command(answers: Answers, path: Path) -> str:
    """The audit to run next: the source the answers name, else the answers alone."""
    source, project = answers.logging.source, answers.logging.project
    if source in ("langsmith", "braintrust", "phoenix") and project:
        return f"traceready audit {shlex.quote(f'{source}:{project}')} --answers {shlex.quote(str(path))}"
    return f"traceready audit answers {shlex.quote(str(path))}"
