"""NO_COLOR=1 (https://no-color.org): the app starts and shows the jobs, in monochrome."""

from __future__ import annotations

import pytest

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, wait_loaded


async def test_no_color_shows_the_job_list(
    sim: Simulator, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(sim, clock)
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("down", "space", "c")  # a dialog over the table
        await pilot.pause(0.2)
        lines = screen_lines(app)
        assert any("Cancel" in line for line in lines)
        await pilot.press("escape")
        await pilot.pause(0.2)
        lines = screen_lines(app)
        first = app.store.view.rows[0]
        assert "Status" in lines[1] and first.job_id[:8] in "\n".join(lines)
        await pilot.press("enter")  # the detail, full screen at this width, every tab
        await pilot.pause(0.3)
        for _ in range(4):
            await pilot.press("right_square_bracket")
            await pilot.pause(0.2)
        assert "Raw JSON" in "\n".join(screen_lines(app))
    assert app.return_code in (None, 0)
