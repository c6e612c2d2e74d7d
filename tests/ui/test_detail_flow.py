"""Into the detail and back by keyboard, at any width (issue 11, defects 4, 5 and 6)."""

from __future__ import annotations

from textual.widgets import TabbedContent, Tabs

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.job_table import JobTable
from reducto_tui.ui.widgets.result_tree import ResultTree
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, wait_loaded


def detail_screens(app: ReductoApp) -> int:
    return sum(isinstance(s, DetailScreen) for s in app.screen_stack)


def completed_parse_index(app: ReductoApp) -> int:
    return next(
        n
        for n, r in enumerate(app.store.view.rows)
        if r.type == "Parse" and r.kind.value == "completed"
    )


async def test_enter_in_the_full_screen_detail_opens_nothing_more(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.press("enter", "enter")
        await pilot.pause(0.2)
        assert detail_screens(app) == 1
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert detail_screens(app) == 0 and app.main.table.has_focus


async def test_fast_enter_escape_never_leaves_a_blank_screen(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        first = app.main.table.current
        assert first is not None
        await pilot.press("enter", "escape", "enter", "escape", "enter", "escape")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert detail_screens(app) == 0 and app.main.open_job is None
        assert app.main.table.has_focus
        assert any(first.job_id[:8] in line for line in screen_lines(app))


async def test_crossing_the_width_threshold_keeps_the_job_and_tab(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        job = app.main.table.current
        assert job is not None
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        app.main.detail.query_one(TabbedContent).active = "tab-raw"
        await pilot.pause()
        await pilot.resize_terminal(90, 30)
        await settle(pilot, lambda: detail_screens(app) == 1)
        assert isinstance(app.screen, DetailScreen)
        pane = app.screen.query_one(DetailPane)
        await settle(pilot, lambda: pane.detail is not None)
        assert pane.job_id == job.job_id and pane.query_one(TabbedContent).active == "tab-raw"
        assert "Created" not in screen_lines(app)[1], "the list is not squeezed beside it"
        await pilot.resize_terminal(160, 40)
        await settle(pilot, lambda: detail_screens(app) == 0 and app.main.detail.parent is not None)
        assert detail_screens(app) == 0
        pane = app.query_one(DetailPane)
        await settle(pilot, lambda: pane.detail is not None)
        assert pane.job_id == job.job_id and pane.query_one(TabbedContent).active == "tab-raw"
        assert app.query_one(JobTable).display


async def test_keyboard_into_the_pane_tabs_and_back(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, page_size=100)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        app.main.table.set_cursor(completed_parse_index(app))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.pause(0.1)
        pane = app.main.detail
        focused = app.focused
        assert focused is not None and pane in focused.ancestors_with_self
        assert not isinstance(focused, Tabs), "focus goes to content, not the tab bar"
        await pilot.press("right_square_bracket")
        await pilot.pause(0.1)
        assert pane.query_one(TabbedContent).active == "tab-result"
        tree = pane.query_one(ResultTree)
        assert app.focused is tree and tree.cursor_line == 0, "the tree has a cursor"
        await pilot.press("tab")
        await pilot.pause(0.1)
        assert pane.query_one(TabbedContent).active == "tab-page"
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause(0.1)
        assert pane.query_one(TabbedContent).active == "tab-summary"
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.table.has_focus and app.main.open_job is not None


async def test_focus_is_visible(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.pause(0.1)
        in_pane = app.main.detail.styles.border_left
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.main.table.has_focus and app.main.detail.parent is not None
        assert app.main.detail.styles.border_left != in_pane, "the pane's edge shows where focus is"


async def test_the_wide_pane_follows_the_cursor(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.press("escape", "down", "down")
        row = app.main.table.current
        assert row is not None
        await settle(pilot, lambda: app.main.detail.job_id == row.job_id, rounds=50)
        assert app.main.detail.job_id == row.job_id and app.main.open_job == row.job_id
