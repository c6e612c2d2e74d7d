"""SQLite only: a private file in WAL mode; a damaged, locked or newer file is refused
with a message that says what to do."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from reducto_tui.api.models import SingleJob
from reducto_tui.archive import ArchiveError, open_archive
from reducto_tui.archive.sqlite import SqliteArchive


def test_file_is_private_and_in_wal_mode(sqlite_archive: SqliteArchive, db_path: Path) -> None:
    sqlite_archive.saw_jobs([SingleJob(job_id="a", status="Pending")])
    sqlite_archive.flush()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    wal = Path(f"{db_path}-wal")
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    mode = sqlite3.connect(db_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_corrupt_file_gives_a_clear_message(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite at all" * 200)
    with pytest.raises(ArchiveError, match=r"is damaged \(move it aside"):
        open_archive(str(db_path))


def test_a_newer_schema_is_left_alone(db_path: Path) -> None:
    SqliteArchive(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(ArchiveError, match=r"newer reducto-tui \(schema 99"):
        SqliteArchive(db_path)
    assert sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_locked_file_gives_a_clear_message(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("CREATE TABLE x (a)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ArchiveError, match="locked by another program"):
            SqliteArchive(db_path, timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
