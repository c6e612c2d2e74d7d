"""SVG snapshots of the look, from fixed-seed demo data at a frozen moment.

Update after an intended change of look: ``pytest tests/snapshots --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock
from tests.ui.conftest import AppPilot, make_app, settle, wait_loaded

#: The fixture's own annotation names only its first parameter; it takes the app and options.
SnapCompare = Callable[..., bool]


def app_at_frozen_time(theme: str | None = None) -> ReductoApp:
    clock = FakeClock()
    return make_app(
        Simulator(jobs=300, seed=7, clock=clock, arrival_interval=0), clock, theme=theme
    )


def the_app(pilot: AppPilot) -> ReductoApp:
    assert isinstance(pilot.app, ReductoApp)
    return pilot.app


async def loaded(pilot: AppPilot) -> None:
    await wait_loaded(pilot, the_app(pilot))


def test_main_screen_wide(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 40), run_before=loaded)


def test_main_screen_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(80, 24), run_before=loaded)


@pytest.mark.parametrize("theme", ["textual-light", "nord", "gruvbox"])
def test_main_screen_in_theme(snap_compare: SnapCompare, theme: str) -> None:
    """Header, table, cursor, marks and status line in a light and two dark themes."""

    async def run(pilot: AppPilot) -> None:
        await loaded(pilot)
        await pilot.press("down", "space", "down", "space", "down")

    app = app_at_frozen_time(theme=theme)
    assert snap_compare(app, terminal_size=(120, 20), run_before=run)


def test_filter_in_use(snap_compare: SnapCompare) -> None:
    async def run(pilot: AppPilot) -> None:
        await loaded(pilot)
        await pilot.press("slash", *"status:failed")

    assert snap_compare(app_at_frozen_time(), terminal_size=(120, 30), run_before=run)


def _open(type_: str) -> Callable[[AppPilot], Awaitable[None]]:
    async def run(pilot: AppPilot) -> None:
        app = the_app(pilot)
        await loaded(pilot)
        await pilot.press(*f"/type:{type_} status:completed", "enter")
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.press("right_square_bracket")  # the Result tab
        await pilot.pause(0.1)

    return run


def test_parse_detail(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 45), run_before=_open("parse"))


def test_split_detail(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 45), run_before=_open("split"))


async def _insight(pilot: AppPilot) -> None:
    from reducto_tui.ui.screens.insight import InsightScreen

    app = the_app(pilot)
    await loaded(pilot)
    await pilot.press("i")
    for _ in range(200):
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, InsightScreen) and not screen.fetching:
            break
    await pilot.pause(1.1)  # the next redraw has every detail in


def test_insight_wide(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 45), run_before=_insight)


def test_insight_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(app_at_frozen_time(), terminal_size=(80, 24), run_before=_insight)


async def _rerun(pilot: AppPilot) -> None:
    from reducto_tui.ui.screens.rerun import RerunScreen

    app = the_app(pilot)
    await loaded(pilot)
    await pilot.press("slash", *"status:failed", "enter", "R")
    await settle(pilot, lambda: isinstance(app.screen, RerunScreen) and app.screen.state == "ready")
    await pilot.pause(0.1)


async def _submit(pilot: AppPilot) -> None:
    from reducto_tui.ui.screens.submit import SubmitScreen

    app = the_app(pilot)
    await loaded(pilot)
    await pilot.press("u")
    await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))
    await pilot.pause(0.1)


def test_rerun_dialog_80x24(snap_compare: SnapCompare) -> None:
    """The buttons stay on screen; the highlighted job's messages show whole under the tree."""
    assert snap_compare(app_at_frozen_time(), terminal_size=(80, 24), run_before=_rerun)


def test_submit_dialog_80x24(snap_compare: SnapCompare) -> None:
    """The fields scroll; the buttons stay on screen."""
    assert snap_compare(app_at_frozen_time(), terminal_size=(80, 24), run_before=_submit)
