"""The writer thread: closing stores everything queued, however long the database takes,
and says so when it gives up rather than dropping rows without a word."""

from __future__ import annotations

import time

from reducto_tui.api.models import SingleJob
from reducto_tui.archive.records import Row
from reducto_tui.archive.writer import BatchWriter


def _jobs(first: int, count: int) -> list[SingleJob]:
    return [SingleJob(job_id=f"job-{n}", status="Completed") for n in range(first, first + count)]


class SlowDatabase:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.stored: list[bytes] = []

    def write(self, rows: list[Row]) -> None:
        time.sleep(self.seconds)
        self.stored.extend(row.job_key for row in rows)


def test_stop_stores_everything_queued_even_when_writes_are_slow() -> None:
    db = SlowDatabase(0.3)
    writer = BatchWriter(db.write, "test-writer")
    for first in range(0, 20_000, 5000):  # four full batches: over a second of writing
        writer.saw_jobs(_jobs(first, 5000))
    writer.stop()
    assert len(set(db.stored)) == 20_000
    assert writer.problem is None


def test_stop_that_gives_up_says_what_was_not_stored() -> None:
    db = SlowDatabase(0.5)
    writer = BatchWriter(db.write, "test-writer")
    for first in range(0, 20_000, 5000):
        writer.saw_jobs(_jobs(first, 5000))
    writer.stop(timeout=0.2)
    assert len(db.stored) < 20_000
    assert writer.problem is not None and "were not stored" in writer.problem


def test_a_job_nested_past_any_json_writer_is_stored_and_the_writer_goes_on() -> None:
    deep: object = "x"
    for _ in range(950):
        deep = [deep]
    hostile = SingleJob.model_validate(
        {"job_id": "deep", "status": "Completed", "source": deep, "created_at": "2026-12-07"}
    )
    db = SlowDatabase(0.0)
    writer = BatchWriter(db.write, "test-writer")
    writer.saw_jobs([hostile, *_jobs(0, 3)])
    writer.saw_jobs(_jobs(3, 2))  # a later page is stored too: the thread is alive
    writer.stop()
    assert sorted(db.stored) == sorted([b"deep", *(f"job-{n}".encode() for n in range(5))])
    assert writer.problem is None
