"""The list shows what is new and the cursor stays where the user put it (issue 11 defect 3,
issue 12 "the cursor stays put")."""

from __future__ import annotations

import asyncio

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock
from tests.ui.conftest import AppPilot, make_app, screen_lines, settle, wait_loaded


def add_jobs(sim: Simulator, n: int) -> list[str]:
    return [sim.create("Parse", {"input": f"https://x/new-{k}.pdf"}).job_id for k in range(n)]


async def refresh(pilot: AppPilot, app: ReductoApp, rows: int) -> None:
    app.poller.refresh_now()
    app.main.poll()
    await settle(pilot, lambda: len(app.store.rows) == rows)
    await pilot.pause()


async def test_on_the_top_row_new_jobs_show_and_the_newest_is_highlighted(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        assert app.main.table.cursor == 0
        new = add_jobs(sim, 5)
        await refresh(pilot, app, 55)
        assert app.main.table.scroll_offset.y == 0
        assert app.main.table.current is not None and app.main.table.current.job_id == new[-1]
        assert new[-1][:8] in screen_lines(app)[2]  # the first row under the column titles


async def test_scrolled_away_the_view_stays_and_says_how_many_are_new(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press(*["down"] * 30)
        job = app.main.table.current
        top_before = int(app.main.table.scroll_offset.y)
        assert job is not None and top_before > 0
        first_shown = app.store.view.rows[top_before].job_id[:8]
        assert first_shown in screen_lines(app)[2]
        loaded = len(app.store.rows)  # moving down may have loaded the next page already
        add_jobs(sim, 3)
        await refresh(pilot, app, loaded + 3)
        assert app.main.table.current is job
        assert first_shown in screen_lines(app)[2], "what the user looks at does not move"
        assert "↑ 3 new (home)" in screen_lines(app)[1], "the whole marker, not cut by the gutter"
        await pilot.press("home")
        await pilot.pause()
        assert app.main.table.scroll_offset.y == 0 and app.main.table.cursor == 0
        assert "new" not in screen_lines(app)[1]


async def test_a_new_filter_or_sort_starts_at_the_top(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, page_size=300)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press(*["down"] * 120)
        assert app.main.table.scroll_offset.y > 50
        await pilot.press("slash", *"-status:cancelled", "enter")
        await pilot.pause()
        assert app.main.table.cursor == 0 and app.main.table.scroll_offset.y == 0
        await pilot.press(*["down"] * 80, "s")
        await pilot.pause()
        assert app.main.table.cursor == 0 and app.main.table.scroll_offset.y == 0


class Gate(httpx.AsyncBaseTransport):
    """The demo server, but list requests wait until the test opens the gate."""

    def __init__(self, sim: Simulator) -> None:
        self.inner = httpx.ASGITransport(app=create_app(sim))
        self.open = asyncio.Event()
        self.open.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jobs":
            await self.open.wait()
        return await self.inner.handle_async_request(request)


async def test_a_refresh_landing_while_the_cursor_moves_does_not_snap_it_back(
    sim: Simulator, clock: FakeClock
) -> None:
    gate = Gate(sim)

    async def no_sleep(s: float) -> None:
        return None

    client = ReductoClient("k", "http://demo.test", transport=gate, sleep=no_sleep)
    settings = Settings(base_url="http://demo.test", page_size=50)
    app = ReductoApp(settings, client=client, clock=clock, auto_refresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press(*["down"] * 5)
        gate.open.clear()
        add_jobs(sim, 2)
        app.poller.refresh_now()
        app.main.poll()  # the refresh waits at the gate...
        await pilot.pause(0.05)
        await pilot.press("down", "down", "down")  # ...while the user moves on
        target = app.main.table.current
        assert target is not None
        gate.open.set()
        await settle(pilot, lambda: len(app.store.rows) == 52)
        await pilot.pause()
        assert len(app.store.rows) == 52
        assert app.main.table.current is target, "the cursor stays on the row the user moved to"


async def test_new_jobs_never_swap_the_job_open_in_the_focused_pane(
    sim: Simulator, clock: FakeClock
) -> None:
    """Wide layout, cursor on the top row, focus in the detail: new jobs arrive and move
    the highlight, but the open job (the target of c, e, y, ctrl+d) stays the same."""
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        opened = app.main.table.current
        assert opened is not None and app.main.table.cursor == 0
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        assert app.main.detail.has_focus_within
        add_jobs(sim, 3)
        await refresh(pilot, app, 53)
        await pilot.pause(0.5)  # longer than the pane's follow delay
        highlighted = app.main.table.current
        assert highlighted is not None and highlighted.job_id != opened.job_id
        assert app.main.open_job == opened.job_id and app.main.detail.job_id == opened.job_id
        await pilot.press("escape")  # back in the table, the pane catches up
        await settle(pilot, lambda: app.main.detail.job_id == highlighted.job_id, rounds=50)
        assert app.main.open_job == highlighted.job_id


async def test_the_new_marker_leaves_every_other_column_title_whole(
    sim: Simulator, clock: FakeClock
) -> None:
    for width in (80, 100, 160):
        app = make_app(sim, clock)
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause()
            titles = [t for t in screen_lines(app)[1].split("  ") if t.strip()]
            await pilot.press(*["down"] * 30)
            loaded = len(app.store.rows)
            add_jobs(sim, 2)
            await refresh(pilot, app, loaded + 2)
            header = screen_lines(app)[1]
            assert "↑" in header and "new" in header, header
            for title in titles:
                if "Source" not in title:
                    assert title.strip() in header, (width, title, header)
            await pilot.click(offset=(header.index("↑") + 1, 1))  # the marker jumps to the top
            await pilot.pause()
            assert app.main.table.cursor == 0 and "↑" not in screen_lines(app)[1]


async def test_closing_the_full_screen_detail_returns_to_its_job(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        opened = app.main.table.current
        assert opened is not None and app.main.table.cursor == 0
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        add_jobs(sim, 3)
        await refresh(pilot, app, len(app.store.rows) + 3)
        await pilot.press("escape")
        await pilot.pause(0.2)
        current = app.main.table.current
        assert current is not None and current.job_id == opened.job_id
        assert opened.job_id[:8] in "\n".join(screen_lines(app))
