"""A server that hangs a request (the hostile demo's drip case) as the user sees it: the
header says we are waiting instead of "● live", and ``r`` starts a fresh refresh at once
instead of waiting out the stuck one's 30 s deadline (issue 12)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.hostile import HostileServer
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock
from tests.ui.conftest import screen_lines, settle, wait_loaded

WAITING = re.compile(r"waiting for the server \((\d+) s\)")


class Monotonic:
    """The client's clock: real time, plus whatever the test skips ahead."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer(drip_interval=0.2) as server:
        yield server


def live_app(server: HostileServer, clock: FakeClock, monotonic: Monotonic) -> ReductoApp:
    """Live refresh on (so the header says "live"), but no automatic round in the test."""
    settings = Settings.model_validate(
        {"base_url": server.url, "api_key": "ui-SECRET-key", "refresh_interval": 3600}
    )
    client = ReductoClient("ui-SECRET-key", server.url, monotonic=monotonic)
    return ReductoApp(settings, client=client, clock=clock)


async def test_header_says_waiting_while_the_first_page_drips(
    hostile: HostileServer, clock: FakeClock
) -> None:
    hostile.jobs_case = "drip"
    monotonic = Monotonic()
    app = live_app(hostile, clock, monotonic)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause(0.3)
        # A request just sent is not slow yet, but nothing has arrived: not "live" either.
        assert "● connecting…" in screen_lines(app)[0]
        monotonic.skipped = 10.0  # the drip has gone on for ten seconds
        await settle(pilot, lambda: WAITING.search(screen_lines(app)[0]) is not None, rounds=40)
        header = screen_lines(app)[0]
        found = WAITING.search(header)
        assert found is not None, header
        assert int(found[1]) >= 10
        assert "● live" not in header


async def test_r_replaces_a_refresh_stuck_on_a_dripping_server(
    hostile: HostileServer, clock: FakeClock
) -> None:
    monotonic = Monotonic()
    app = live_app(hostile, clock, monotonic)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: "updated just now" in screen_lines(app)[0])
        hostile.jobs_case = "drip"
        await pilot.press("r")  # this refresh hangs on the dripping list
        await pilot.pause(0.3)
        clock.advance(600)
        monotonic.skipped = 10.0
        await settle(pilot, lambda: WAITING.search(screen_lines(app)[0]) is not None, rounds=40)
        assert "updated 10 minutes ago" in screen_lines(app)[0]

        hostile.jobs_case = "normal"  # the server recovers; the stuck request does not
        monotonic.skipped = 0.0
        await pilot.press("r")
        await settle(pilot, lambda: "updated just now" in screen_lines(app)[0], rounds=100)
        header = screen_lines(app)[0]
        assert "● live" in header and "updated just now" in header, header
        assert WAITING.search(header) is None
