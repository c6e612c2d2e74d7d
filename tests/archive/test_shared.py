"""A shared archive: each reader asks for what other writers stored since its last look, and
the running app shows a colleague's job after one refresh (real SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import psycopg

from reducto_tui.api.models import SingleJob
from reducto_tui.archive import Archive, open_archive
from reducto_tui.archive import postgres as pg
from reducto_tui.archive import sqlite as lite
from reducto_tui.archive.records import listing_row
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.archived import ARCHIVED_GLYPH
from tests.archive.postgres_server import Cluster
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, wait_loaded


def _job(job_id: str, status: str = "Pending", at: float | None = None) -> SingleJob:
    when = time.gmtime(time.time() if at is None else at)
    return SingleJob(
        job_id=job_id,
        status=status,
        type="Parse",
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", when),
        source={"file_name": f"{job_id}.pdf"},
    )


def _ids(jobs_and_cursor: tuple[list[object], int]) -> set[str]:
    return {job.job_id for job in jobs_and_cursor[0]}  # type: ignore[attr-defined]


def test_a_reader_gets_what_others_wrote_since_its_last_look(archive_url: str) -> None:
    mine, theirs = open_archive(archive_url), open_archive(archive_url)
    try:
        mine.saw_jobs([_job("old-one")])
        assert mine.flush()
        cursor = mine.change_cursor()
        mine.saw_jobs([_job("my-own")])
        theirs.saw_jobs([_job("theirs-1"), _job("theirs-2", at=time.time() - 30 * 86400)])
        assert mine.flush() and theirs.flush()

        jobs, cursor = mine.changed_since(cursor)
        assert {j.job_id for j in jobs} == {"theirs-1", "theirs-2"}  # not mine, not older
        assert mine.changed_since(cursor)[0] == []  # nothing new: nothing again
        recent, _ = mine.changed_since(0, since=time.time() - 86400)
        assert "theirs-2" not in {j.job_id for j in recent}  # outside the loaded range

        theirs.saw_jobs([_job("theirs-1", "Completed")])
        assert theirs.flush()
        jobs, cursor = mine.changed_since(cursor)
        assert [(j.job_id, j.state) for j in jobs] == [("theirs-1", "completed")]

        # A stale answer of mine does not hide their newer one: the row is still theirs.
        mine.saw_jobs([_job("theirs-1", "Pending")])
        assert mine.flush()
        jobs, cursor = mine.changed_since(cursor)
        assert [(j.job_id, j.state) for j in jobs] == [("theirs-1", "completed")]
    finally:
        mine.close()
        theirs.close()


def test_a_transaction_that_commits_after_a_look_is_found_by_the_next(
    pg_cluster: Cluster,
) -> None:
    url = pg_cluster.new_database()
    reader = open_archive(url)
    try:
        cursor = reader.change_cursor()
        with psycopg.connect(url) as slow:
            # A colleague's batch is written but not committed while the reader looks.
            slow.execute(pg.upsert(b"colleague"), listing_row(_job("slow-commit"), time.time()))
            jobs, cursor = reader.changed_since(cursor)
            assert jobs == []
            slow.commit()
        jobs, cursor = reader.changed_since(cursor)
        assert [j.job_id for j in jobs] == ["slow-commit"]
    finally:
        reader.close()


def _v1_sqlite(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(lite.MIGRATIONS[1])
    db.execute(
        "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (b"from-v1", '"Completed"', "completed", 2, time.time(), time.time(), "{}", None, None),
    )
    db.execute("PRAGMA user_version=1")
    db.close()


def _v1_postgres(url: str) -> None:
    with psycopg.connect(url) as conn:
        for statement in pg.MIGRATIONS[1]:
            conn.execute(statement)
        conn.execute(f"CREATE TABLE {pg.META} (key text PRIMARY KEY, value text)")
        conn.execute(f"INSERT INTO {pg.META} VALUES ('schema', '1')")
        conn.execute(
            f"INSERT INTO {pg.TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (b"from-v1", '"Completed"', "completed", 2, time.time(), time.time(), "{}", None, None),
        )


def test_an_archive_from_before_change_tracking_is_migrated(
    db_path: Path, pg_cluster: Cluster
) -> None:
    _v1_sqlite(db_path)
    url = pg_cluster.new_database()
    _v1_postgres(url)
    for where in (str(db_path), url):
        archive: Archive = open_archive(where)
        other = open_archive(where)
        try:
            assert archive.get("from-v1") is not None  # kept
            cursor = archive.change_cursor()
            other.saw_jobs([_job("after-upgrade"), _job("from-v1", "Failed")])
            assert other.flush()
            jobs, _ = archive.changed_since(cursor)
            assert sorted(j.job_id for j in jobs) == ["after-upgrade", "from-v1"], where
        finally:
            archive.close()
            other.close()
    assert sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0] == lite.SCHEMA


async def test_the_running_app_shows_a_colleagues_job_after_one_refresh(
    sim: Simulator, clock: FakeClock, pg_cluster: Cluster
) -> None:
    url = pg_cluster.new_database()
    app = make_app(sim, clock, archive=True, archive_url=url)
    colleague = open_archive(url)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settle(pilot, lambda: app.main.feed is not None, rounds=200)
            await settle(pilot, lambda: not app.main.is_archive_loading(), rounds=200)
            await settle(pilot, lambda: app.main.feed.cursor is not None)  # type: ignore[union-attr]

            colleague.saw_jobs([_job("colleagues-job-1", "Pending", at=clock() - 60)])
            assert colleague.flush()
            await pilot.pause(0.3)
            assert "colleagues-job-1" not in app.store.by_id  # nothing reads it by itself

            await pilot.press("r")  # one refresh
            await settle(pilot, lambda: "colleagues-job-1" in app.store.by_id, rounds=200)
            row = app.store.by_id["colleagues-job-1"]
            assert row.archived and row.status == "Pending"
            app.main.filter_box.value = "colleagues-job"
            await pilot.pause()
            lines = [line for line in screen_lines(app) if "colleagues-job-1" in line]
            assert len(lines) == 1 and ARCHIVED_GLYPH in lines[0] and "Pending" in lines[0]

            colleague.saw_jobs([_job("colleagues-job-1", "Completed", at=clock() - 60)])
            assert colleague.flush()
            await pilot.press("r")
            await settle(pilot, lambda: row.status == "Completed", rounds=200)
            await pilot.pause()
            lines = [line for line in screen_lines(app) if "colleagues-job-1" in line]
            assert len(lines) == 1 and "Completed" in lines[0]
    finally:
        colleague.close()
