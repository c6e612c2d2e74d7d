"""The poller asks only about jobs that can change, backs off on errors, and keeps data."""

from __future__ import annotations

import itertools
import math
import random

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.status import StatusKind
from reducto_tui.core.connection import connection
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import Faults, create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []
        self.fail_with: int | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if self.fail_with is not None:
            return httpx.Response(
                self.fail_with, headers={"Retry-After": "30"} if self.fail_with == 429 else {}
            )
        return await self.inner.handle_async_request(request)


async def no_sleep(seconds: float) -> None:
    return None


def setup(
    jobs: int = 400,
) -> tuple[Simulator, FakeClock, CountingTransport, ReductoClient, JobStore]:
    clock = FakeClock()
    sim = Simulator(jobs=jobs, seed=11, clock=clock, arrival_interval=0)
    transport = CountingTransport(httpx.ASGITransport(app=create_app(sim, Faults())))
    client = ReductoClient(
        "k", "http://demo.test", transport=transport, sleep=no_sleep, max_retries=0
    )
    return sim, clock, transport, client, JobStore(clock=clock)


async def load_all(client: ReductoClient, store: JobStore) -> None:
    async for page in client.iter_pages(limit=100):
        store.add_page(page.jobs, page.next_cursor)


async def test_only_unfinished_jobs_below_the_first_page_are_polled() -> None:
    sim, clock, transport, client, store = setup()
    await load_all(client, store)
    first_page = {r.job_id for r in store.rows[:20]}
    # Make three old jobs look active to the store, as if they were loaded while running.
    stale = [r for r in store.rows[100:] if r.kind.value == "completed"][:3]
    for row in stale:
        row.status, row.kind = "InProgress", type(row.kind)("running")
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    transport.paths.clear()
    changes = await poller.poll_once()
    polled = [p for p in transport.paths if p.startswith("/job/")]
    expected = {
        r.job_id
        for r in store.rows
        if r.job_id not in first_page and r.kind.value in ("queued", "running")
    }
    assert transport.paths[0] == "/jobs"
    # Besides the three, the demo's stuck jobs below the first page are genuinely active.
    assert sorted(p.removeprefix("/job/") for p in polled) == sorted(
        {r.job_id for r in stale} | expected
    )
    assert len(expected - {r.job_id for r in stale}) < 10
    assert {c.job_id for c in changes.finished} == {r.job_id for r in stale}
    transport.paths.clear()
    await poller.poll_once()
    assert transport.paths == ["/jobs"], "finished jobs are never polled again"


async def test_backoff_honours_retry_after_and_keeps_loaded_data() -> None:
    sim, clock, transport, client, store = setup(jobs=50)
    await load_all(client, store)
    loaded = len(store.rows)
    poller = Poller(client, store, interval=5, clock=clock, rng=random.Random(5))
    transport.fail_with = 429
    await poller.poll_once()
    assert poller.state is PollState.RECONNECTING and "Rate limited" in poller.last_error
    assert poller.seconds_until_next() == 30
    transport.fail_with = 503
    delays = []
    for _ in range(7):
        clock.advance(poller.seconds_until_next())
        assert poller.due()
        await poller.poll_once()
        delays.append(poller.seconds_until_next())
    assert len(store.rows) == loaded
    # Failures 2..8: each wait is drawn from the upper half of 5 s x 2^failures, capped at
    # 120 s: doubling, never a fixed pace, and spread so clients do not retry in step.
    ceilings = [20, 40, 80, 120, 120, 120, 120]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True)), delays
    assert delays[2] > 40 >= delays[0], "the wait grows"
    assert len(set(delays[3:])) == 4, "at the cap the waits still differ (jitter)"
    transport.fail_with = None
    clock.advance(poller.seconds_until_next())
    await poller.poll_once()
    assert poller.state is PollState.LIVE and poller.seconds_until_next() == 5


async def test_pause_and_off() -> None:
    sim, clock, transport, client, store = setup(jobs=10)
    poller = Poller(client, store, interval=5, clock=clock)
    assert poller.due()
    poller.toggle_pause()
    assert poller.state is PollState.PAUSED and not poller.due()
    poller.toggle_pause()
    assert poller.due()
    assert Poller(client, store, interval=0, clock=clock).state is PollState.OFF


async def test_new_jobs_appear_and_statuses_move_with_the_clock() -> None:
    sim, clock, transport, client, store = setup(jobs=30)
    poller = Poller(client, store, interval=5, clock=clock)
    await poller.poll_once()
    fresh = sim.create("Extract", {"input": "https://x/new.pdf"})
    changes = await poller.poll_once()
    assert [r.job_id for r in changes.added] == [fresh.job_id]
    assert store.by_id[fresh.job_id].kind.value == "queued"
    clock.advance(3600)
    changes = await poller.poll_once()
    assert store.by_id[fresh.job_id].kind.value in ("completed", "failed", "cancelled")
    assert fresh.job_id in {r.job_id for r in changes.finished}


