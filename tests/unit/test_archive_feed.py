"""Archived jobs in the job store: merged behind the live ones, marked, filterable, and
un-marked when the API returns them again; results of newly completed jobs are kept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from reducto_tui.api.models import SingleJob
from reducto_tui.archive.sqlite import SqliteArchive
from reducto_tui.core.archived import ArchiveFeed
from reducto_tui.core.result_keeper import ResultKeeper
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import Faults
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FROZEN, FakeClock, in_process_client


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SqliteArchive]:
    opened = SqliteArchive(tmp_path / "a.sqlite3")
    yield opened
    opened.close()


def _iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _old_jobs(archive: SqliteArchive, count: int, newest_age_days: float) -> list[str]:
    jobs = [
        SingleJob(
            job_id=f"old-{n:04d}",
            status="Completed" if n % 3 else "Failed",
            type="Parse",
            created_at=_iso(FROZEN - newest_age_days * 86400 - n * 600),
            source={"file_name": f"old-{n}.pdf"},
        )
        for n in range(count)
    ]
    archive.saw_jobs(jobs)
    assert archive.flush()
    return [j.job_id for j in jobs]


async def test_archived_jobs_join_the_list_marked_and_filterable(
    sim: Simulator, clock: FakeClock, archive: SqliteArchive
) -> None:
    old = _old_jobs(archive, 50, newest_age_days=1)
    store = JobStore(clock=clock)
    async with in_process_client(sim, observer=archive) as client:
        first = await client.list_jobs(None, 100)
    store.add_page(first.jobs, first.next_cursor)
    live = {r.job_id for r in store.rows}
    feed = ArchiveFeed(archive, store, clock=clock)
    added = await feed.load(days=7)
    # The first page's jobs are in the archive too now; only the forgotten ones are added.
    assert added == 50
    archived = {r.job_id for r in store.rows if r.archived}
    assert archived == set(old)
    assert not any(store.by_id[j].archived for j in live)

    view = store.view
    view.set_filter("archived")
    assert {r.job_id for r in view.rows} == set(old)
    view.set_filter("-archived")
    assert {r.job_id for r in view.rows} == live
    view.set_filter("archived status:failed")
    assert {r.job_id for r in view.rows} == {j for n, j in enumerate(old) if n % 3 == 0}


async def test_only_the_configured_days_load_at_start_and_older_ones_on_request(
    clock: FakeClock, archive: SqliteArchive
) -> None:
    old = _old_jobs(archive, 300, newest_age_days=5)  # one every 10 min from 5 days back
    store = JobStore(clock=clock)
    feed = ArchiveFeed(archive, store, clock=clock)
    # the day from 5 to 6 days ago, both ends included: 145 jobs
    assert await feed.load(days=6) == 145
    assert {r.job_id for r in store.rows} == set(old[:145])
    # A day from the newest job below those: 6 d 10 min back to 7 d 10 min, both included.
    assert await feed.load_older(days=1) == 145
    assert {r.job_id for r in store.rows} == set(old[:290])
    assert feed.older_span is not None and feed.older_span[1] == FROZEN - (6 * 1440 + 10) * 60


async def test_load_older_skips_a_quiet_stretch_and_says_when_nothing_is_older(
    clock: FakeClock, archive: SqliteArchive
) -> None:
    recent = _old_jobs(archive, 3, newest_age_days=1)
    old = [
        SingleJob(job_id=f"older-{n}", status="Completed", type="Parse",
                  created_at=_iso(FROZEN - 40 * 86400 - n * 60))
        for n in range(4)
    ]  # fmt: skip
    archive.saw_jobs(old)
    assert archive.flush()
    store = JobStore(clock=clock)
    feed = ArchiveFeed(archive, store, clock=clock)
    assert await feed.load(days=7) == 3
    # Nothing from 8 to 39 days back: the next span starts at the newest job below.
    assert await feed.load_older(days=7) == 4
    assert {r.job_id for r in store.rows} == {*recent, *(j.job_id for j in old)}
    assert feed.older_span == (FROZEN - 47 * 86400, FROZEN - 40 * 86400)
    assert await feed.load_older(days=7) == 0
    assert feed.older_span is None


async def test_a_job_the_api_returns_again_is_no_longer_marked_archived(
    sim: Simulator, clock: FakeClock, archive: SqliteArchive
) -> None:
    async with in_process_client(sim, observer=archive) as client:
        first = await client.list_jobs(None, 20)
    archive.flush()
    store = JobStore(clock=clock)
    await ArchiveFeed(archive, store, clock=clock).load(days=7)
    assert all(r.archived for r in store.rows) and len(store.rows) == 20
    changes = store.merge_first_page(first.jobs)
    assert not any(r.archived for r in store.rows)
    assert len(changes.changed) == 20 and not changes.added


async def test_a_refresh_brings_what_another_writer_stored_and_leaves_live_jobs_alone(
    sim: Simulator, clock: FakeClock, archive: SqliteArchive, tmp_path: Path
) -> None:
    store = JobStore(clock=clock)
    async with in_process_client(sim, observer=archive) as client:
        first = await client.list_jobs(None, 20)
    store.add_page(first.jobs, first.next_cursor)
    feed = ArchiveFeed(archive, store, clock=clock)
    await feed.load(days=7)
    assert not await feed.refresh()  # its own writes are not news

    live = first.jobs[0]
    other = SqliteArchive(tmp_path / "a.sqlite3")  # another process on the same file
    try:
        old = _old_jobs(other, 3, newest_age_days=1)
        other_status = "Failed" if live.status != "Failed" else "Completed"
        other.saw_jobs([live.model_copy(update={"status": other_status})])  # another view
        assert other.flush()
    finally:
        other.close()
    changes = await feed.refresh()
    assert {r.job_id for r in changes.added} == set(old)
    assert all(store.by_id[j].archived for j in old)
    assert store.by_id[live.job_id].status == live.status != other_status  # as the API said
    assert not await feed.refresh()


async def test_results_of_jobs_that_complete_are_archived_politely(
    clock: FakeClock, archive: SqliteArchive
) -> None:
    sim = Simulator(jobs=40, seed=3, clock=clock, arrival_interval=0)
    # More than 3 requests a second answer 429 (Retry-After 1 s): the keeper waits, retries.
    faults = Faults(rate_limit=3)
    store = JobStore(clock=clock)
    async with in_process_client(sim, faults, observer=archive, max_retries=0) as client:
        page = await client.list_jobs(None, 100)
        store.add_page(page.jobs, page.next_cursor)
        keeper = ResultKeeper(client, concurrency=2)
        keeper.start()
        running = [r for r in store.rows if r.kind.value in ("queued", "running")]
        clock.advance(3600)
        later = await client.list_jobs(None, 100)
        changes = store.merge_first_page(later.jobs)
        keeper.finished(changes.finished)
        keeper.finished(changes.finished)  # the same jobs again: fetched once
        await asyncio.wait_for(keeper.drain(), 30)
        await keeper.stop()
    completed = [r.job_id for r in changes.finished if r.kind.value == "completed"]
    assert running and completed
    assert keeper.fetched == len(completed)
    assert keeper.rate_limited > 0 and not keeper.failed
    archive.flush()
    for job_id in completed:
        stored = archive.get(job_id)
        assert stored is not None and stored.has_body
