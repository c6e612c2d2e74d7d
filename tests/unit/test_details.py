"""Asking GET /job for finished jobs the list says little about (core.details): failed ones
first, newest first, each once, and the round ends at the first sign of trouble."""

from __future__ import annotations

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.status import StatusKind
from reducto_tui.core.details import DetailFetcher
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client


async def loaded(sim: Simulator, clock: FakeClock, client: ReductoClient) -> JobStore:
    store = JobStore(clock=clock)
    async for page in client.iter_pages(limit=100):
        store.add_page(page.jobs, page.next_cursor)
    return store


async def test_failed_jobs_first_newest_first_each_asked_once(
    sim: Simulator, clock: FakeClock
) -> None:
    async with in_process_client(sim) as client:
        store = await loaded(sim, clock, client)
        fetcher = DetailFetcher(client, store)
        rows = list(store.rows)
        failed = [r for r in rows if r.kind is StatusKind.FAILED]
        completed = [r for r in rows if r.kind is StatusKind.COMPLETED]
        store.set_local(failed[0].job_id, "deleting")  # being deleted: not asked
        picked = fetcher.wanted(rows, limit=len(failed) + 2)
        expected_failed = sorted(failed[1:], key=lambda r: -(r.created or 0))
        assert picked[: len(failed) - 1] == expected_failed
        assert picked[len(failed) - 1 :] == sorted(completed, key=lambda r: -(r.created or 0))[:3]
        assert fetcher.wanted(rows, limit=2) == expected_failed[:2]
        got = await fetcher.fetch(rows, limit=5)
        assert got == 5 and fetcher.problem == ""
        assert all(store.by_id[r.job_id].reason for r in expected_failed[:5])
        assert fetcher.wanted(rows, limit=5)[0] is expected_failed[5], "each is asked once"


async def test_a_server_error_ends_the_round_and_says_why(sim: Simulator, clock: FakeClock) -> None:
    async with in_process_client(sim) as good:
        store = await loaded(sim, clock, good)

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "down"})

    async def no_sleep(seconds: float) -> None:
        return None

    broken = ReductoClient(
        "k", "http://x.test", transport=httpx.MockTransport(failing), max_retries=0, sleep=no_sleep
    )
    fetcher = DetailFetcher(broken, store, concurrency=1)
    got = await fetcher.fetch(store.rows, limit=10)
    assert (
        got == 0 and fetcher.problem == "The server had an error (HTTP 503). The server said: down."
    )
    assert len(fetcher.asked) == 1, "nothing more is sent after the first failure"
    gone = DetailFetcher(
        ReductoClient(
            "k",
            "http://x.test",
            transport=httpx.ASGITransport(app=create_app(Simulator(jobs=1, seed=1, clock=clock))),
        ),
        store,
    )
    assert await gone.fetch(store.rows, limit=3) == 0 and gone.problem == "", (
        "404: nothing to learn"
    )
