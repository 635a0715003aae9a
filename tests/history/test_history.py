"""The history database: what it keeps, schema upgrades, concurrent writers, and crashes mid-write."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.history.conftest import record
from traceready.errors import NotFoundError, UsageError
from traceready.history import SCHEMA_VERSION, History, default_history_path, record_of, redact_text
from traceready.report.model import Report

FIRST_SCHEMA = """
CREATE TABLE audits (id INTEGER PRIMARY KEY, target TEXT NOT NULL, source TEXT NOT NULL,
    location TEXT NOT NULL, window TEXT NOT NULL, audited_at TEXT NOT NULL, tool_version TEXT NOT NULL,
    thresholds TEXT NOT NULL, pulled INTEGER NOT NULL, mapped INTEGER NOT NULL, rejected INTEGER NOT NULL,
    score REAL NOT NULL);
CREATE TABLE findings (audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    requirement TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL,
    evidence TEXT NOT NULL, reason TEXT NOT NULL, gaps TEXT NOT NULL, PRIMARY KEY (audit_id, requirement));
CREATE TABLE criteria (audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    requirement TEXT NOT NULL, metric TEXT NOT NULL, label TEXT NOT NULL, numerator INTEGER NOT NULL,
    denominator INTEGER NOT NULL, threshold REAL, scored INTEGER NOT NULL, PRIMARY KEY (audit_id, metric));
INSERT INTO audits VALUES (1, 'prod', 'otel', 'agent.jsonl', 'all spans in the input',
    '2026-11-01T06:00:00+00:00', '0.1.0', '{"present":0.9}', 10, 9, 1, 0.5);
INSERT INTO findings VALUES (1, 'b', 'Tool calls', 'PARTIAL', 0.5, 'observed', '1 of 2 tool spans',
    '["b.x"]');
INSERT INTO criteria VALUES (1, 'b', 'b.tool_spans_with_arguments', 'tool spans with arguments', 1, 2,
    0.9, 1);
PRAGMA user_version = 1;
"""
"""A database exactly as the first schema wrote it (frozen here; MIGRATIONS may grow)."""


def test_an_audit_round_trips_with_its_counts_findings_and_criteria(
    tmp_path: Path, sample_report: Callable[[str], Report]
) -> None:
    report = sample_report("openinference_full")
    kept = record_of(report, "agent")
    with History.open(tmp_path / "h.sqlite") as history:
        audit_id = history.add(kept)
        (read,) = history.audits("agent")
    assert read == kept.model_copy(update={"id": audit_id})
    assert (read.pulled, read.mapped, read.rejected, read.traces) == (21, 21, 0, 6)
    assert read.thresholds["present"] == 0.9
    b = read.finding("b")
    assert b is not None and b.status.value == "PRESENT"
    assert next((c.metric, c.numerator, c.denominator) for c in b.criteria) == (
        "b.requested_calls_with_span",
        5,
        5,
    )


def test_the_default_target_name_is_source_and_location(sample_report: Callable[[str], Report]) -> None:
    assert record_of(sample_report("openinference_full")).target == "otel:openinference_full.otlp.jsonl"


def test_default_path_is_in_the_platform_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_history_path() == tmp_path / "traceready" / "history.sqlite"


def test_no_user_info_or_secret_query_is_stored(tmp_path: Path) -> None:
    secret = record(target="prod").model_copy(
        update={"location": "project agent at https://svc:PW123@phoenix.example/?api_key=K9&page=2"}
    )
    with History.open(tmp_path / "h.sqlite") as history:
        history.add(secret)
        (stored,) = history.audits()
    assert stored.location == "project agent at https://phoenix.example/?page=2"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("h.sqlite*"))
    assert b"PW123" not in raw and b"K9" not in raw
    assert redact_text("at https://svc:PW123@host/x?token=abc, then") == "at https://host/x, then"


def test_audits_filter_by_target_and_time_oldest_first(tmp_path: Path) -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    with History.open(tmp_path / "h.sqlite") as history:
        for day in (2, 0, 1):
            history.add(record("prod", at=start + timedelta(days=day)))
        history.add(record("staging", at=start))
        assert history.targets() == ["prod", "staging"]
        times = [a.audited_at.day for a in history.audits("prod")]
        assert times == [1, 2, 3]
        assert [a.audited_at.day for a in history.audits("prod", since=start + timedelta(days=1))] == [2, 3]
        latest = history.latest("prod")
        assert latest is not None and latest.audited_at.day == 3


def test_a_database_of_the_first_schema_is_upgraded_and_still_read(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(FIRST_SCHEMA)
    with History.open(path) as history:
        (audit,) = history.audits("prod")
        history.add(record("prod"))
        assert len(history.audits("prod")) == 2
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        columns = {row[1] for row in db.execute("PRAGMA table_info(audits)")}
    assert {"traces", "sampled"} <= columns
    assert (audit.traces, audit.sampled, audit.pulled) == (0, None, 10)
    b = audit.finding("b")
    assert b is not None and b.gaps == ("b.x",) and b.criteria[0].value == 0.5


def test_a_database_from_a_newer_traceready_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(UsageError, match="newer than this traceready"), History.open(path):
        pass


def test_a_file_that_is_not_a_database_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(UsageError, match="not a traceready history"), History.open(path):
        pass


_WRITER = textwrap.dedent(
    """
    import sys
    from tests.history.conftest import record
    from traceready.history import History
    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(count):
        with History.open(__import__("pathlib").Path(path)) as history:
            history.add(record(name))
    """
)


def test_two_processes_writing_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name, "25"], cwd=root)
        for name in ("cron-a", "cron-b")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with History.open(path) as history:
        assert len(history.audits("cron-a")) == 25
        assert len(history.audits("cron-b")) == 25
        assert all(len(a.findings) == 1 for a in history.audits())


_CRASH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from tests.history.conftest import record
    from traceready.history import History
    import traceready.history as h
    original = h.History._insert
    def crash_after_audit_row(self, rec):
        self.connection.execute(
            "INSERT INTO audits (target, source, location, window, audited_at, tool_version, thresholds,"
            " pulled, mapped, rejected, score) VALUES ('prod','otel','x','w','t','v','{}',1,1,0,0)")
        os._exit(9)  # the process dies mid-write, as under kill -9 or a power cut
    with History.open(Path(sys.argv[1])) as history:
        h.History._insert = crash_after_audit_row
        history.add(record("prod"))
    """
)


def test_a_crash_mid_write_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        history.add(record("prod"))
    before = (tmp_path / "h.sqlite").stat().st_size
    root = Path(__file__).resolve().parents[2]
    crashed = subprocess.run([sys.executable, "-c", _CRASH, str(path)], cwd=root, check=False)
    assert crashed.returncode == 9
    with History.open(path) as history:
        audits = history.audits()
    assert len(audits) == 1 and audits[0].location == "agent.jsonl"
    assert before > 0


def test_an_error_mid_write_rolls_the_audit_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite"
    broken = record("prod").model_copy(update={"findings": record("prod").findings * 2})  # duplicate key
    with History.open(path) as history:
        with pytest.raises(sqlite3.IntegrityError):
            history.add(broken)
        assert history.audits() == []
        history.add(record("prod"))
        assert len(history.audits()) == 1


def test_reading_a_history_that_does_not_exist_is_not_found(tmp_path: Path) -> None:
    with (
        pytest.raises(NotFoundError, match="no history at"),
        History.open(tmp_path / "none.sqlite", create=False),
    ):
        pass
    assert not (tmp_path / "none.sqlite").exists()
