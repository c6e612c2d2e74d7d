"""The insight view (`i`): over the list's filter, drawn from the demo server's jobs, live,
a key away from filtering to a failure group, and exported as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from reducto_tui.api.status import StatusKind
from reducto_tui.demo.simulator import Failure, Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.screens.insight import InsightScreen
from tests.conftest import FakeClock
from tests.plain import plain
from tests.ui.conftest import AppPilot, make_app, screen_lines, settle, toasts, wait_loaded


def written(directory: Path, files: int) -> Callable[[], bool]:
    return lambda: len(list(directory.iterdir())) >= files


async def open_insight(pilot: AppPilot, app: ReductoApp) -> InsightScreen:
    await pilot.press("i")
    await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
    screen = app.screen
    assert isinstance(screen, InsightScreen)
    await settle(pilot, lambda: not screen.fetching and screen.numbers.failures_unknown == 0)
    await pilot.pause(1.1)  # one redraw tick
    return screen


def failed_codes(app: ReductoApp, sim: Simulator) -> dict[str, int]:
    codes: dict[str, int] = {}
    for row in app.store.view.rows:
        failure = sim.by_id[row.job_id].failure
        if row.kind is StatusKind.FAILED and failure is not None:
            codes[failure.name] = codes.get(failure.name, 0) + 1
    return codes


async def test_the_view_draws_the_filtered_jobs_and_their_failure_codes(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"-type:chart", "enter")
        shown = len(app.store.view.rows)
        screen = await open_insight(pilot, app)
        text = "\n".join(screen_lines(app))
        assert f"{shown} jobs in view" in text and "filter: -type:chart" in text
        assert "Finished per" in text and "Duration per type" in text
        assert "Chart " not in text  # the filter scopes the view
        codes = failed_codes(app, sim)
        ranked = sorted(codes.items(), key=lambda item: (-item[1], item[0]))
        assert [(f.key, f.count) for f in screen.numbers.failures] == ranked
        lines = screen_lines(app)
        for number, (code, count) in enumerate(ranked, start=1):
            line = next(x for x in lines if f" {code} " in x)
            assert f"{number} {count} " in " ".join(line.split())
        assert screen.numbers.jobs == shown


async def test_a_number_key_filters_the_list_to_that_failure(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"pages>1", "enter")
        screen = await open_insight(pilot, app)
        group = screen.numbers.failures[0]
        await pilot.press("1")
        await settle(pilot, lambda: not isinstance(app.screen, InsightScreen))
        assert app.main.filter_box.value == f"pages>1 status:failed reason:{group.key}"
        rows = app.store.view.rows
        assert len(rows) == group.count
        assert all(r.kind is StatusKind.FAILED and r.error == group.key for r in rows)
        assert all((r.num_pages or 0) > 1 for r in rows)


async def test_the_view_follows_polls_as_they_land(clock: FakeClock) -> None:
    sim = Simulator(jobs=60, seed=5, clock=clock, arrival_interval=5)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        screen = await open_insight(pilot, app)
        before = screen.numbers.jobs
        clock.advance(60)  # about a dozen new jobs arrive, others finish
        await app.poller.poll_once()
        await pilot.pause(1.2)
        assert screen.numbers.jobs == len(app.store.view.rows) > before
        assert f"{screen.numbers.jobs} jobs in view" in "\n".join(screen_lines(app))


async def test_export_writes_json_and_csv(sim: Simulator, clock: FakeClock, tmp_path: Path) -> None:
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        screen = await open_insight(pilot, app)
        for index in (0, 1):
            await pilot.press("e")
            await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
            if index:
                await pilot.press("down")
            app.screen.query_one("#path", Input).focus()
            await pilot.press("enter")
            await settle(pilot, written(tmp_path, index + 1))
        assert isinstance(app.screen, InsightScreen)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock()))
    body = json.loads((tmp_path / f"reducto-insight-{stamp}.json").read_text())
    assert body["jobs"] == screen.numbers.jobs == 50
    assert body["filter"] == ""  # every job: no filter
    assert {f["key"] for f in body["failures"]} == set(failed_codes(app, sim))
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / f"reducto-insight-{stamp}.csv").read_text()))
    )
    total = {r["measure"]: r["value"] for r in rows if r["section"] == "total"}
    assert total["jobs"] == "50" and total["pages"] == str(body["pages"])
    assert [r for r in rows if r["section"] == "failure" and r["measure"] == "count"]


async def test_export_again_gets_a_new_name_or_asks_to_overwrite(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    """Issue 26, defect 2: a second export neither fails on the first one's file nor says
    its path twice, and the file says which filter its numbers cover."""
    app = make_app(sim, clock, export_dir=tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"type:parse", "enter")
        await open_insight(pilot, app)

        async def export(path: str) -> None:
            await pilot.press("e")
            await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
            box = app.screen.query_one("#path", Input)
            box.value = path or box.value
            box.focus()
            await pilot.press("enter")

        await export("")
        await settle(pilot, written(tmp_path, 1))
        clock.advance(61)
        await export("")  # a minute on: its own name, beside the first
        await settle(pilot, written(tmp_path, 2))
        first, second = sorted(tmp_path.iterdir())
        assert first.name != second.name and first.name.startswith("reducto-insight-")
        for file in (first, second):
            assert json.loads(file.read_text())["filter"] == "type:parse"
        first.write_text("old")
        await export(str(first))  # the same name typed again: asked, not refused
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert f"{first} exists. Overwrite it?" in plain(dialog.body)
        await pilot.press("y")
        await settle(pilot, lambda: first.read_text() != "old")
        assert json.loads(first.read_text())["filter"] == "type:parse"
        assert isinstance(app.screen, InsightScreen)
        messages = toasts(app)
        assert not any("already exists" in m or "Could not" in m for m in messages), messages
        wrote = [m for m in messages if m.startswith("Wrote")]
        assert all(m.count(str(tmp_path)) == 1 for m in wrote), wrote


async def test_hostile_codes_and_reasons_are_drawn_escaped(clock: FakeClock) -> None:
    sim = Simulator(jobs=300, seed=7, clock=clock, arrival_interval=0)
    evil = Failure("EVIL\x1b[2J", 500, "[bold]not markup[/] \x1b]0;title\x07", 1)
    for job in sim.jobs:
        if job.failure is not None:
            job.failure = evil
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await open_insight(pilot, app)
        text = "\n".join(screen_lines(app))
        assert "EVIL\\x1b[2J" in text
        assert "[bold]not markup[/] \\x1b]0;title\\x07" in text


async def test_header_counts_stuck_jobs_and_the_table_flags_them(clock: FakeClock) -> None:
    sim = Simulator(jobs=40, seed=7, clock=clock, arrival_interval=0)
    job = sim.jobs[-1]
    job.queue_s += 7200  # queued for two hours
    clock.advance(3600)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        text = "\n".join(screen_lines(app))
        assert "⚠ 1 stuck?" in text
        assert "⚠ stuck? Pend" in text or "⚠ stuck? Idle" in text
        await pilot.press("slash", *"stuck", "enter")
        assert [r.job_id for r in app.store.view.rows] == [job.job_id]


async def test_credits_column_toggles(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, credits_column=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)

        def titles() -> str:
            return next(x for x in screen_lines(app) if "Job ID" in x and "Status" in x)

        assert titles().rstrip().endswith("Credits")
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert "Credits" not in titles()


async def test_credits_asked_for_on_a_narrow_terminal_shows_or_says_why_not(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_loaded(pilot, app)

        def titles() -> str:
            return next(x for x in screen_lines(app) if "Job ID" in x and "Status" in x)

        assert "Credits" not in titles() and "Duration" in titles()
        await pilot.press("dollar_sign")
        await pilot.pause()
        # Asked for, the column takes the place of columns nobody asked for.
        assert titles().rstrip().endswith("Credits") and "Duration" not in titles()
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert "Credits" not in titles() and "Duration" in titles()
        await pilot.resize_terminal(60, 30)
        await pilot.press("dollar_sign")
        await settle(pilot, lambda: any("too narrow" in t for t in toasts(app)))


async def test_o_shows_the_studio_link_when_there_is_no_browser(
    sim: Simulator, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"type:parse status:completed", "enter")
        row = app.main.table.current
        assert row is not None
        await pilot.press("o")
        link = f"https://demo.reducto.invalid/studio/{row.job_id}"
        # No browser to open: the link is copied (and shown in a toast) instead.
        await settle(pilot, lambda: app.clipboard == link)
        assert app.clipboard == link


async def test_failed_jobs_the_api_no_longer_keeps_are_not_promised_a_reason(
    sim: Simulator, clock: FakeClock
) -> None:
    """Issue 26, defect 3: the header says how many jobs were asked and what came back, in
    the words of ``jobs stats``; a failed job the API answers 404 for (expired, or only in
    the archive) is counted as gone, not as a reason still to come."""
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        failed = [r for r in app.store.view.rows if r.kind is StatusKind.FAILED]
        expired = failed[0].job_id
        sim.jobs.remove(sim.by_id.pop(expired))  # the server forgets it
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        await settle(pilot, lambda: screen.tally.asked > 0 and not screen.fetching)
        await pilot.pause(1.1)  # one redraw tick
        asked = screen.tally.asked
        text = "\n".join(screen_lines(app))
        assert (
            f"details: {asked} jobs asked (GET /job): {asked - 1} read, "
            "1 no longer kept by the API" in text
        )
        assert "+ 1 failed job: reason gone: the API no longer keeps these jobs" in text
        assert "not asked yet" not in text and "not known yet" not in text
        assert screen.numbers.failures_unknown == 1 and screen.gone == 1


async def test_every_failure_group_is_one_key_from_its_jobs(
    sim: Simulator, clock: FakeClock
) -> None:
    async def open_patiently() -> InsightScreen:
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        # A hundred details to read: on a busy machine that takes a while.
        await settle(pilot, lambda: screen.fetcher.asked and not screen.fetching, rounds=1500)
        await pilot.pause(1.1)  # one redraw tick
        return screen

    app = make_app(sim, clock, page_size=500)  # all 300 jobs: the demo's recurring codes
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        groups = (await open_patiently()).numbers.failures
        assert len(groups) >= 4, [g.key for g in groups]
        lines = screen_lines(app)
        for number, group in enumerate(groups, start=1):
            line = next(x for x in lines if f" {group.key} " in x)
            assert f"{number} {group.count} " in " ".join(line.split()), line
        for number, group in enumerate(groups, start=1):
            if number > 1:
                await open_patiently()
            await pilot.press(str(number))
            await settle(pilot, lambda: not isinstance(app.screen, InsightScreen))
            rows = app.store.view.rows
            assert len(rows) == group.count, (number, group.key)
            assert all(r.kind is StatusKind.FAILED and r.error == group.key for r in rows)
            # esc, one step at a time, ends with the filter cleared: the whole list again.
            for _ in range(3):
                if app.main.filter_box.value:
                    await pilot.press("escape")
                    await pilot.pause()
            assert not app.main.filter_box.value
