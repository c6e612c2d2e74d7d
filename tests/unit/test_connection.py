"""The header's words for the connection (core.connection) and its completions sparkline."""

from __future__ import annotations

import asyncio

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import AuthError, ServerError
from reducto_tui.core.connection import Connection, connection
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.unit.test_filters_store import job


class Gate(httpx.AsyncBaseTransport):
    """The demo server, but every request waits until the test opens the gate."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sim))
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.open.wait()
        return await self.inner.handle_async_request(request)


def poller_on(clock: FakeClock, transport: httpx.AsyncBaseTransport, interval: float) -> Poller:
    """A poller over a list that has loaded (before any page the header says "connecting…")."""
    client = ReductoClient("k", "http://demo.test", transport=transport, monotonic=clock)
    store = JobStore(clock=clock)
    store.add_page([], None)
    return Poller(client, store, interval=interval, clock=clock)


async def test_the_header_says_live_paused_off_reconnecting_and_key_rejected(
    sim: Simulator, clock: FakeClock
) -> None:
    poller = poller_on(clock, httpx.ASGITransport(app=create_app(sim)), interval=5)
    assert connection(poller).label == "live"
    poller.toggle_pause()
    assert connection(poller) == connection(poller)  # a value, for the widget to compare
    assert (connection(poller).state, connection(poller).label) == (PollState.PAUSED, "paused")
    poller.toggle_pause()
    poller.record_failure(ServerError("HTTP 503"))
    seconds = poller.seconds_until_next()
    assert connection(poller) == Connection(
        PollState.RECONNECTING, f"reconnecting in {seconds:.0f}s"
    )
    poller.record_failure(AuthError("bad key"))
    assert connection(poller).label == "key rejected"
    off = poller_on(clock, httpx.ASGITransport(app=create_app(sim)), interval=0)
    assert (connection(off).state, connection(off).label) == (PollState.OFF, "off")


async def test_a_request_hanging_for_three_seconds_is_shown_as_waiting(
    sim: Simulator, clock: FakeClock
) -> None:
    gate = Gate(sim)
    poller = poller_on(clock, gate, interval=5)
    round_ = asyncio.create_task(poller.poll_once())
    for _ in range(20):
        await asyncio.sleep(0)
    assert connection(poller).label == "live", "a request just sent is not news"
    clock.advance(2.9)
    assert connection(poller).label == "live"
    clock.advance(0.1)
    assert connection(poller).label == "waiting for the server (3 s)", "from 3 s on"
    clock.advance(9.5)
    waiting = connection(poller)
    assert (waiting.state, waiting.label) == (PollState.WAITING, "waiting for the server (12 s)")
    poller.key_rejected = True  # nothing is sent with a rejected key: say that instead
    assert connection(poller).label == "key rejected"
    poller.key_rejected = False
    assert connection(poller, slow=20).label == "live", "the threshold is the caller's"
    gate.open.set()
    await round_
    assert connection(poller).label == "live"


def test_the_sparkline_counts_completions_per_minute_over_the_last_half_hour(
    clock: FakeClock,
) -> None:
    store = JobStore(clock=clock)
    # Loaded already finished: counted at created + duration (12 s here).
    store.add_page(
        [job("a", age=200), job("b", age=230), job("c", age=3600), job("f", "Failed")],
        None,
    )
    store.add_page([job("q", "Pending", age=1)], None)
    spark = store.sparkline(30)
    assert len(spark) == 30 and sum(spark) == 2, "older than 30 min and failed jobs do not count"
    assert spark[-5] == 2 and spark[-1] == 0  # both finished 3-4 minutes ago
    # A job seen finishing now counts in the current minute.
    store.upsert([job("q", "Completed", age=1)])
    assert store.sparkline(30)[-1] == 1 and store.sparkline(5) == [2, 0, 0, 0, 1]
