"""Re-run (R) and submit (u) in the app, against the demo server in-process."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input, RadioButton, Static

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.rerun import RerunScreen
from reducto_tui.ui.screens.submit import SubmitScreen
from tests.conftest import FakeClock
from tests.faults import Scripted
from tests.plain import static_text
from tests.ui.conftest import AppPilot, help_text, make_app, settle, toasts, wait_loaded


def failed_sim(clock: FakeClock) -> Simulator:
    return Simulator(jobs=150, seed=3, clock=clock, arrival_interval=0)


def failed_parse(sim: Simulator, clock: FakeClock) -> list[str]:
    """Parse jobs on the first page (the newest 50), failed ones first."""
    now = clock()
    jobs = [j for j in sim.jobs[-50:] if j.type == "Parse"]
    jobs.sort(key=lambda j: j.status(now) != "Failed")
    return [j.job_id for j in jobs]


def tree_text(screen: RerunScreen) -> str:
    lines = []
    for entry in screen.entries:
        node = entry.node
        assert node is not None
        lines.append(str(node.label))
        lines += [str(child.label) for child in node.children]
    return "\n".join(lines)


async def open_rerun(pilot: AppPilot, app: ReductoApp) -> RerunScreen:
    await pilot.press("R")
    await settle(pilot, lambda: isinstance(app.screen, RerunScreen))
    screen = app.screen
    assert isinstance(screen, RerunScreen)
    await settle(pilot, lambda: screen.state == "ready", rounds=200)
    return screen


async def highlight(pilot: AppPilot, app: ReductoApp, job_id: str) -> None:
    index = app.store.view.index_of(job_id)
    assert index is not None
    app.main.table.set_cursor(index)
    await pilot.pause()


async def test_rerun_shows_what_is_sent_then_follows_the_new_job(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        screen = await open_rerun(pilot, app)
        shown = tree_text(screen)
        assert "POST /parse_async" in shown and old[:8] in shown
        assert str(sim.by_id[old].source) in shown  # the input
        assert "reachability:" in shown and "config" in shown
        before = len(sim.jobs)
        await pilot.press("y")
        await settle(pilot, lambda: screen.state == "done", rounds=200)
        assert len(sim.jobs) == before + 1
        new = sim.jobs[-1]
        assert new.raw_config == sim.by_id[old].raw_config and new.type == "Parse"
        assert new.job_id[:8] in tree_text(screen)
        await pilot.press("escape")
        # The new job is brought in at once, highlighted, and its detail opens.
        await settle(pilot, lambda: app.main.open_job == new.job_id, rounds=200)
        assert app.main.table.current is not None
        assert app.main.table.current.job_id == new.job_id
        await settle(pilot, lambda: app.main.detail.detail is not None, rounds=200)
        summary = static_text(app.main.detail.query_one("#summary", Static))
        assert "Re-run of" in summary and old in summary
        app.main.show_detail(old, focus=False)
        await settle(
            pilot,
            lambda: "Re-run as" in static_text(app.main.detail.query_one("#summary", Static)),
            rounds=200,
        )
        assert new.job_id in static_text(app.main.detail.query_one("#summary", Static))


async def test_bulk_rerun_through_a_429_creates_each_job_once(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    olds = failed_parse(sim, clock)[:3]
    assert len(olds) == 3
    transport = Scripted(httpx.ASGITransport(app=create_app(sim)))
    transport.script[("POST", "/parse_async")] = ["ok", (429, {"Retry-After": "1"})]
    # retry_after_cap 0: the client hands the 429 to the bulk sender, which waits it out.
    client = ReductoClient(
        "ui-SECRET-key", "http://demo.test", transport=transport, retry_after_cap=0
    )
    settings = Settings.model_validate(
        {"base_url": "http://demo.test", "api_key": "ui-SECRET-key", "page_size": 50}
    )
    app = ReductoApp(settings, demo=True, client=client, clock=clock, auto_refresh=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        for job_id in olds:
            app.store.toggle_mark(job_id)
        screen = await open_rerun(pilot, app)
        assert all(job_id[:8] in tree_text(screen) for job_id in olds)
        before = len(sim.jobs)
        await pilot.press("y")
        await settle(pilot, lambda: screen.state == "done", rounds=400)
        results = {r.old_id: r for r in screen.results}
        assert set(results) == set(olds)
        assert all(r.new_id and r.error is None for r in results.values())
        assert sum(r.rate_waits for r in results.values()) == 1
        assert len(sim.jobs) == before + 3  # none twice
        assert transport.count("POST", "/parse_async") == 4
        for r in results.values():
            assert r.new_id is not None and r.new_id[:8] in tree_text(screen)


async def test_edit_opens_the_editor_and_sends_the_edited_config(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, sys\n"
        "p = sys.argv[1]\n"
        "c = json.load(open(p))\n"
        "c['queue_priority'] = 'batch'\n"
        "json.dump(c, open(p, 'w'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        screen = await open_rerun(pilot, app)
        assert "edited" not in tree_text(screen)
        await pilot.press("E")
        entry = screen.entries[0]
        await settle(
            pilot,
            lambda: (
                entry.plan is not None and (entry.plan.body or {}).get("queue_priority") == "batch"
            ),
            rounds=200,
        )
        # The dialog says the config is no longer the job's own.
        assert "config edited" in tree_text(screen) and "config (edited)" in tree_text(screen)
        note = static_text(screen.query_one("#rerun-note", Static))
        assert "The config was edited in $EDITOR" in note
        await pilot.press("y")
        await settle(pilot, lambda: screen.state == "done", rounds=200)
        sent = json.loads(sim.jobs[-1].raw_config)
        assert sent == {**json.loads(sim.by_id[old].raw_config), "queue_priority": "batch"}


async def test_an_edit_that_is_not_json_changes_nothing(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('{oops')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        screen = await open_rerun(pilot, app)
        plan = screen.entries[0].plan
        await pilot.press("E")
        await settle(pilot, lambda: any("is not JSON" in t for t in toasts(app)), rounds=200)
        assert screen.entries[0].plan == plan


async def test_read_only_refuses_rerun_and_submit(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    app = make_app(sim, clock, read_only=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        before = len(sim.jobs)
        await pilot.press("R", "u")
        await pilot.pause()
        assert not app.screen.is_modal and len(sim.jobs) == before
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith(("Re-run", "Submit")) for t in titles), titles
        await pilot.press("question_mark")
        await pilot.pause()
        shown = help_text(app)
        # The help's table wraps the long description: its end carries the read-only mark.
        assert "Re-run the job(s) in focus" in shown and "config (off: read-only)" in shown
        assert "Upload files and create jobs (off: read-only)" in shown


async def test_submit_uploads_a_file_and_follows_its_job(clock: FakeClock, tmp_path: Path) -> None:
    doc = tmp_path / "claim form.pdf"
    doc.write_bytes(b"%PDF-1.7 " * 20_000)
    sim = failed_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))
        app.screen.query_one("#paths", Input).value = f"'{doc}'"
        await pilot.press("enter")
        await settle(pilot, lambda: not app.screen.is_modal, rounds=300)
        new = sim.jobs[-1]
        assert new.type == "Parse" and isinstance(new.source, str)
        assert sim.uploads[new.source].size == 180_000
        await settle(pilot, lambda: app.main.open_job == new.job_id, rounds=200)


async def test_submit_refuses_a_config_file_that_is_not_json(
    clock: FakeClock, tmp_path: Path
) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF")
    bad = tmp_path / "bad.json"
    bad.write_text("{'single': 'quotes'}")
    sim = failed_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))
        screen = app.screen
        screen.query_one("#paths", Input).value = str(doc)
        screen.query_one("#cfg-file", RadioButton).value = True
        await pilot.pause()
        screen.query_one("#config-path", Input).value = str(bad)
        await pilot.click("#submit")
        await settle(
            pilot, lambda: "is not JSON" in static_text(screen.query_one("#submit-status", Static))
        )
        assert not sim.uploads and app.screen is screen


class Held(httpx.AsyncBaseTransport):
    """The demo app, with ``POST /upload`` held until the test lets it go."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.release = asyncio.Event()
        self.waiting = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/upload":
            self.waiting = True
            await self.release.wait()
        return await self.inner.handle_async_request(request)


