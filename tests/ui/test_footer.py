"""The footer says what the keys do now: help and quit always stay, pause reads "Resume"
while paused, and read-only mode answers the keys it disables (testers, issue 15)."""

from __future__ import annotations

import pytest

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, toasts, wait_loaded


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
