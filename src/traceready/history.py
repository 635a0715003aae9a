"""The audit history: every audit recorded per target in SQLite, so scheduled runs show trends.

```
audits    one row per audit: target, source, where, window, time, version, thresholds, counts
findings  one row per requirement of an audit: status, score, reason, gap ids
criteria  one row per measured criterion of a finding: metric, numerator, denominator, bar
```
The default file is ``history.sqlite`` in the platform's user data directory (``platformdirs``).
The schema is versioned with ``PRAGMA user_version`` and upgraded in place by ``MIGRATIONS``, so a
database written by one version opens in the next. Writers use WAL and a busy timeout, so two cron
jobs recording at once both land; each audit is one transaction, so a crash mid-write leaves the
database as it was. Only statistics and ids are stored: no prompt content, no key, URLs redacted.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson
import platformdirs
from pydantic import BaseModel, ConfigDict

from traceready.errors import NotFoundError, UsageError
from traceready.findings import Finding, Status
from traceready.http import redact_url
from traceready.report.model import Report

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another writer's transaction (two cron jobs at the same minute)."""

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE audits (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        source TEXT NOT NULL,
        location TEXT NOT NULL,
        window TEXT NOT NULL,
        audited_at TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        thresholds TEXT NOT NULL,
        pulled INTEGER NOT NULL,
        mapped INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        score REAL NOT NULL
    );
    CREATE TABLE findings (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,
        reason TEXT NOT NULL,
        gaps TEXT NOT NULL,
        PRIMARY KEY (audit_id, requirement)
    );
    CREATE TABLE criteria (
        audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
        requirement TEXT NOT NULL,
        metric TEXT NOT NULL,
        label TEXT NOT NULL,
        numerator INTEGER NOT NULL,
        denominator INTEGER NOT NULL,
        threshold REAL,
        scored INTEGER NOT NULL,
        PRIMARY KEY (audit_id, metric)
    );
    """,
    # 2: traces and the sample size, for reading a ratio's noise; the per-target time index.
    """
    ALTER TABLE audits ADD COLUMN traces INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE audits ADD COLUMN sampled INTEGER;
    CREATE INDEX audits_by_target ON audits (target, audited_at);
    """,
)
"""Schema versions in order: ``MIGRATIONS[n]`` takes a database from version n to n + 1."""

SCHEMA_VERSION = len(MIGRATIONS)

_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s,;]+", re.IGNORECASE)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Criterion(_Frozen):
    """One measured criterion as recorded: ``numerator`` of ``denominator`` met it."""

    metric: str
    label: str
    numerator: int
    denominator: int
    threshold: float | None = None
    scored: bool = True

    @property
    def value(self) -> float | None:
        """The ratio, or None when no unit applied."""
        return self.numerator / self.denominator if self.denominator else None


class FindingRecord(_Frozen):
    """One requirement's verdict as recorded (no examples, no prompt content)."""

    requirement: str
    title: str
    status: Status
    score: float
    evidence: str
    reason: str
    gaps: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = ()


class AuditRecord(_Frozen):
    """One audit of one target as the history keeps it; also built from a saved JSON report."""

    id: int | None = None
    target: str
    source: str
    location: str
    window: str
    audited_at: datetime
    tool_version: str
    thresholds: dict[str, float] = {}
    pulled: int
    mapped: int
    rejected: int
    traces: int = 0
    sampled: int | None = None
    score: float
    findings: tuple[FindingRecord, ...]

    def finding(self, requirement: str) -> FindingRecord | None:
        """The finding for ``requirement``, if this audit has one."""
        return next((f for f in self.findings if f.requirement == requirement), None)


def redact_text(text: str) -> str:
    """``text`` with every URL in it passed through ``redact_url`` (no user-info, no secret query)."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)


def _finding_record(finding: Finding) -> FindingRecord:
    return FindingRecord(
        requirement=finding.requirement,
        title=finding.title,
        status=finding.status,
        score=finding.score,
        evidence=finding.evidence.value,
        reason=redact_text(finding.reason),
        gaps=finding.gaps,
        criteria=tuple(
            Criterion(
                metric=r.metric,
                label=r.label,
                numerator=r.numerator,
                denominator=r.denominator,
                threshold=r.threshold,
                scored=r.scored,
            )
            for r in (*finding.metrics, *finding.breakdown)
        ),
    )


def record_of(report: Report, target: str | None = None) -> AuditRecord:
    """What the history keeps of ``report``; ``target`` names it (default: source and location)."""
    location = redact_text(report.target)
    thresholds: dict[str, float] = {}
    for finding in report.findings:
        thresholds.update(finding.thresholds)
        for ratio in finding.metrics:
            if ratio.threshold is not None:
                thresholds[ratio.metric] = ratio.threshold
    return AuditRecord(
        target=target or f"{report.connector}:{location}",
        source=report.connector,
        location=location,
        window=report.window,
        audited_at=datetime.fromisoformat(report.generated_at),
        tool_version=report.tool_version,
        thresholds=dict(sorted(thresholds.items())),
        pulled=report.counts.records_pulled,
        mapped=report.counts.spans_mapped,
        rejected=report.counts.records_rejected,
        traces=report.counts.traces,
        sampled=report.sample.traces_drawn if report.sample else None,
        score=report.overall.score,
        findings=tuple(_finding_record(f) for f in report.findings),
    )


def default_history_path() -> Path:
    """``history.sqlite`` in the platform's user data directory for traceready."""
    return platformdirs.user_data_path("traceready", appauthor=False) / "history.sqlite"