async def test_an_upload_can_be_cancelled_and_makes_no_job(
    clock: FakeClock, tmp_path: Path
) -> None:
    doc = tmp_path / "slow.pdf"
    doc.write_bytes(b"%PDF-1.7 " * 1000)
    sim = failed_sim(clock)
    transport = Held(httpx.ASGITransport(app=create_app(sim)))
    client = ReductoClient("ui-SECRET-key", "http://demo.test", transport=transport)
    settings = Settings.model_validate(
        {"base_url": "http://demo.test", "api_key": "ui-SECRET-key", "page_size": 50}
    )
    app = ReductoApp(settings, demo=True, client=client, clock=clock, auto_refresh=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        before = len(sim.jobs)
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))
        screen = app.screen
        assert isinstance(screen, SubmitScreen)
        screen.query_one("#paths", Input).value = str(doc)
        await pilot.press("enter")
        await settle(pilot, lambda: transport.waiting)
        await pilot.press("escape")  # while the file is going out: stops it
        status = screen.query_one("#submit-status", Static)
        await settle(pilot, lambda: "Cancelled: 0 job(s) created" in static_text(status))
        transport.release.set()
        await pilot.pause(0.2)
        assert app.screen is screen and len(sim.jobs) == before and not sim.uploads
        await pilot.press("escape")  # nothing running: closes
        await settle(pilot, lambda: not app.screen.is_modal)
        assert len(sim.jobs) == before


async def test_a_rerun_from_a_full_screen_detail_replaces_it(clock: FakeClock) -> None:
    # A tester at 80x24: after R from the open job's full-screen detail, esc showed the old
    # job's detail still under the new one, and c/R there acted on the new job instead.
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    app = make_app(sim, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.open_job == old)
        screen = await open_rerun(pilot, app)
        await pilot.press("y")
        await settle(pilot, lambda: screen.state == "done", rounds=200)
        new = sim.jobs[-1].job_id
        await pilot.press("escape")
        await settle(pilot, lambda: app.main.open_job == new, rounds=200)
        await pilot.pause()
        details = [s for s in app.screen_stack if type(s).__name__ == "DetailScreen"]
        assert len(details) == 1  # one detail at a time: the new job's
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is app.main)
        assert app.main.open_job is None
