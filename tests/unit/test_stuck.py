"""Stuck jobs: open far longer than their type takes, or than a configured limit."""

from __future__ import annotations

from reducto_tui.core.insight import Insight
from reducto_tui.core.store import JobStore
from reducto_tui.core.stuck import FLOOR
from reducto_tui.demo.simulator import LIVELY_STUCK_SPAN, Simulator
from tests.conftest import FakeClock, in_process_client
from tests.unit.test_filters_store import job


def ids(store: JobStore) -> set[str]:
    return {r.job_id for r in store.view.rows}


def test_stuck_is_age_past_the_floor_or_five_times_the_types_p90(clock: FakeClock) -> None:
    store = JobStore(clock=clock)
    store.add_page(
        [
            job("p1", "Completed", "Parse", duration=10.0),
            job("s1", "Pending", "Parse", age=FLOOR + 100, duration=None),
            job("s2", "Pending", "Parse", age=100, duration=None),
            job("s3", "InProgress", "Parse", age=FLOOR + 1, duration=None),
            job("old", "Completed", "Parse", age=90000, duration=10.0),
            *[job(f"e{n}", "Completed", "Extract", duration=400.0) for n in range(10)],
            # 5 x p90 (400 s) = 2000 s for Extract: 1500 s is slow, not stuck.
            job("x1", "Pending", "Extract", age=1500, duration=None),
            job("x2", "Pending", "Extract", age=2100, duration=None),
        ],
        None,
    )
    store.view.set_filter("stuck")
    assert ids(store) == {"s1", "s3", "x2"}
    assert store.stuck.count(clock()) == 3
    store.view.set_filter("-stuck type:parse")
    assert ids(store) == {"p1", "s2", "old"}
    # A configured limit replaces the rule.
    store.stuck.limit = 1800.0
    store.view.rebuild()  # as the app does after a settings change
    store.view.set_filter("stuck")
    assert ids(store) == {"x2"}
    assert Insight.of(store.rows, store.stuck).numbers(clock()).stuck == 1


def test_a_job_that_starts_moving_is_not_stuck_any_more(clock: FakeClock) -> None:
    store = JobStore(clock=clock)
    store.add_page([job("s1", "Pending", age=FLOOR + 100, duration=None)], None)
    assert store.stuck.count(clock()) == 1
    store.merge_first_page([job("s1", "Completed", age=FLOOR + 100, duration=30.0)])
    assert store.stuck.count(clock()) == 0


async def test_the_demo_has_stuck_jobs_and_the_filter_finds_them(clock: FakeClock) -> None:
    # What `reducto-tui --demo` starts with.
    sim = Simulator(jobs=500, seed=0, clock=clock, arrival_interval=0, stuck_span=LIVELY_STUCK_SPAN)
    store = JobStore(clock=clock)
    async with in_process_client(sim) as client:
        page = await client.list_jobs(limit=500)
    store.add_page(page.jobs, page.next_cursor)
    store.view.set_filter("stuck")
    stuck = ids(store)
    assert stuck and store.stuck.count(clock()) == len(stuck)
    for job_id in stuck:
        sim_job = sim.by_id[job_id]
        # The simulator made these ones stuck: 20 minutes or more beyond a normal run.
        assert sim_job.queue_s + sim_job.run_s > 1200
