"""The dialogs fit an 80x24 terminal: their buttons, border and labels stay on screen however
long the list of jobs they name (found by testers, issue 15)."""

from __future__ import annotations

from textual.pilot import Pilot

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, wait_loaded


def many_running(clock: FakeClock) -> Simulator:
    sim = Simulator(jobs=30, seed=2, clock=clock, arrival_interval=0)
    for k in range(14):
        sim.create("Parse", {"input": f"https://x/run-{k}.pdf"})
    return sim


async def mark_and_hide(pilot: Pilot[None], app: ReductoApp) -> None:
    """Twelve marked jobs on screen and more marked ones the filter hides."""
    await wait_loaded(pilot, app)
    await pilot.press(*["space"] * 24)
    await pilot.press("slash", *"run-1", "enter")  # hides most of the marked jobs
    await pilot.pause()
    assert app.store.visible_marks() and app.store.hidden_marks()


def dialog_box(lines: list[str]) -> list[str]:
    """The lines of the dialog, from its top border to its bottom border (both included)."""
    top = next(n for n, line in enumerate(lines) if "▀▀▀▀▀▀" in line)
    bottom = next(n for n in range(len(lines) - 1, top, -1) if "▄▄▄▄▄▄" in lines[n])
    return lines[top : bottom + 1]


async def test_cancel_dialog_with_hidden_marks_shows_its_buttons_at_80x24(
    clock: FakeClock,
) -> None:
    app = make_app(many_running(clock), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await mark_and_hide(pilot, app)
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConfirmScreen)
        box = dialog_box(screen_lines(app))
        assert any("No" in line and "Cancel jobs" in line for line in box[-4:]), "\n".join(box)
        assert any("Also cancel the" in line for line in box), "\n".join(box)


async def test_delete_dialog_keeps_its_border_and_its_labels_at_80x24(clock: FakeClock) -> None:
    app = make_app(many_running(clock), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await mark_and_hide(pilot, app)
        await pilot.press("ctrl+d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DeleteScreen)
        lines = screen_lines(app)
        box = dialog_box(lines)
        assert box[0].count("▀") >= 60 and box[-1].count("▄") >= 60, "\n".join(lines)
        text = "\n".join(box)
        assert "include_persisted)" in text, text  # the checkbox label is whole
        assert "Cancel" in text and "Delete" in box[-3] + box[-2] + box[-4], text
