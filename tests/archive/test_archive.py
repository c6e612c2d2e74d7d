"""Both backends behind the one Archive protocol: what the client sees is stored, survives
a restart, never goes back a status, and is read back as the server sent it."""

from __future__ import annotations

import asyncio
import json

import pytest

from reducto_tui.api.errors import ReductoError
from reducto_tui.api.models import SingleJob
from reducto_tui.archive import Archive, open_archive, records
from reducto_tui.archive.base import detail_from_body
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client


async def _list_all(sim: Simulator, archive: Archive) -> list[str]:
    ids: list[str] = []
    async with in_process_client(sim, observer=archive) as client:
        async for page in client.iter_pages(limit=100):
            ids.extend(j.job_id for j in page.jobs)
    assert archive.flush()
    return ids


async def test_jobs_survive_a_restart(sim: Simulator, archive_url: str) -> None:
    first = open_archive(archive_url)
    ids = await _list_all(sim, first)
    first.close()

    again = open_archive(archive_url)
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
    sim: Simulator, clock: FakeClock, archive: Archive
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


def _job(status: str, job_id: str = "j-1") -> SingleJob:
    return SingleJob(job_id=job_id, status=status, type="Parse", created_at="2026-03-01T10:00:00Z")


def test_status_never_goes_back(archive: Archive) -> None:
    archive.saw_jobs([_job("Completed")])
    archive.flush()
    archive.saw_jobs([_job("Pending")])  # a late, older answer
    archive.saw_jobs([_job("InProgress")])
    archive.flush()
    stored = archive.get("j-1")
    assert stored is not None
    assert stored.data["status"] == "Completed" and stored.state == "completed"
    assert len([j for b in archive.iter_jobs() for j in b]) == 1


def test_a_detail_answer_keeps_the_list_fields_it_lacks(archive: Archive) -> None:
    archive.saw_jobs([_job("InProgress")])
    archive.saw_job_body("j-1", b'{"status": "Completed", "result": null, "progress": null}')
    archive.flush()
    stored = archive.get("j-1")
    assert stored is not None and stored.has_body
    assert stored.data["status"] == "Completed"
    assert stored.data["type"] == "Parse"  # only the list row had it
    assert stored.data["created_at"] == "2026-03-01T10:00:00Z"


def test_hostile_ids_and_values_are_stored_as_sent(archive: Archive) -> None:
    odd = "id-\x00\x1b[31m-\ud800-\u202e"
    archive.saw_jobs([SingleJob(job_id=odd, status="Fa\x00iled", source={"x": "\ud800\x00"})])
    archive.saw_job_body(odd, b'{"status": "Completed", "reason": "\\u0000\\u001b[2J"}')
    archive.flush()
    assert archive.problem is None
    stored = archive.get(odd)
    assert stored is not None
    assert stored.job_id == odd
    assert stored.data["source"] == {"x": "\ud800\x00"}
    assert stored.data["reason"] == "\x00\x1b[2J"
    assert stored.data["status"] == "Completed"
    assert archive.ids_with_prefix("id-\x00") == [odd]


def test_prune_deletes_only_older_jobs(archive: Archive) -> None:
    archive.saw_jobs(
        [
            SingleJob(job_id="old", status="Completed", created_at="2026-01-01T00:00:00Z"),
            SingleJob(job_id="new", status="Completed", created_at="2026-03-01T00:00:00Z"),
        ]
    )
    archive.flush()
    cutoff = SingleJob(job_id="x", created_at="2026-02-01T00:00:00Z").created
    assert cutoff is not None
    assert archive.count_before(cutoff.timestamp()) == 1  # what prune's question says
    assert archive.count_before(0) == 0 and archive.stats().jobs == 2
    assert archive.prune(cutoff.timestamp()) == 1
    assert archive.get("old") is None and archive.get("new") is not None
    assert archive.stats().jobs == 1
    archive.vacuum()
    assert archive.stats().jobs == 1


