"""The archive in one SQLite file (WAL, 0600) for one machine."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reducto_tui.archive import records
from reducto_tui.archive.base import (
    READ_BATCH,
    ArchivedJob,
    ArchiveError,
    ArchiveStats,
    BatchedArchive,
    decompress,
)
from reducto_tui.archive.records import Row
from reducto_tui.archive.writer import BatchWriter

#: Bump with a new entry in MIGRATIONS; a file from a newer version is left alone.
SCHEMA = 2
MIGRATIONS = {
    1: """
    CREATE TABLE jobs (
        job_key BLOB PRIMARY KEY,
        status TEXT NOT NULL,
        state TEXT NOT NULL,
        stage INTEGER NOT NULL,
        at REAL NOT NULL,
        seen_at REAL NOT NULL,
        listing TEXT,
        detail TEXT,
        body BLOB
    );
    CREATE INDEX jobs_at ON jobs (at, job_key);
    """,
    # Who wrote a row last and in which transaction (one number per committed batch, from
    # ``changes``): a reader asks for what others changed since its last look.
    2: """
    ALTER TABLE jobs ADD COLUMN writer BLOB;
    ALTER TABLE jobs ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_changed ON jobs (changed);
    CREATE TABLE changes (n INTEGER NOT NULL);
    INSERT INTO changes VALUES (0);
    """,
}


def upsert(writer: bytes) -> str:
    """The upsert of one writer: its rows get the number of the batch being written."""
    return records.upsert_sql("jobs", "?", "min", f"x'{writer.hex()}'", "(SELECT n FROM changes)")


SELECT = "SELECT job_key, status, state, at, seen_at, listing, detail, body IS NOT NULL FROM jobs"


def _problem(path: Path, exc: sqlite3.Error) -> ArchiveError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        why = "is locked by another program (try again when it is done)"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        why = "is damaged (move it aside; a new archive starts empty)"
    else:
        why = f"cannot be used ({text})"
    return ArchiveError(f"The archive {path} {why}.")


class SqliteArchive(BatchedArchive):
    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = path
        self.location = str(path)
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(path, 0o600)
        except OSError as exc:
            raise ArchiveError(f"The archive {path} cannot be created: {exc.strerror}.") from exc
        try:
            self._read = self._connect(timeout)
            self._migrate(self._read)
            self._write_db = self._connect(timeout)
        except sqlite3.Error as exc:
            raise _problem(path, exc) from exc
        self._me = os.urandom(8)
        self._upsert = upsert(self._me)
        self._writer = BatchWriter(self._write_rows, "archive-sqlite")

    def _connect(self, timeout: float) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL: a killed process loses nothing committed; only power loss may
        # drop the last transactions, and neither corrupts the file.
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA:
            raise ArchiveError(
                f"The archive {self.path} was written by a newer reducto-tui (schema "
                f"{version}, this one knows {SCHEMA}): upgrade, or point archive_url elsewhere."
            )
        if version == SCHEMA:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process?
            for step in range(version + 1, SCHEMA + 1):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={step}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # ---------------------------------------------------------------- writing

    def _write_rows(self, rows: list[Row]) -> None:
        db = self._write_db
        db.execute("BEGIN IMMEDIATE")  # writers take turns: batch numbers follow commits
        try:
            db.execute("UPDATE changes SET n = n + 1")
            db.executemany(self._upsert, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._writer.stop()
        with self._lock:
            self._read.close()
        self._write_db.close()

    # ---------------------------------------------------------------- reading

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            with self._lock:
                return self._read.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from exc

    def get(self, job_id: str) -> ArchivedJob | None:
        rows = self._query(f"{SELECT} WHERE job_key = ?", (records.key(job_id),))
        return _job(rows[0]) if rows else None

    def body(self, job_id: str) -> bytes | None:
        rows = self._query("SELECT body FROM jobs WHERE job_key = ?", (records.key(job_id),))
        blob = rows[0][0] if rows else None
        return decompress(blob) if isinstance(blob, bytes) else None

    def ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        low = records.key(prefix)
        rows = self._query(
            "SELECT job_key FROM jobs WHERE job_key >= ? AND substr(job_key, 1, ?) = ? "
            "ORDER BY job_key LIMIT ?",
            (low, len(low), low, limit),
        )
        return [records.job_id_of(bytes(r[0])) for r in rows]

    def iter_jobs(
        self,
        since: float | None = None,
        until: float | None = None,
        batch: int = READ_BATCH,
        first: int | None = None,
    ) -> Iterator[list[ArchivedJob]]:
        low = float("-inf") if since is None else since
        cursor: tuple[float, bytes] = (
            float("inf") if until is None else until,
            b"\xff",
        )  # no UTF-8 has 0xff
        # The first batch includes `until` itself; later ones start below the cursor.
        op = "<="
        while True:
            limit = first if first and op == "<=" else batch
            rows = self._query(
                f"{SELECT} WHERE at >= ? AND (at, job_key) {op} (?, ?) "
                "ORDER BY at DESC, job_key DESC LIMIT ?",
                (low, cursor[0], cursor[1], limit),
            )
            op = "<"
            if not rows:
                return
            jobs = [_job(r) for r in rows]
            yield jobs
            last = rows[-1]
            cursor = (float(last[3]), bytes(last[0]))
            if len(rows) < limit:
                return

    def change_cursor(self) -> int:
        return int(self._query("SELECT n FROM changes")[0][0])

    def changed_since(
        self, cursor: int, since: float | None = None
    ) -> tuple[list[ArchivedJob], int]:
        low = float("-inf") if since is None else since
        try:
            with self._lock:
                db = self._read
                db.execute("BEGIN")  # one snapshot for the number and the rows
                try:
                    now = int(db.execute("SELECT n FROM changes").fetchone()[0])
                    rows = db.execute(
                        f"{SELECT} WHERE changed > ? AND changed <= ? AND writer IS NOT ? "
                        "AND at >= ?",
                        (cursor, now, self._me, low),
                    ).fetchall()
                finally:
                    db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from exc
        return [_job(r) for r in rows], now

    def stats(self) -> ArchiveStats:
        stats = ArchiveStats(self.location)
        row = self._query(
            "SELECT count(*), count(body), "
            "count(CASE WHEN body IS NOT NULL AND state = 'completed' THEN 1 END), min(at), max(at), "
            "coalesce(sum(length(body)), 0) FROM jobs"
        )[0]
        stats.jobs, stats.details, stats.with_result = int(row[0]), int(row[1]), int(row[2])
        stats.oldest, stats.newest = row[3], row[4]
        stats.stored_bytes = int(row[5])
        stats.by_state = {
            str(s): int(n)
            for s, n in self._query("SELECT state, count(*) FROM jobs GROUP BY state")
        }
        stats.size_bytes = sum(
            p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()
        )
        return stats

    def count_before(self, before: float) -> int:
        self.flush()
        return int(self._query("SELECT count(*) FROM jobs WHERE at < ?", (before,))[0][0])

    def prune(self, before: float) -> int:
        self.flush()
        with self._lock:
            try:
                cur = self._read.execute("DELETE FROM jobs WHERE at < ?", (before,))
            except sqlite3.Error as exc:
                raise _problem(self.path, exc) from exc
            return cur.rowcount

    def vacuum(self) -> None:
        self.flush()
        self._query("VACUUM")
        self._query("PRAGMA wal_checkpoint(TRUNCATE)")


def _job(row: Any) -> ArchivedJob:
    job_key, status, state, at, seen_at, listing, detail, has_body = row
    return records.archived_job(
        bytes(job_key),
        str(status),
        str(state),
        float(at),
        float(seen_at),
        listing if isinstance(listing, str) else None,
        detail if isinstance(detail, str) else None,
        bool(has_body),
    )
