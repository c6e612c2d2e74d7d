"""Cancel, delete and export from the keyboard, against the demo server."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Checkbox, Input, Static

from reducto_tui.demo.simulator import Simulator
from reducto_tui.render.status import GLYPHS
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from reducto_tui.ui.screens.export import ExportScreen
from tests.conftest import FakeClock
from tests.plain import plain, static_text
from tests.ui.conftest import AppPilot, make_app, settle, toasts, wait_loaded


async def export_with_defaults(pilot: AppPilot, app: ReductoApp, key: str) -> None:
    """Open the export dialog with ``key`` and accept its proposed format and path."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, ExportScreen)
    app.screen.query_one("#path", Input).focus()
    await pilot.press("enter")


def active_sim(clock: FakeClock) -> tuple[Simulator, list[str]]:
    sim = Simulator(jobs=30, seed=2, clock=clock, arrival_interval=0)
    fresh = [sim.create("Parse", {"input": f"https://x/{n}.pdf"}).job_id for n in range(3)]
    return sim, fresh


async def test_cancel_asks_first_and_no_is_the_default(clock: FakeClock) -> None:
    sim, fresh = active_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.main.table.current is not None and app.main.table.current.job_id == fresh[-1]
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert fresh[-1][:8] in plain(app.screen.body)
        await pilot.press("enter")  # the focused button is "No"
        await pilot.pause()
        assert sim.by_id[fresh[-1]].cancelled_at is None
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        assert sim.by_id[fresh[-1]].status(clock()) == "Cancelled"
        # The cancel is verified with GET /job, which in v1.12.20 reads a cancelled job as
        # Failed + JOB_CANCELLED: the row must still show it as cancelled.
        row = app.store.by_id[fresh[-1]]
        await settle(pilot, lambda: row.kind.value == "cancelled")
        assert row.kind.value == "cancelled" and row.local is None


async def test_the_delete_dialog_names_a_cancelled_job_cancelled(clock: FakeClock) -> None:
    sim, fresh = active_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        row = app.store.by_id[fresh[-1]]
        await settle(pilot, lambda: row.kind.value == "cancelled")
        # v1.12.20 reads the job back as Failed + JOB_CANCELLED: the table says Cancelled,
        # and so must the dialog that lists it.
        assert row.status == "Failed"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        names = static_text(app.screen.query_one("#names", Static))
        assert f"{fresh[-1][:8]}  Cancelled" in names and "Failed" not in names


async def test_bulk_cancel_names_hidden_marks_and_includes_them_only_when_asked(
    clock: FakeClock,
) -> None:
    sim, fresh = active_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        finished = [r for r in app.store.rows if r.kind.value == "completed"][:2]
        for job_id in [*fresh, *(r.job_id for r in finished)]:
            app.store.toggle_mark(job_id)
        sim.by_id.pop(fresh[0])  # the server no longer knows this one: its cancel fails
        await pilot.press("slash", *"status:completed", "enter")  # hide the marked pending jobs
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = plain(app.screen.body)
        assert "Nothing in view can be cancelled" in body and "Skipped, already finished: 2" in body
        assert "3 marked jobs are hidden by the filter" in body
        assert all(job_id[:8] in body for job_id in fresh), "the dialog names the hidden jobs"
        await pilot.press("y")  # not included by default: nothing is sent
        await pilot.pause(0.2)
        assert all(sim.by_id[j].cancelled_at is None for j in fresh[1:])
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        app.screen.query_one("#include", Checkbox).value = True
        await pilot.press("y")
        await settle(
            pilot, lambda: not app.store.marks - {fresh[0], finished[0].job_id, finished[1].job_id}
        )
        await pilot.pause(0.1)
        messages = toasts(app)
        assert any(
            "Cancelled 2, skipped 2 (already finished), failed 1 (" in m for m in messages
        ), messages
        assert fresh[0] in app.store.marks, "a failed cancel keeps its mark"
        assert app.store.by_id[fresh[0]].local is None


async def test_read_only_disables_mutations(clock: FakeClock) -> None:
    sim, fresh = active_sim(clock)
    app = make_app(sim, clock, read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("c")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert not app.screen.is_modal
        assert "READ-ONLY" in static_text(app.main.header)
        assert all(sim.by_id[j].cancelled_at is None for j in fresh)


async def test_delete_needs_the_word_and_shows_deleted(clock: FakeClock) -> None:
    sim, _ = active_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        target = app.main.table.current
        assert target is not None
        counted = f"{GLYPHS[target.kind]} {app.store.counts[target.kind]} "
        assert counted in static_text(app.main.header)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteScreen)
        await pilot.press(*"delet", "enter")
        assert isinstance(app.screen, DeleteScreen), "not confirmed until the whole word is typed"
        await pilot.press("e", "enter")
        await settle(pilot, lambda: app.store.by_id[target.job_id].local == "deleting")
        assert app.store.by_id[target.job_id].local == "deleting"  # 409 while cleanup runs
        clock.advance(10)
        await settle(pilot, lambda: app.store.by_id[target.job_id].local == "deleted", rounds=150)
        assert app.store.by_id[target.job_id].local == "deleted"
        assert sim.by_id[target.job_id].deleted_at is not None
        # The row stays to say "deleted", but the header no longer counts the job.
        await pilot.pause()
        fewer = f"{GLYPHS[target.kind]} {app.store.counts[target.kind]} "
        assert fewer != counted and fewer in static_text(app.main.header)
        assert "… deleted" in "".join(seg.text for seg in app.main.table.render_line(1))


async def test_export_json_then_overwrite_prompt(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        row = app.main.table.current
        assert row is not None
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        path = Path(app.screen.query_one("#path", Input).value)
        assert path.parent == tmp_path and row.job_id[:8] in path.name
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot, path.exists)
        data = json.loads(path.read_text())
        assert data["job_id"] == row.job_id and data["status"] == row.status
        assert "ui-SECRET-key" not in path.read_text()
        path.write_text("keep me")
        await export_with_defaults(pilot, app, "e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.2)
        assert path.read_text() == "keep me"


async def test_export_filtered_list_to_csv(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"status:failed", "enter")
        await export_with_defaults(pilot, app, "ctrl+s")
        await settle(pilot, lambda: any(tmp_path.glob("*.csv")))
        csvs = list(tmp_path.glob("*.csv"))
        lines = csvs[0].read_text().splitlines()
        assert len(lines) == len(app.store.view) + 1 and all(
            ",Failed," in line for line in lines[1:]
        )


async def test_export_into_missing_directory_fails_cleanly(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    app = make_app(sim, clock, export_dir=tmp_path / "does-not-exist")
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await export_with_defaults(pilot, app, "e")
        await settle(pilot, lambda: any("Export failed" in m for m in toasts(app)))
        assert any("nothing written" in m for m in toasts(app)), toasts(app)
        assert list(tmp_path.iterdir()) == []
