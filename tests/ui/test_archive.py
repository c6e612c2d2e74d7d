"""The archive in the app: jobs and results survive a restart and the API forgetting them;
archived rows are marked, filterable and openable, never cancelled; a damaged archive is
one message; the app and the CLI write one archive at the same time."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from textual.widgets import Static

from reducto_tui.api.models import SingleJob
from reducto_tui.api.status import StatusKind
from reducto_tui.archive.sqlite import SqliteArchive
from reducto_tui.config import Settings
from reducto_tui.demo.runner import BackgroundServer
from reducto_tui.demo.simulator import Simulator
from reducto_tui.render.status import GLYPHS
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.archived import ARCHIVED_GLYPH
from reducto_tui.ui.screens.insight import InsightScreen
from reducto_tui.ui.widgets.detail import DetailPane
from tests.conftest import FakeClock, in_process_client
from tests.plain import static_text
from tests.ui.conftest import AppPilot, make_app, screen_lines, settle, toasts, wait_loaded

ROOT = Path(__file__).resolve().parents[2]
_OPEN = (StatusKind.QUEUED, StatusKind.RUNNING)


async def _open_detail(pilot: AppPilot, app: ReductoApp, job_id: str) -> DetailPane:
    """Highlight the job's row, press enter, wait for its detail (or its error)."""
    index = app.store.view.index_of(job_id)
    assert index is not None
    app.main.table.set_cursor(index)
    await pilot.press("enter")
    pane = app.main.detail
    await settle(pilot, lambda: pane.detail is not None or pane.error is not None, rounds=200)
    return pane


def _on_screen(app: ReductoApp, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


async def test_jobs_and_results_survive_a_restart_and_the_api_forgetting_them(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    db = str(tmp_path / "archive.sqlite3")
    done = next(j for j in reversed(sim.jobs) if j.status(clock()) == "Completed")
    first = make_app(sim, clock, archive=True, archive_url=db)
    async with first.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, first)
        await settle(pilot, lambda: first.main.archive is not None)
        index = first.store.view.index_of(done.job_id)
        assert index is not None
        first.main.table.set_cursor(index)
        await pilot.press("enter")
        await settle(pilot, lambda: first.main.detail.detail is not None, rounds=200)
        assert not any(r.archived for r in first.store.rows)
    loaded = {r.job_id for r in first.store.rows}

    clock.advance(13 * 3600)  # Reducto forgot every one of them
    again = make_app(sim, clock, archive=True, archive_url=db)
    async with again.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, again)
        await settle(pilot, lambda: len(again.store.rows) >= len(loaded), rounds=200)
        assert {r.job_id for r in again.store.rows} == loaded
        assert all(r.archived for r in again.store.rows)
        assert _on_screen(again, ARCHIVED_GLYPH)

        again.main.filter_box.value = "-archived"
        await pilot.pause()
        assert len(again.store.view) == 0
        again.main.filter_box.value = "archived"
        await pilot.pause()
        assert len(again.store.view) == len(loaded)
        again.main.filter_box.value = ""
        await pilot.press("escape")

        pane = await _open_detail(pilot, again, done.job_id)
        assert pane.error is None and pane.from_archive
        assert pane.detail is not None and pane.detail.result is not None
        assert "From the archive" in static_text(pane.query_one("#detail-title", Static))
        assert again.store.by_id[done.job_id].archived  # opening it did not un-archive it

        await pilot.press("escape")
        await pilot.press("c")
        await settle(pilot, lambda: any("disabled for archived" in t for t in toasts(again)))
        assert not again.screen.is_modal  # no dialog: nothing to cancel


async def test_a_damaged_archive_is_one_message_and_the_app_runs_without_it(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    db = tmp_path / "archive.sqlite3"
    db.write_bytes(b"not a database" * 100)
    app = make_app(sim, clock, archive=True, archive_url=str(db))
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: bool(toasts(app)))
        shown = toasts(app)
        assert len(shown) == 1
        assert "is damaged" in shown[0] and "Running without the archive" in shown[0]
        assert app.main.archive is None and len(app.store.rows) == 50
    assert db.read_bytes() == b"not a database" * 100


