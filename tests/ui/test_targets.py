"""Every action hits what has the focus: the highlighted row, the visible marks, or the open
job when its pane has the focus (issue 11, defects 1, 2 and 9)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.widgets.key_bar import KeyBar
from tests.conftest import FakeClock
from tests.plain import plain
from tests.ui.conftest import make_app, screen_lines, settle, toasts, wait_loaded


def running_sim(clock: FakeClock, n: int = 6) -> tuple[Simulator, list[str]]:
    sim = Simulator(jobs=30, seed=2, clock=clock, arrival_interval=0)
    fresh = [sim.create("Parse", {"input": f"https://x/run-{k}.pdf"}).job_id for k in range(n)]
    return sim, fresh[::-1]  # newest first, as the table shows them


def pane_has_focus(app: ReductoApp) -> bool:
    return app.focused is not None and app.main.detail in app.focused.ancestors_with_self


async def test_wide_layout_actions_hit_the_highlighted_row_not_the_open_job(
    clock: FakeClock, tmp_path: Path
) -> None:
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        job_a = app.main.table.current
        assert job_a is not None and job_a.job_id == fresh[0]
        await pilot.press("enter")  # A opens beside the list
        await settle(pilot, lambda: app.main.detail.detail is not None)
        if not app.main.table.has_focus:
            await pilot.press("escape")  # back to the table, A stays open
        await pilot.press("down", "down", "down", "c")  # c at once: before the pane follows
        await pilot.pause()
        job_b = app.main.table.current
        assert job_b is not None and job_b.job_id == fresh[3]
        assert isinstance(app.screen, ConfirmScreen)
        body = plain(app.screen.body)
        assert job_b.job_id[:8] in body and job_a.job_id[:8] not in body
        await pilot.press("n")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        names = plain(app.screen.body)
        assert job_b.job_id[:8] in names and job_a.job_id[:8] not in names
        await pilot.press("escape")
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert isinstance(app.screen, ExportScreen) and app.screen.job_id == job_b.job_id
        await pilot.press("escape")
        await pilot.press("y")
        await pilot.pause()
        copied = [m for m in toasts(app) if "Copied job id" in m]
        assert copied and job_b.job_id in copied[-1]


async def test_with_the_detail_focused_actions_hit_the_open_job(clock: FakeClock) -> None:
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None and pane_has_focus(app))
        assert pane_has_focus(app), "enter moves the focus into the pane"
        app.main.table.set_cursor(4)  # the cursor moves under the pane (a click, say)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = plain(app.screen.body)
        assert fresh[0][:8] in body and fresh[4][:8] not in body


async def test_hidden_marks_are_named_and_the_highlighted_job_is_the_target(
    clock: FakeClock,
) -> None:
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        done = next(r for r in app.store.view.rows if r.kind.value == "completed")
        app.main.table.set_cursor(app.store.view.index_of(done.job_id) or 0)
        await pilot.press("space")  # mark a finished job
        await pilot.press("1")  # only queued: the mark is hidden now
        await pilot.pause()
        highlighted = app.main.table.current
        assert highlighted is not None and highlighted.kind.value == "queued"
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "not 'Nothing to cancel' about the mark"
        body = plain(app.screen.body)
        assert highlighted.job_id[:8] in body
        assert "1 marked jobs are hidden by the filter" in body and done.job_id[:8] in body
        await pilot.press("y")
        await settle(pilot, lambda: "Cancelled 1" in toasts(app))
        assert sim.by_id[highlighted.job_id].cancelled_at is not None
        assert sim.by_id[done.job_id].cancelled_at is None, "the hidden mark was left alone"


async def test_space_marks_only_in_the_table(clock: FakeClock) -> None:
    sim, _ = running_sim(clock)
    for size in ((160, 40), (100, 30)):  # the pane beside the list, then full screen
        app = make_app(sim, clock)
        async with app.run_test(size=size) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("enter")

            def opened(a: ReductoApp = app) -> bool:
                return a.main.detail.detail is not None

            await settle(pilot, opened)
            if not pane_has_focus(app):
                await pilot.press("tab")  # however the user got into the pane
            assert pane_has_focus(app)
            await pilot.press("space")
            await pilot.pause()
            assert not app.store.marks, size


async def test_read_only_hides_cancel_and_delete_everywhere(clock: FakeClock) -> None:
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock, read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.2)
        footer = screen_lines(app)[-1]
        assert "Export" in footer and "Cancel" not in footer
        assert all(label != "Cancel" for _key, label in app.query_one(KeyBar).entries())
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith(("Cancel", "Delete")) for t in titles), titles
        assert any(t.startswith("Export") for t in titles)
        await pilot.press("c", "ctrl+d")
        await pilot.pause()
        assert not app.screen.is_modal
        assert all(sim.by_id[j].cancelled_at is None for j in fresh)


async def test_palette_describes_actions(clock: FakeClock) -> None:
    sim, _ = running_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert helps["Cancel (c)"] == "Cancel the job(s) in focus (asks first)"
        assert not any(h.startswith("Runs '") for h in helps.values())


async def test_export_dialog_from_the_detail_names_the_open_job(
    clock: FakeClock, tmp_path: Path
) -> None:
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")  # full screen below 140 columns
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert isinstance(app.screen, ExportScreen)
        assert fresh[0][:8] in app.screen.query_one("#path", Input).value


def first_row(app: ReductoApp) -> str:
    """The table's first row as drawn: the line under the column titles."""
    lines = screen_lines(app)
    return lines[next(n for n, x in enumerate(lines) if "Job ID" in x) + 1]


async def test_a_job_arriving_above_the_cursor_before_a_frame_is_not_the_target(
    clock: FakeClock,
) -> None:
    """On the top row the cursor follows new jobs (the newest is highlighted), but a key
    pressed before that frame is drawn means the job the user saw highlighted (issue 26,
    defect 5: ``o`` after a filter change hit a row that had just arrived on top)."""
    sim, fresh = running_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"source:run-", "enter")
        await pilot.pause()
        seen = app.main.table.current
        assert seen is not None and seen.job_id == fresh[0]
        assert seen.job_id[:8] in first_row(app)
        arrived = sim.create("Parse", {"input": "https://x/run-new.pdf"}).job_id
        page = await app.client.list_jobs(limit=50)
        # From here to the actions nothing yields to the event loop: no frame is drawn.
        app.store.merge_first_page(page.jobs)
        current = app.main.table.current
        assert current is not None and current.job_id == arrived  # the cursor followed
        app.main.action_copy_id()
        assert app.clipboard == seen.job_id
        app.main.action_cancel()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = plain(app.screen.body)
        assert seen.job_id[:8] in body and arrived[:8] not in body
        await pilot.press("n")
        await pilot.pause()
        # Drawn now: the new job is on top and highlighted, and keys hit it.
        assert arrived[:8] in first_row(app)
        await pilot.press("y")
        assert app.clipboard == arrived