async def test_a_job_that_does_not_change_is_asked_less_often() -> None:
    sim, clock, transport, client, store = setup(jobs=300)
    await load_all(client, store)
    job = sim.by_id[store.rows[200].job_id]
    job.created, job.queue_s, job.run_s = clock() - 1, 0.0, 10_000.0  # runs all along
    row = store.rows[200]
    row.status, row.kind = "InProgress", type(row.kind)("running")
    poller = Poller(client, store, interval=5, page_size=20, clock=clock, max_job_interval=40)
    asked_at = []
    for second in range(240):
        if poller.due():
            transport.paths.clear()
            await poller.poll_once()
            if f"/job/{job.job_id}" in transport.paths:
                asked_at.append(second)
        clock.advance(1)
    gaps = [b - a for a, b in itertools.pairwise(asked_at)]
    assert gaps[:4] == [5, 10, 20, 40] and set(gaps[4:]) == {40}


async def test_expired_jobs_are_marked_and_never_asked_again() -> None:
    sim, clock, transport, client, store = setup(jobs=300)
    await load_all(client, store)
    row = store.rows[200]
    row.status, row.kind = "InProgress", type(row.kind)("running")
    sim.by_id.pop(row.job_id)  # past the 12-hour retention: the API answers 404
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    await poller.poll_once()
    assert row.local == "expired" and poller.state is PollState.LIVE
    transport.paths.clear()
    clock.advance(600)
    await poller.poll_once()
    # Only the expired job is never asked again (the demo's stuck jobs still are).
    assert transport.paths[0] == "/jobs" and f"/job/{row.job_id}" not in transport.paths


async def test_running_jobs_on_screen_get_their_progress() -> None:
    # v1.12.20's GET /job reads the running job as Pending + progress: it stays running.
    sim, clock, transport, client, store = setup(jobs=30)
    fresh = sim.create("Parse", {"input": "https://x/p.pdf"})
    poller = Poller(client, store, interval=5, clock=clock)
    await poller.poll_once()
    clock.advance(fresh.queue_s + fresh.run_s / 2)
    transport.paths.clear()
    await poller.poll_once()  # running on the first page but not on screen: list only
    assert transport.paths == ["/jobs"] and store.by_id[fresh.job_id].progress is None
    poller.visible = {fresh.job_id}
    clock.advance(5)
    await poller.poll_once()
    assert f"/job/{fresh.job_id}" in transport.paths
    progress = store.by_id[fresh.job_id].progress
    assert progress is not None and 0.4 < progress < 0.8


def make_running(sim: Simulator, store: JobStore, clock: FakeClock, rows: list[JobRow]) -> None:
    """Make jobs run for a long time on the server, and look running in the store."""
    for row in rows:
        job = sim.by_id[row.job_id]
        job.created, job.queue_s, job.run_s = clock() - 10, 0.0, 100_000.0
        job.cancelled_at = None
        row.status, row.kind = "InProgress", StatusKind.RUNNING


async def test_a_deleted_job_in_a_round_of_50_never_fails_the_round() -> None:
    sim, clock, transport, client, store = setup(jobs=400)
    await load_all(client, store)
    rows = store.rows[100:150]
    make_running(sim, store, clock, rows)
    deleting, gone = rows[10], rows[20]
    sim.by_id[deleting.job_id].deleted_at = clock()  # cleanup running: 409
    sim.by_id[gone.job_id].deleted_at = clock() - 3600  # cleanup done: 410
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    transport.paths.clear()
    await poller.poll_once()
    assert poller.state is PollState.LIVE and poller.failures == 0
    assert deleting.local == "deleting" and gone.local == "deleted"
    others = [r for r in rows if r not in (deleting, gone)]
    assert len(others) == 48 and all(r.progress is not None for r in others)
    assert all(f"/job/{r.job_id}" in transport.paths for r in rows)
    clock.advance(2)  # the next round, too soon for the deleting job's slower pace
    transport.paths.clear()
    await poller.poll_once()
    assert f"/job/{deleting.job_id}" not in transport.paths
    clock.advance(600)  # by now its cleanup is over: asked again, it answers 410
    transport.paths.clear()
    await poller.poll_once()
    asked = set(transport.paths)
    # A deleted job is never asked again; a deleting one until it is gone, so its row
    # does not say "deleting" for ever.
    assert f"/job/{gone.job_id}" not in asked and f"/job/{deleting.job_id}" in asked
    assert deleting.local == "deleted"
    assert f"/job/{others[0].job_id}" in asked
    clock.advance(600)
    transport.paths.clear()
    await poller.poll_once()
    assert f"/job/{deleting.job_id}" not in transport.paths


