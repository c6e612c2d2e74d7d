"""A job id holding terminal escapes is shown escaped everywhere and never copied raw
(issue 13, item 1, the UI side)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, toasts, wait_loaded

TITLE = "ab\x1b]0;T\x1b\\cd"
CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"


def sim_with_id(clock: FakeClock, job_id: str) -> Simulator:
    sim = Simulator(jobs=10, seed=2, clock=clock, arrival_interval=0)
    job = sim.create("Parse", {"input": "https://x/evil.pdf"})
    del sim.by_id[job.job_id]
    job.job_id = job_id
    sim.by_id[job_id] = job
    return sim


def no_raw_escape(app: ReductoApp) -> None:
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg
    for toast in toasts(app):
        assert "\x1b" not in toast and "\x07" not in toast


@pytest.mark.parametrize("job_id", [TITLE, CLIPBOARD])
async def test_table_and_copy_show_the_escaped_id_and_copy_nothing_raw(
    clock: FakeClock, job_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(sim_with_id(clock, job_id), clock)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        assert app.main.table.current is not None and app.main.table.current.job_id == job_id
        assert "\\x1b" in screen_lines(app)[2]
        no_raw_escape(app)
        await pilot.press("y")
        await pilot.pause()
        assert copied == [], "an id with control characters is not put on the clipboard"
        messages = toasts(app)
        assert any("\\x1b" in m and "Not copied" in m for m in messages), messages
        no_raw_escape(app)


async def test_dialogs_and_toasts_escape_the_id(clock: FakeClock, tmp_path: Path) -> None:
    sim = sim_with_id(clock, TITLE)
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "ab\\x1b]0;" in "\n".join(screen_lines(app))
        no_raw_escape(app)
        await pilot.press("n", "ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        no_raw_escape(app)
        # The id holds a backslash, so the client refuses to put it in a path: export says so.
        await pilot.press("escape", "e")
        await settle(pilot, lambda: any("could not load the job" in m for m in toasts(app)))
        assert any("x1b]0;T" in m for m in toasts(app)), toasts(app)  # escaped, not raw
        no_raw_escape(app)
        app.notify(f"Server said: {CLIPBOARD}")  # any toast quoting the server
        await pilot.pause()
        no_raw_escape(app)
        app.store.toggle_mark(TITLE)
        sim.by_id[TITLE].cancelled_at = clock()  # it finishes: the watched-job toast
        app.poller.refresh_now()
        app.main.poll()
        await settle(pilot, lambda: any(" is " in m for m in toasts(app)))
        assert any("ab\\x1b]0;" in m and " is Cancelled" in m for m in toasts(app)), toasts(app)
        no_raw_escape(app)
