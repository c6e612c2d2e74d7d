"""The client's own retries are polite too (issue 12): a retried ``GET /job/{id}`` never
asks the same job again sooner than 2 s, and a retried list page backs off the same way.

Counted where it matters, on the server: the demo server with ``--error-rate`` answers
some requests 5xx, and a recorder in front of it notes when each job (each list page) was
asked. The client and the poller run on a fake clock that their sleeps advance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from itertools import pairwise
from typing import Any

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.poller import Poller
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import Faults, create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Recorder:
    """ASGI in front of the demo server: when each job / list page was asked, and answers."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], clock: FakeClock):
        self.app = app
        self.clock = clock
        self.asked: dict[str, list[float]] = defaultdict(list)
        self.errors = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            key = scope["path"]
            if key == "/jobs":  # one list page: its cursor names it
                key += "?" + scope["query_string"].decode()
            self.asked[key].append(self.clock())

        async def noting(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 500:
                self.errors += 1
            await send(message)

        await self.app(scope, receive, noting)

    def shortest_gap(self, prefix: str) -> float:
        gaps = [
            b - a
            for key, times in self.asked.items()
            if key.startswith(prefix)
            for a, b in pairwise(times)
        ]
        return min(gaps, default=float("inf"))

    def asked_again(self, prefix: str) -> int:
        return sum(len(t) - 1 for k, t in self.asked.items() if k.startswith(prefix))


async def test_retries_after_5xx_never_ask_the_same_job_within_2_s() -> None:
    clock = FakeClock()
    sim = Simulator(jobs=400, seed=11, clock=clock, arrival_interval=0)
    server = Recorder(create_app(sim, Faults(error_rate=0.3, seed=3)), clock)

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    client = ReductoClient(
        "k",
        "http://demo.test",
        transport=httpx.ASGITransport(app=server),
        sleep=sleep,
        monotonic=clock,
    )
    store = JobStore(clock=clock)
    poller = Poller(client, store, interval=5, page_size=100, clock=clock)
    async with client:
        while store.pages_loaded < 4:  # jobs below the first page are polled one by one
            clock.advance(5)  # a page that failed all its retries is asked again later
            if store.pages_loaded:
                await poller.loader.next_page()
            else:
                await poller.loader.first_page()
        for _ in range(40):
            clock.advance(max(poller.seconds_until_next(), 0.1))
            await poller.poll_once()

    assert server.errors > 20  # the server did fail, often
    assert server.asked_again("/job/") > 10  # and jobs were asked again (retries, polls)
    assert server.shortest_gap("/job/") >= 2.0
    assert server.asked_again("/jobs") > 0
    assert server.shortest_gap("/jobs?") >= 2.0