class PathFaults(httpx.AsyncBaseTransport):
    """The demo server, with chosen paths answering a chosen status."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: list[str] = []
        self.faults: dict[str, tuple[int, dict[str, str]]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        fault = self.faults.get(request.url.path) or self.faults.get("*")
        if fault is not None:
            return httpx.Response(fault[0], headers=fault[1], json={"detail": "no"})
        return await self.inner.handle_async_request(request)


def faulty_setup(
    jobs: int = 300,
) -> tuple[Simulator, FakeClock, PathFaults, ReductoClient, JobStore]:
    clock = FakeClock()
    sim = Simulator(jobs=jobs, seed=11, clock=clock, arrival_interval=0)
    transport = PathFaults(httpx.ASGITransport(app=create_app(sim, Faults())))
    client = ReductoClient(
        "k", "http://demo.test", transport=transport, sleep=no_sleep, max_retries=0
    )
    return sim, clock, transport, client, JobStore(clock=clock)


async def test_a_transient_error_of_one_job_backs_off_but_keeps_the_rest_of_the_round() -> None:
    sim, clock, transport, client, store = faulty_setup()
    await load_all(client, store)
    rows = store.rows[100:110]
    make_running(sim, store, clock, rows)
    transport.faults[f"/job/{rows[0].job_id}"] = (503, {})
    poller = Poller(client, store, interval=5, page_size=20, clock=clock, concurrency=1)
    await poller.poll_once()
    assert poller.state is PollState.RECONNECTING and poller.seconds_until_next() >= 5
    # Every other job of the round was still asked and applied.
    assert rows[0].progress is None
    assert all(r.progress is not None for r in rows[1:])
    # A 429 stops the rest of the round: the service asked us to slow down.
    for row in rows:
        row.progress = None
    transport.faults = {f"/job/{rows[0].job_id}": (429, {"Retry-After": "7"})}
    clock.advance(3600)
    transport.paths.clear()
    await poller.poll_once()
    asked = [p for p in transport.paths if p.startswith("/job/")]
    assert asked[-1] == f"/job/{rows[0].job_id}", "nothing is sent after the 429"
    assert all(r.progress is None for r in rows[1:])
    assert poller.seconds_until_next() == 7


async def test_a_rejected_key_stops_polling_until_the_user_acts() -> None:
    sim, clock, transport, client, store = faulty_setup()
    await load_all(client, store)
    make_running(sim, store, clock, store.rows[100:105])
    transport.faults[f"/job/{store.rows[102].job_id}"] = (401, {})
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    await poller.poll_once()
    assert poller.state is PollState.KEY_REJECTED
    transport.paths.clear()
    for _ in range(100):  # an hour later, still nothing sent: no retry loop with a bad key
        clock.advance(36)
        assert not poller.due()
    transport.faults.clear()
    poller.refresh_now()  # the user pressed r (say after fixing the key)
    assert poller.due()
    await poller.poll_once()
    assert poller.state is PollState.LIVE


async def test_a_rejected_key_wins_over_a_server_error_in_the_same_round() -> None:
    """A 503 for one job and a 401 for another: the key problem is what the user must fix,
    so polling stops and says so instead of backing off as if the network blinked."""
    sim, clock, transport, client, store = faulty_setup()
    await load_all(client, store)
    make_running(sim, store, clock, store.rows[100:105])
    transport.faults[f"/job/{store.rows[100].job_id}"] = (503, {})
    transport.faults[f"/job/{store.rows[103].job_id}"] = (401, {})
    poller = Poller(client, store, interval=5, page_size=20, clock=clock, concurrency=1)
    await poller.poll_once()
    assert poller.state is PollState.KEY_REJECTED, poller.last_error
    assert poller.seconds_until_next() == math.inf
    transport.faults.clear()
    poller.toggle_pause()
    poller.toggle_pause()  # resuming is acting too: it tries again at once
    assert poller.due()
    await poller.poll_once()
    assert poller.state is PollState.LIVE


async def test_retry_after_zero_waits_a_second_and_an_absurd_one_is_capped() -> None:
    sim, clock, transport, client, store = faulty_setup(jobs=20)
    poller = Poller(client, store, interval=5, clock=clock, retry_after_cap=300)
    transport.faults["*"] = (429, {"Retry-After": "0"})
    await poller.poll_once()
    assert poller.seconds_until_next() == 1.0
    transport.faults["*"] = (429, {"Retry-After": "99999999"})
    await poller.poll_once()
    assert poller.seconds_until_next() == 300


async def test_round_backoff_doubles_up_to_its_cap() -> None:
    sim, clock, transport, client, store = faulty_setup(jobs=20)
    poller = Poller(client, store, interval=5, clock=clock, max_backoff=120)
    transport.faults["*"] = (503, {})
    for failures in range(1, 9):
        await poller.poll_once()
        ceiling = min(120, 5 * 2**failures)
        assert ceiling / 2 <= poller.seconds_until_next() <= ceiling, failures
        clock.advance(poller.seconds_until_next())


async def test_unchanged_jobs_back_off_5_10_20_40_60_and_never_faster_than_the_floor() -> None:
    sim, clock, transport, client, store = setup(jobs=300)
    await load_all(client, store)
    row = store.rows[200]
    make_running(sim, store, clock, [row])
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    asked_at = []
    for second in range(400):
        if poller.due():
            transport.paths.clear()
            await poller.poll_once()
            if f"/job/{row.job_id}" in transport.paths:
                asked_at.append(second)
        clock.advance(1)
    gaps = [b - a for a, b in itertools.pairwise(asked_at)]
    assert gaps[:6] == [5, 10, 20, 40, 60, 60]


async def test_a_fast_round_never_asks_one_job_more_often_than_every_2_s() -> None:
    sim, clock, transport, client, store = setup(jobs=30)
    fresh = sim.create("Parse", {"input": "https://x/p.pdf"})
    fresh.queue_s, fresh.run_s = 0.0, 100_000.0
    poller = Poller(client, store, interval=0.5, clock=clock, min_job_interval=2.0)
    poller.visible = {fresh.job_id}
    asked_at: list[float] = []
    for _ in range(40):
        transport.paths.clear()
        await poller.poll_once()
        if f"/job/{fresh.job_id}" in transport.paths:
            asked_at.append(clock())
        clock.advance(0.5)
    gaps = [b - a for a, b in itertools.pairwise(asked_at)]
    assert gaps and min(gaps) >= 2.0
    assert Poller(client, store, min_job_interval=0.1).min_job_interval == 1.0


async def test_finished_jobs_deleted_by_another_client_are_marked_deleted() -> None:
    # Seen in tmux (issue 12): completed jobs deleted with DELETE /job by a second client
    # stayed "Completed" for ever, since finished jobs are never polled.
    sim, clock, transport, client, store = setup(jobs=60)
    poller = Poller(client, store, interval=5, page_size=20, clock=clock)
    await poller.loader.first_page()
    victims = [r for r in store.rows[2:18] if r.kind is StatusKind.COMPLETED][:2]
    assert len(victims) == 2
    async with ReductoClient("other", "http://demo.test", transport=transport) as other:
        for row in victims:
            await other.delete_job(row.job_id)
    clock.advance(5)
    transport.paths.clear()
    await poller.poll_once()
    # Gone from the list where it should be: each is asked once (410: the cleanup is over).
    assert all(f"/job/{r.job_id}" in transport.paths for r in victims)
    assert [r.local for r in victims] == ["deleted", "deleted"]
    assert sum(p.startswith("/job/") for p in transport.paths) == 2  # nothing else asked
    clock.advance(600)
    transport.paths.clear()
    await poller.poll_once()
    assert not any(p.startswith("/job/") for p in transport.paths)


async def test_a_first_page_slower_than_the_refresh_interval_is_not_asked_again() -> None:
    # A tester's server answered in 6 s; every 5 s tick cancelled the request in flight and
    # sent a new one, so the list never loaded. Only the answer sets the next try.
    sim, clock, transport, client, store = setup(jobs=30)
    poller = Poller(client, store, interval=5, clock=clock)
    poller.hold_for_first_page()
    clock.advance(60)
    assert not poller.due()
    outcome = await poller.loader.first_page()
    assert outcome.error is None and store.pages_loaded == 1
    assert not poller.due()
    clock.advance(5)
    assert poller.due()  # the answer put the next refresh one interval away


async def test_a_failed_first_page_is_retried_on_the_backoff_not_the_hold() -> None:
    sim, clock, transport, client, store = setup(jobs=30)
    poller = Poller(client, store, interval=5, clock=clock)
    transport.fail_with = 503
    poller.hold_for_first_page()
    outcome = await poller.loader.first_page()
    assert outcome.error is not None
    clock.advance(10)  # the backoff after one failure is 5-10 s, far below the hold
    assert poller.due()


def test_the_header_says_connecting_until_a_first_page_arrives() -> None:
    sim, clock, transport, client, store = setup(jobs=30)
    poller = Poller(client, store, interval=5, clock=clock)
    assert connection(poller).label == "connecting…"
    store.add_page([], None)
    assert connection(poller).label == "live"