async def test_off_by_default(sim: Simulator, clock: FakeClock, tmp_path: Path) -> None:
    os.environ["XDG_DATA_HOME"] = str(tmp_path)
    try:
        app = make_app(sim, clock)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.pause()
            assert app.main.archive is None and app.client.observer is None
    finally:
        del os.environ["XDG_DATA_HOME"]
    assert not any(tmp_path.rglob("*.sqlite3"))


async def test_the_app_and_the_cli_write_one_archive_at_once(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    with BackgroundServer(jobs=1500, seed=9, arrival_interval=0) as server:
        settings = Settings.model_validate(
            {
                "base_url": server.url,
                "api_key": "ui-SECRET-key",
                "page_size": 100,
                "archive": True,
                "archive_url": str(db),
            }
        )
        app = ReductoApp(settings, demo=True, auto_refresh=False)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_loaded(pilot, app)
            await settle(pilot, lambda: app.main.archive is not None)
            cli = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reducto_tui",
                    "--archive",
                    "jobs",
                    "list",
                    "--all",
                    "--page-size",
                    "37",
                    "--format",
                    "id",
                    "--base-url",
                    server.url,
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "REDUCTO_API_KEY": "cli-key",
                    "REDUCTO_TUI_ARCHIVE_URL": str(db),
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            await pilot.press("a")  # load every page while the CLI lists them too
            await settle(
                pilot, lambda: len(app.store.rows) >= 1500 and not app.main.loading_all, rounds=6000
            )
            out, err = cli.communicate(timeout=120)
            assert cli.returncode == 0, err
            assert "archive" not in err.lower(), err  # the CLI's writes were not dropped
            assert app.main.archive is not None and app.main.archive.problem is None
    assert len(out.split()) == 1500
    rows = sqlite3.connect(db).execute("SELECT job_key FROM jobs").fetchall()
    assert len(rows) == len({r[0] for r in rows}) == 1500


async def test_archive_results_keeps_the_result_of_jobs_that_complete_while_it_runs(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    app = make_app(
        sim, clock, archive=True, archive_results=True, archive_url=str(tmp_path / "a.db")
    )
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: app.main.keeper is not None)
        unfinished = {r.job_id for r in app.store.rows if r.kind.value in ("queued", "running")}
        clock.advance(3600)
        app.main.action_refresh()
        keeper = app.main.keeper
        assert keeper is not None
        await settle(pilot, lambda: keeper.fetched > 0, rounds=300)
        await keeper.drain()
        completed = {
            r.job_id
            for r in app.store.rows
            if r.job_id in unfinished and r.kind.value == "completed"
        }
        assert completed and keeper.fetched == len(completed)
        archive = app.main.archive
        assert archive is not None and archive.flush()
        stored = [archive.get(j) for j in completed]
        assert all(job is not None and job.has_body for job in stored)


def _header_counts(app: ReductoApp) -> str:
    line = screen_lines(app)[0]
    return line[line.index("◷") : line.index("✔")].strip()


async def test_jobs_the_api_dropped_keep_their_status_and_are_no_open_work(
    clock: FakeClock, tmp_path: Path
) -> None:
    db = str(tmp_path / "archive.sqlite3")
    gone = Simulator(jobs=60, seed=11, clock=clock, arrival_interval=0)
    first = make_app(gone, clock, archive=True, archive_url=db)
    async with first.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, first)
        await settle(pilot, lambda: first.main.archive is not None)
    seen = {r.job_id: (r.status, r.kind) for r in first.store.rows}
    dropped_open = [j for j, (_, kind) in seen.items() if kind in _OPEN]
    assert dropped_open and len(dropped_open) < len(seen)

    # Another server's jobs now (the API has dropped all of the first ones): the first page
    # spans the archived jobs' creation times, so each refresh used to ask for them.
    app = make_app(Simulator(jobs=60, seed=12, clock=clock), clock, archive=True, archive_url=db)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: set(seen) <= set(app.store.by_id), rounds=200)
        await settle(pilot, lambda: not app.main.is_archive_loading())
        for _ in range(4):
            clock.advance(6)
            await app.poller.poll_once()
        app.main.repaint()
        await pilot.pause()
        live = [r for r in app.store.rows if not r.archived]
        queued = sum(r.kind is StatusKind.QUEUED for r in live)
        running = sum(r.kind is StatusKind.RUNNING for r in live)
        expected = f"◷ {queued} ▶ {running}"
        await settle(pilot, lambda: _header_counts(app) == expected, rounds=150)
        assert app.store.stuck.count(clock()) == sum(
            app.store.stuck.is_stuck(r, clock()) for r in live
        )

        app.main.filter_box.value = "archived"
        await pilot.pause()
        shown = [line for line in screen_lines(app) if ARCHIVED_GLYPH in line]
        assert shown and not any("expired" in line for line in screen_lines(app))
        for job_id, (status, kind) in seen.items():
            row = app.store.by_id[job_id]
            assert row.archived and row.local is None and (row.status, row.kind) == (status, kind)
            line = next(x for x in shown if job_id[:8] in x) if job_id[:8] in str(shown) else ""
            assert not line or f"{ARCHIVED_GLYPH} {GLYPHS[kind]} {status}" in line
        app.main.filter_box.value = "archived status:queued"
        await pilot.pause()
        assert {r.job_id for r in app.store.view.rows} == {
            j for j in dropped_open if seen[j][1] is StatusKind.QUEUED
        }  # filters find them as they are shown
        app.main.filter_box.value = ""
        await pilot.pause()

        await pilot.press("escape", "i")
        await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        await settle(pilot, lambda: not screen.fetching, rounds=300)
        await pilot.pause(1.1)
        assert screen.numbers.open_jobs == queued + running
        text = "\n".join(screen_lines(app))
        assert f"{queued} queued · {running} running" in text
        assert f"drain      {queued + running} open jobs" in text or queued + running == 0
        await pilot.press("escape")


