"""Which unfinished jobs the list marks "stuck?" (core.stuck)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reducto_tui.core.rows import row_from_job
from reducto_tui.core.stuck import FLOOR, P90, StuckWatch, percentile
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


def test_the_count_follows_time_local_states_and_polls_however_often_it_is_asked() -> None:
    # The header asks for the count on every redraw; what it says must stay the truth.
    from reducto_tui.api.models import JobDetail
    from reducto_tui.core.store import JobStore
    from tests.conftest import FakeClock

    store = JobStore(clock=FakeClock())
    store.add_page(
        [
            job("a", "Pending", age=FLOOR - 100),
            job("b", "InProgress", age=FLOOR - 10),
            job("c", "Pending", age=FLOOR + 5),
        ],
        None,
    )
    watch = store.stuck
    assert [watch.count(FROZEN) for _ in range(3)] == [1, 1, 1]
    assert watch.count(FROZEN + 9) == 1, "b crosses its threshold only after 10 s"
    assert watch.count(FROZEN + 11) == 2
    assert watch.count(FROZEN + 101) == 3
    assert watch.count(FROZEN) == 1, "an earlier time (a clock set back) is counted again"
    store.set_local("c", "cancelling")
    assert watch.count(FROZEN) == 0, "a job being cancelled is not stuck"
    store.set_local("c", None)
    store.update_detail("b", JobDetail.model_validate({"status": "Completed"}))
    assert watch.count(FROZEN + 101) == 2, "a finished job is not stuck"
    for now in (FROZEN - 1000, FROZEN, FROZEN + 11, FROZEN + 500):
        assert watch.count(now) == len(watch.stuck_rows(now))


@given(st.lists(st.floats(min_value=0, max_value=1e6), max_size=60))
def test_the_running_p90_is_the_p90_of_every_value_so_far(values: list[float]) -> None:
    running = P90()
    assert running.value is None
    for n, value in enumerate(values, 1):
        running.add(value)
        assert running.value == percentile(sorted(values[:n]), 90)
