"""The open detail's relative times move on while it stays open (testers, issue 15)."""

from __future__ import annotations

from textual.widgets import Static

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import make_app, settle, wait_loaded


async def test_created_age_in_the_open_detail_follows_the_clock(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        pane = app.main.detail
        await settle(pilot, lambda: pane.detail is not None)
        summary = pane.query_one("#summary", Static)
        before = static_text(summary)
        assert "ago" in before or "just now" in before, before
        clock.advance(3 * 3600)
        await settle(pilot, lambda: static_text(summary) != before, rounds=150)
        after = static_text(summary)
        assert "hours ago" in after, after
