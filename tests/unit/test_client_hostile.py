"""The client against the hostile server on loopback: nothing holds it, grows it, or escapes it."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import DeadlineError, ResponseTooLargeError
from reducto_tui.demo.hostile import HostileServer

KEY = "hostile-SECRET-key"
#: Old code hung forever on these servers; a test must fail rather than hang with it.
GUARD = 15.0


@pytest.fixture
def drip() -> Iterator[HostileServer]:
    with HostileServer(jobs_case="drip", drip_interval=0.2) as server:
        yield server


@pytest.fixture
def endless() -> Iterator[HostileServer]:
    with HostileServer(jobs_case="endless") as server:
        yield server


async def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(
    drip: HostileServer,
) -> None:
    ages: list[float] = []
    async with ReductoClient(KEY, drip.url, request_deadline=1.5, max_retries=2) as client:
        assert client.oldest_inflight_age() is None

        async def watch() -> None:
            while True:
                await asyncio.sleep(0.1)
                age = client.oldest_inflight_age()
                if age is not None:
                    ages.append(age)

        watcher = asyncio.create_task(watch())
        start = time.monotonic()
        with pytest.raises(DeadlineError, match="longer than 2 s"):
            await asyncio.wait_for(client.list_jobs(), GUARD)
        took = time.monotonic() - start
        watcher.cancel()
        assert 1.4 < took < 4, "one deadline, and a dripped-out request is not retried"
        # While it waited, the UI could say "waiting for the server (1 s)".
        assert ages and max(ages) > 1.0
        assert client.oldest_inflight_age() is None
        with pytest.raises(DeadlineError):
            await asyncio.wait_for(client.get_job("drip"), GUARD)


async def test_an_endless_job_list_stops_at_its_cap_with_memory_near_it(
    endless: HostileServer,
) -> None:
    cap = 2 * 1024 * 1024
    async with ReductoClient(KEY, endless.url, max_page_bytes=cap) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError, match="too large") as err:
                await asyncio.wait_for(client.list_jobs(), GUARD)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "2 MB" in err.value.message
    assert peak < 4 * cap, f"peak {peak / 2**20:.1f} MB for a 2 MB cap"


async def test_an_endless_job_body_stops_at_its_own_cap(endless: HostileServer) -> None:
    async with ReductoClient(KEY, endless.url, max_job_bytes=1024 * 1024) as client:
        with pytest.raises(ResponseTooLargeError, match="1 MB cap"):
            await asyncio.wait_for(client.get_job("endless"), GUARD)
        # The cap is per kind of body: a good job on the same server still loads.
        assert (await client.get_job("good-1")).status == "Completed"