async def test_load_older_says_how_many_and_from_when_and_when_nothing_is_older(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    db = tmp_path / "archive.sqlite3"
    archive = SqliteArchive(db)
    old = [
        SingleJob(job_id=f"old-{n}", status="Completed", type="Parse",
                  created_at=f"2025-10-{10 + n:02d}T12:00:00Z")
        for n in range(3)
    ]  # fmt: skip
    archive.saw_jobs(old)
    archive.close()
    app = make_app(sim, clock, archive=True, archive_url=str(db))
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: app.main.feed is not None and not app.main.is_archive_loading())
        assert not any(r.archived for r in app.store.rows)
        await pilot.press("O")
        done = "Loaded 3 older archived jobs, created 2025-10-05 12:00:00 UTC to 2025-10-12 12:00:00 UTC."
        await settle(pilot, lambda: any(done in t for t in toasts(app)), rounds=200)
        assert {r.job_id for r in app.store.rows if r.archived} == {j.job_id for j in old}
        await pilot.press("O")
        await settle(pilot, lambda: any("No older archived jobs" in t for t in toasts(app)))


async def test_an_archived_job_read_while_running_opens_as_it_finished(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    db = tmp_path / "archive.sqlite3"
    job = next(
        j for j in sim.jobs if j.status(clock()) in ("InProgress", "Completing")
        and j.outcome == "Completed"
    )  # fmt: skip
    archive = SqliteArchive(db)
    async with in_process_client(sim, observer=archive) as client:
        await client.get_job_raw(job.job_id)  # "Pending", as GET /job reads a running job
        clock.advance(job.queue_s + job.run_s + job.completing_s + 1)
        async for _page in client.iter_pages(limit=100):  # then the list says Completed
            pass
    archive.close()
    clock.advance(13 * 3600)  # and Reducto forgot it

    app = make_app(sim, clock, archive=True, archive_url=str(db))
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await settle(pilot, lambda: job.job_id in app.store.by_id, rounds=200)
        pane = await _open_detail(pilot, app, job.job_id)
        assert pane.from_archive and pane.detail is not None
        summary = static_text(pane.query_one("#summary", Static))
        assert "Completed" in summary and "Pending" not in summary
        assert f"/{job.num_pages}" not in summary and str(job.num_pages) in summary
        raw = json.loads(pane.raw_json() or "{}")
        assert raw["status"] == "Completed" and raw.get("duration") is not None
        assert "progress" not in raw
        head = static_text(pane.query_one("#result-head", Static))
        assert "The archive holds no result for this job" in head
