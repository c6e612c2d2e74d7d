"""Loading every page repaints a few times a second, not once per page; exporting a list
runs off the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.strip import Strip

from reducto_tui.api.listing import ListedPage
from reducto_tui.core.store import Changes
from reducto_tui.demo.simulator import Simulator
from reducto_tui.export import render_list_chunks
from reducto_tui.ui.cadence import LOADING_REPAINT
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import make_app, settle, wait_loaded
from tests.ui.test_actions import export_with_defaults


async def test_load_all_repaints_on_a_cadence_not_per_page(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = Simulator(jobs=1200, seed=3, clock=clock, arrival_interval=0)
    app = make_app(sim, clock, page_size=10)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        repaints: list[int] = []
        refresh_rows = app.main.table.refresh_rows

        def counting() -> None:
            repaints.append(len(app.store.rows))
            refresh_rows()

        monkeypatch.setattr(app.main.table, "refresh_rows", counting)
        start = time.monotonic()
        await pilot.press("a")
        await settle(pilot, lambda: not app.main.loading_all and not app.store.next_cursor, 500)
        elapsed = time.monotonic() - start
        pages = app.store.pages_loaded - 1
        assert len(app.store.rows) == 1200 and pages == 119
        # At most one repaint per LOADING_REPAINT s (plus the first page's and the last two:
        # the last page's and the end of loading), however fast the pages came.
        assert len(repaints) <= elapsed / LOADING_REPAINT + 4
        assert len(repaints) < pages / 2
        assert repaints[-1] == 1200  # the final repaint shows everything
        assert app.main.table.virtual_size.height == 1201
        assert "all 1,200 loaded" in static_text(app.main.status_line)


async def test_load_all_does_not_paint_the_table_per_page(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted where the frame is made (the compositor asking the table for its lines), so
    a repaint requested by anything, the view's change listener included, counts."""
    sim = Simulator(jobs=1200, seed=3, clock=clock, arrival_interval=0)
    app = make_app(sim, clock, page_size=10)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        paints: list[int] = []
        render_lines = app.main.table.render_lines

        def counting(crop: Region) -> list[Strip]:
            paints.append(len(app.store.rows))
            return render_lines(crop)

        monkeypatch.setattr(app.main.table, "render_lines", counting)
        await pilot.press("a")
        await settle(pilot, lambda: not app.main.loading_all and not app.store.next_cursor, 500)
        await pilot.pause()
        assert len(app.store.rows) == 1200
        painted_while_loading = [n for n in paints if n < 1200]
        # The cadence (a slow, shared machine stretches the load, so more frames fit in),
        # the first page's frame and relayouts when the load bar appears and goes: far
        # from one frame for each of the 119 pages (the view's listener painted 49).
        assert len(painted_while_loading) < 119 / 4
        assert paints and paints[-1] == 1200


async def test_chrome_updates_do_not_repaint_the_table(
    sim: Simulator, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header follows the screen's counters (a page's "updated", the second's tick):
    it redraws its own line, not the whole screen with the table in it (issue 14: a full
    repaint per page while loading and per second)."""
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause()
        paints: list[int] = []
        render_lines = app.main.table.render_lines

        def counting(crop: Region) -> list[Strip]:
            paints.append(1)
            return render_lines(crop)

        monkeypatch.setattr(app.main.table, "render_lines", counting)
        app.main.last_updated = clock() + 1  # what each page while loading sets
        app.main.ticks += 1  # what each second sets
        await pilot.pause()
        assert paints == []


async def test_load_all_keeps_the_cursor_on_its_job_when_rows_arrive_above(
    clock: FakeClock,
) -> None:
    sim = Simulator(jobs=400, seed=3, clock=clock, arrival_interval=0)
    app = make_app(sim, clock, page_size=20)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("s", "s", "s")  # sort by source: later pages land above the cursor
        await pilot.press("down", "down", "down")
        job = app.main.table.current.job_id if app.main.table.current else None
        await pilot.press("a")
        await settle(pilot, lambda: not app.main.loading_all and not app.store.next_cursor, 500)
        assert app.main.table.current is not None and app.main.table.current.job_id == job


async def test_exporting_a_list_does_not_block_the_event_loop(
    sim: Simulator, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendering: dict[str, bool | None] = {"on_loop": None}

    def slow_render(*args: Any) -> Iterator[str]:
        try:
            asyncio.get_running_loop()
            rendering["on_loop"] = True
        except RuntimeError:
            rendering["on_loop"] = False
        time.sleep(0.3)  # as long as 100k rows take
        return render_list_chunks(*args)

    monkeypatch.setattr("reducto_tui.export.render_list_chunks", slow_render)
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await export_with_defaults(pilot, app, "ctrl+s")
        await settle(pilot, lambda: rendering["on_loop"] is not None)
        assert rendering["on_loop"] is False
        await settle(pilot, lambda: any(tmp_path.glob("*.csv")))
        (csv,) = tmp_path.glob("*.csv")
        assert len(csv.read_text().splitlines()) == len(app.store.view) + 1


async def test_load_all_asks_for_the_next_page_before_taking_one_in(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server works on page k+1 while the app puts page k in the store."""
    sim = Simulator(jobs=200, seed=3, clock=clock, arrival_interval=0)
    app = make_app(sim, clock, page_size=20)
    events: list[str] = []
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        list_page, add_page = app.client.list_page, app.store.add_page

        async def asking(cursor: str | None, *args: Any) -> ListedPage:
            events.append("ask")
            return await list_page(cursor, *args)

        def taking(*args: Any, **kwargs: Any) -> Changes:
            events.append("take")
            return add_page(*args, **kwargs)

        monkeypatch.setattr(app.client, "list_page", asking)
        monkeypatch.setattr(app.store, "add_page", taking)
        await pilot.press("a")
        await settle(pilot, lambda: not app.main.loading_all and not app.store.next_cursor, 500)
    assert len(app.store.rows) == 200
    # Pages 2..10: one request always ahead of the store.
    assert events == ["ask"] + ["ask", "take"] * 8 + ["take"]