def test_range_reads_are_newest_first_within_the_bounds(archive: Archive) -> None:
    archive.saw_jobs(
        [
            SingleJob(
                job_id=f"j{d:02d}", status="Completed", created_at=f"2026-03-{d:02d}T00:00:00Z"
            )
            for d in range(1, 29)
        ]
    )
    archive.flush()
    low = SingleJob(job_id="x", created_at="2026-03-05T00:00:00Z").created
    high = SingleJob(job_id="x", created_at="2026-03-20T00:00:00Z").created
    assert low is not None and high is not None
    got = [
        j.job_id for b in archive.iter_jobs(low.timestamp(), high.timestamp(), batch=4) for j in b
    ]
    assert got == [f"j{d:02d}" for d in range(20, 4, -1)]
    # A screenful first, then the usual batches, the same jobs in the same order.
    batches = list(archive.iter_jobs(low.timestamp(), high.timestamp(), batch=5, first=2))
    assert [len(b) for b in batches] == [2, 5, 5, 4]
    assert [j.job_id for b in batches for j in b] == got


def test_results_are_stored_compressed(sim: Simulator, clock: FakeClock, archive: Archive) -> None:
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


async def test_a_body_from_before_the_job_finished_gives_way_to_the_listing(
    sim: Simulator, clock: FakeClock, archive: Archive
) -> None:
    now = clock()
    job = next(
        j for j in sim.jobs if j.status(now) in ("InProgress", "Completing")
        and j.outcome == "Completed"
    )  # fmt: skip
    async with in_process_client(sim, observer=archive) as client:
        early = json.loads(await client.get_job_raw(job.job_id))
        assert early["status"] == "Pending" and early["result"] is None
        clock.advance(job.queue_s + job.run_s + job.completing_s + 1)
        assert job.status(clock()) == "Completed"
        async for _page in client.iter_pages(limit=100):  # the list says Completed
            pass
    assert archive.flush()
    stored = archive.get(job.job_id)
    assert stored is not None and stored.data["status"] == "Completed"
    assert not stored.has_body and stored.data.get("progress") is None
    body = archive.stored_body(job.job_id)
    assert body is not None
    detail = detail_from_body(body)
    assert detail.status == "Completed"
    assert detail.num_pages == job.num_pages and detail.duration is not None
    stats = archive.stats()
    assert (stats.details, stats.with_result) == (0, 0)


async def test_with_result_counts_completed_jobs_whose_result_is_stored(
    sim: Simulator, clock: FakeClock, archive: Archive
) -> None:
    now = clock()
    done = [j for j in sim.jobs if j.status(now) == "Completed"][:5]
    failed = [j for j in sim.jobs if j.status(now) == "Failed"][:3]
    async with in_process_client(sim, observer=archive) as client:
        for job in (*done, *failed):
            await client.get_job_raw(job.job_id)
    assert archive.flush()
    stats = archive.stats()
    assert (stats.details, stats.with_result) == (8, 5)


def test_an_archive_written_before_keeps_its_stale_body_out_of_the_job() -> None:
    # Archives written before the fix still hold a "Pending" answer beside "Completed".
    job = records.archived_job(
        records.key("j1"),
        '"Completed"',
        "completed",
        1.0,
        2.0,
        '{"status":"Completed","num_pages":35,"duration":12.5,"type":"Classify"}',
        '{"status":"Pending","progress":100.0,"duration":null,"num_pages":null}',
        True,
    )
    assert not job.has_body and "progress" not in job.data
    assert (job.data["status"], job.data["num_pages"], job.data["duration"]) == (
        "Completed", 35, 12.5,
    )  # fmt: skip
    fresh = records.archived_job(
        records.key("j2"), '"Completed"', "completed", 1.0, 2.0,
        '{"status":"Completed"}', '{"status":"Completed","usage":{"credits":3}}', True,
    )  # fmt: skip
    assert fresh.has_body and fresh.data["usage"] == {"credits": 3}
