"""Which unfinished jobs the list marks "stuck?" (core.stuck)."""

from __future__ import annotations

from reducto_tui.core.rows import row_from_job
from reducto_tui.core.stuck import FLOOR, StuckWatch
from tests.conftest import FROZEN
from tests.unit.test_filters_store import job


def test_open_jobs_older_than_their_threshold_are_the_stuck_ones() -> None:
    watch = StuckWatch()
    rows = {
        name: row_from_job(job(name, status, age=age), name)
        for name, status, age in (
            ("old-queued", "Pending", FLOOR + 60),
            ("old-running", "InProgress", FLOOR + 1),
            ("young", "Pending", FLOOR - 60),
            ("done", "Completed", FLOOR * 10),
            ("deleting", "Pending", FLOOR * 10),
        )
    }
    rows["deleting"].local = "deleting"
    for row in rows.values():
        watch.track(row)
    stuck = watch.stuck_rows(FROZEN)
    assert sorted(r.job_id for r in stuck) == ["old-queued", "old-running"]
    assert watch.count(FROZEN) == 2
    assert StuckWatch(limit=FLOOR * 20).stuck_rows(FROZEN) == [], "nothing tracked"