def migrate(connection: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Bring the schema to version ``upto``, one transaction per step; returns the version found."""
    found = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise UsageError(
            f"the history database has schema version {found}, newer than this traceready's {SCHEMA_VERSION}",
            hint="upgrade traceready, or choose another file with --history",
        )
    for version in range(found, upto):
        # executescript would commit on its own; one explicit transaction keeps each step whole.
        connection.execute("BEGIN IMMEDIATE")
        try:
            current = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if current == version:  # another process may have migrated while we waited
                for statement in _statements(MIGRATIONS[version]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return found


def _utc(moment: datetime) -> str:
    # Stored as UTC ISO text, so comparing strings orders by time.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


class History:
    """The history database; open with ``History.open(path)``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, path: Path | None = None, *, create: bool = True) -> Iterator[History]:
        """Open (creating and upgrading as needed) the history at ``path`` or the default place.

        With ``create=False`` a missing file is a ``NotFoundError`` (reading needs audits recorded).
        """
        path = path or default_history_path()
        if not create and not path.is_file():
            raise NotFoundError(
                f"no history at {path} yet", hint="audits record there unless --no-history; or pass --history"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise UsageError(f"cannot open the history at {path}: {exc}") from None
        connection.row_factory = sqlite3.Row
        with closing(connection):
            try:
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA foreign_keys = ON")
                migrate(connection)
            except sqlite3.DatabaseError as exc:
                raise UsageError(f"{path} is not a traceready history database ({exc})") from None
            yield cls(connection, path)

    def add(self, record: AuditRecord) -> int:
        """Record one audit in one transaction; returns its id."""
        c = self.connection
        c.execute("BEGIN IMMEDIATE")
        try:
            audit_id = self._insert(record)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return audit_id

    def _insert(self, record: AuditRecord) -> int:
        c = self.connection
        cursor = c.execute(
            "INSERT INTO audits (target, source, location, window, audited_at, tool_version, thresholds,"
            " pulled, mapped, rejected, score, traces, sampled) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                record.target,
                record.source,
                redact_text(record.location),
                record.window,
                _utc(record.audited_at),
                record.tool_version,
                orjson.dumps(record.thresholds, option=orjson.OPT_SORT_KEYS).decode(),
                record.pulled,
                record.mapped,
                record.rejected,
                record.score,
                record.traces,
                record.sampled,
            ),
        )
        audit_id = int(cursor.lastrowid or 0)
        for f in record.findings:
            c.execute(
                "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?)",
                (
                    audit_id,
                    f.requirement,
                    f.title,
                    f.status.value,
                    f.score,
                    f.evidence,
                    redact_text(f.reason),
                    orjson.dumps(f.gaps).decode(),
                ),
            )
            c.executemany(
                "INSERT INTO criteria VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        audit_id,
                        f.requirement,
                        k.metric,
                        k.label,
                        k.numerator,
                        k.denominator,
                        k.threshold,
                        int(k.scored),
                    )
                    for k in f.criteria
                ],
            )
        return audit_id

    def targets(self) -> list[str]:
        """Every target with at least one audit, by name."""
        rows = self.connection.execute("SELECT DISTINCT target FROM audits ORDER BY target")
        return [str(row[0]) for row in rows]

    def audits(self, target: str | None = None, since: datetime | None = None) -> list[AuditRecord]:
        """Audits oldest first, of one target or all, from ``since`` on."""
        query = "SELECT * FROM audits WHERE 1=1"
        params: list[str] = []
        if target is not None:
            query += " AND target = ?"
            params.append(target)
        if since is not None:
            query += " AND audited_at >= ?"
            params.append(_utc(since))
        rows = self.connection.execute(query + " ORDER BY audited_at, id", params).fetchall()
        return [self._record(row) for row in rows]

    def latest(self, target: str) -> AuditRecord | None:
        """The newest audit of ``target``, if any."""
        row = self.connection.execute(
            "SELECT * FROM audits WHERE target = ? ORDER BY audited_at DESC, id DESC LIMIT 1", (target,)
        ).fetchone()
        return self._record(row) if row is not None else None

    def _record(self, row: sqlite3.Row) -> AuditRecord:
        c = self.connection
        audit_id = row["id"]
        criteria: dict[str, list[Criterion]] = {}
        for k in c.execute(
            "SELECT requirement, metric, label, numerator, denominator, threshold, scored FROM criteria"
            " WHERE audit_id = ? ORDER BY rowid",
            (audit_id,),
        ):
            criteria.setdefault(k["requirement"], []).append(
                Criterion(
                    metric=k["metric"],
                    label=k["label"],
                    numerator=k["numerator"],
                    denominator=k["denominator"],
                    threshold=k["threshold"],
                    scored=bool(k["scored"]),
                )
            )
        findings = tuple(
            FindingRecord(
                requirement=f["requirement"],
                title=f["title"],
                status=Status(f["status"]),
                score=f["score"],
                evidence=f["evidence"],
                reason=f["reason"],
                gaps=tuple(orjson.loads(f["gaps"])),
                criteria=tuple(criteria.get(f["requirement"], ())),
            )
            for f in c.execute("SELECT * FROM findings WHERE audit_id = ? ORDER BY requirement", (audit_id,))
        )
        return AuditRecord(
            id=audit_id,
            target=row["target"],
            source=row["source"],
            location=row["location"],
            window=row["window"],
            audited_at=datetime.fromisoformat(row["audited_at"]),
            tool_version=row["tool_version"],
            thresholds=orjson.loads(row["thresholds"]),
            pulled=row["pulled"],
            mapped=row["mapped"],
            rejected=row["rejected"],
            traces=row["traces"],
            sampled=row["sampled"],
            score=row["score"],
            findings=findings,
        )
