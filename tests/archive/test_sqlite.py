"""The SQLite archive: what the client sees is stored, survives a restart, and is read back."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from reducto_tui.api.errors import ReductoError
from reducto_tui.api.models import SingleJob
from reducto_tui.archive import ArchiveError, open_archive
from reducto_tui.archive.base import detail_from_body
from reducto_tui.archive.sqlite import SqliteArchive
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client


async def _list_all(sim: Simulator, archive: SqliteArchive) -> list[str]:
    ids: list[str] = []
    async with in_process_client(sim, observer=archive) as client:
        async for page in client.iter_pages(limit=100):
            ids.extend(j.job_id for j in page.jobs)
    assert archive.flush()
    return ids


async def test_jobs_survive_a_restart(sim: Simulator, db_path: Path) -> None:
    first = SqliteArchive(db_path)
    ids = await _list_all(sim, first)
    first.close()

    again = SqliteArchive(db_path)
    try:
        stored = [j for batch in again.iter_jobs(batch=70) for j in batch]
    finally:
        again.close()
    assert len(ids) == 300
    assert sorted(j.job_id for j in stored) == sorted(ids)
    # newest first, as the list shows them
    assert [j.at for j in stored] == sorted((j.at for j in stored), reverse=True)
    by_id = {j.job_id: j for j in stored}
    live = {job.job_id: job for job in sim.jobs}
    some = ids[5]
    assert by_id[some].as_job().type == live[some].type
    assert by_id[some].as_job().status == live[some].status(sim.clock())


async def test_a_job_the_server_forgot_opens_from_the_archive_with_its_result(
    sim: Simulator, clock: FakeClock, archive: SqliteArchive
) -> None:
    done = next(j for j in reversed(sim.jobs) if j.status(clock()) == "Completed")
    async with in_process_client(sim, observer=archive) as client:
        raw = await client.get_job_raw(done.job_id)
        clock.advance(13 * 3600)  # past Reducto's 12-hour retention
        with pytest.raises(ReductoError):
            await client.get_job(done.job_id)
    assert archive.flush()
    body = archive.body(done.job_id)
    assert body == raw  # byte for byte as the server sent it
    detail = detail_from_body(body)
    assert detail.status == "Completed"
    assert detail.result is not None
    assert detail.result.response_type == done.type.lower()
    stored = archive.get(done.job_id)
    assert stored is not None and stored.has_body and stored.state == "completed"


def test_status_never_goes_back(archive: SqliteArchive) -> None:
    def job(status: str) -> SingleJob:
        return SingleJob(
            job_id="j-1", status=status, type="Parse", created_at="2026-03-01T10:00:00Z"
        )

    archive.saw_jobs([job("Completed")])
    archive.flush()
    archive.saw_jobs([job("Pending")])  # a late, older answer
    archive.saw_jobs([job("InProgress")])
    archive.flush()
    stored = archive.get("j-1")
    assert stored is not None
    assert stored.data["status"] == "Completed" and stored.state == "completed"
    assert len([j for b in archive.iter_jobs() for j in b]) == 1


def test_hostile_ids_and_values_are_stored_as_sent(archive: SqliteArchive) -> None:
    odd = "id-\x00\x1b[31m-\ud800-‮"
    archive.saw_jobs([SingleJob(job_id=odd, status="Fa\x00iled", source={"x": "\ud800"})])
    archive.flush()
    stored = archive.get(odd)
    assert stored is not None
    assert stored.job_id == odd
    assert stored.data["status"] == "Fa\x00iled"
    assert stored.data["source"] == {"x": "\ud800"}
    assert archive.ids_with_prefix("id-\x00") == [odd]


def test_prune_deletes_only_older_jobs(archive: SqliteArchive) -> None:
    archive.saw_jobs(
        [
            SingleJob(job_id="old", status="Completed", created_at="2026-01-01T00:00:00Z"),
            SingleJob(job_id="new", status="Completed", created_at="2026-03-01T00:00:00Z"),
        ]
    )
    archive.flush()
    cutoff = SingleJob(job_id="x", created_at="2026-02-01T00:00:00Z").created
    assert cutoff is not None
    assert archive.prune(cutoff.timestamp()) == 1
    assert archive.get("old") is None and archive.get("new") is not None
    assert archive.stats().jobs == 1


def test_file_is_private_and_in_wal_mode(archive: SqliteArchive, db_path: Path) -> None:
    archive.saw_jobs([SingleJob(job_id="a", status="Pending")])
    archive.flush()
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


def test_results_are_stored_compressed(
    sim: Simulator, clock: FakeClock, archive: SqliteArchive
) -> None:
    import asyncio

    done = [j for j in sim.jobs if j.status(clock()) == "Completed"][:20]

    async def fetch() -> int:
        total = 0
        async with in_process_client(sim, observer=archive) as client:
            for job in done:
                total += len(await client.get_job_raw(job.job_id))
        return total

    raw = asyncio.run(fetch())
    archive.flush()
    stats = archive.stats()
    assert stats.with_result == 20
    assert 0 < stats.stored_bytes < raw / 2
