"""The footer says what the keys do now: help and quit always stay, pause reads "Resume"
while paused, and read-only mode answers the keys it disables (testers, issue 15)."""

from __future__ import annotations

import pytest

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock
from tests.ui.conftest import AppPilot, make_app, screen_lines, settle, toasts, wait_loaded


@pytest.mark.parametrize("width", [80, 90, 100])
async def test_help_and_quit_stay_in_a_narrow_footer(
    sim: Simulator, clock: FakeClock, width: int
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.2)
        footer = screen_lines(app)[-1]
        assert footer.rstrip().endswith("? Help  q Quit"), footer
        assert len(footer) <= width
        await pilot.press("enter")  # the full-screen detail's footer too
        await pilot.pause(0.3)
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "q Quit" in footer, footer


async def test_pause_reads_resume_while_paused(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.2)
        assert "p Pause" in screen_lines(app)[-1]
        await pilot.press("p")
        await settle(pilot, lambda: "p Resume" in screen_lines(app)[-1])
        assert "p Pause" not in screen_lines(app)[-1]
        await pilot.press("p")
        await settle(pilot, lambda: "p Pause" in screen_lines(app)[-1])


async def test_read_only_answers_cancel_and_delete_keys(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, read_only=True)
    async with app.run_test(size=(160, 30), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        await settle(pilot, lambda: any("cancel is disabled" in t for t in toasts(app)))
        assert not app.screen.is_modal
        await pilot.press("ctrl+d")
        await settle(pilot, lambda: any("delete is disabled" in t for t in toasts(app)))
        assert not app.screen.is_modal
        assert "Cancel" not in screen_lines(app)[-1]  # still not offered in the footer


async def footer_once_loaded(pilot: AppPilot, app: ReductoApp) -> str:
    await wait_loaded(pilot, app)
    await pilot.pause(0.2)
    return screen_lines(app)[-1]


async def test_a_wide_footer_offers_next_page_rerun_submit_and_copy(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 30)) as pilot:
        footer = await footer_once_loaded(pilot, app)
        for entry in ("n Next page", "R Re-run", "u Submit", "y Copy ID"):
            assert entry in footer, footer
        assert footer.rstrip().endswith("? Help  q Quit"), footer
        await pilot.press("a")  # every page: nothing left for "n"
        await settle(pilot, lambda: "n Next page" not in screen_lines(app)[-1])
        assert "R Re-run" in screen_lines(app)[-1]
        read_only = make_app(sim, clock, read_only=True)
    async with read_only.run_test(size=(160, 30)) as pilot:
        footer = await footer_once_loaded(pilot, read_only)
        assert "y Copy ID" in footer and "R Re-run" not in footer and "u Submit" not in footer
