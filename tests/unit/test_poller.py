"""The poller asks only about jobs that can change, backs off on errors, and keeps data."""

from __future__ import annotations

import itertools

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import Extras, Faults, create_app
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
    jobs: int = 400, extras: Extras | None = None
) -> tuple[Simulator, FakeClock, CountingTransport, ReductoClient, JobStore]:
    clock = FakeClock()
    sim = Simulator(jobs=jobs, seed=11, clock=clock, arrival_interval=0)
    transport = CountingTransport(httpx.ASGITransport(app=create_app(sim, Faults(), extras)))
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
    poller = Poller(client, store, interval=5, clock=clock)
    transport.fail_with = 429
    await poller.poll_once()
    assert poller.state is PollState.RECONNECTING and "Rate limited" in poller.last_error
    assert poller.seconds_until_next() == 30
    transport.fail_with = 503
    delays = []
    for _ in range(6):
        clock.advance(poller.seconds_until_next())
        assert poller.due()
        await poller.poll_once()
        delays.append(poller.seconds_until_next())
    assert len(store.rows) == loaded
    assert delays[-1] <= 120 and max(delays) > 5
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
    # TODO(core): v1.12.20's GET /job reads a running job as Pending + progress, which rows
    # do not merge yet (the row falls back to queued and drops its progress). Drop the
    # extended statuses here once they do.
    sim, clock, transport, client, store = setup(jobs=30, extras=Extras(extended_statuses=True))
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
