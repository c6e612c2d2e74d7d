"""The re-run (R) and submit (u) dialogs as a user meets them: whole messages, buttons on
screen at 80x24, an edited config marked, completion that continues what was typed, esc
stopping a bulk re-run, and read-only mode saying why nothing happens."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import httpx
import pytest
from textual.geometry import Region
from textual.widgets import Button, Input, RadioButton, Static

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.server import create_app
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.screens.rerun import RerunScreen
from reducto_tui.ui.screens.submit import SubmitScreen
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import AppPilot, make_app, settle, toasts, wait_loaded
from tests.ui.test_rerun_submit import (
    failed_parse,
    failed_sim,
    highlight,
    open_rerun,
)


def words(text: str) -> str:
    """Wrapped text as one line: what the panel says, whatever its width."""
    return re.sub(r"\s+", " ", text).strip()


def on_screen(screen_region: Region, widget_region: Region) -> bool:
    return bool(widget_region.area) and screen_region.contains_region(widget_region)


def bad_config_editor(tmp_path: Path) -> str:
    """An $EDITOR that makes the config one the API refuses (a 422 with two details)."""
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, sys\n"
        "p = sys.argv[1]\n"
        "c = json.load(open(p))\n"
        "c['queue_priority'] = 'as-soon-as-you-possibly-can-please'\n"
        "c['async'] = 'not an object'\n"
        "json.dump(c, open(p, 'w'))\n"
    )
    return f"{sys.executable} {editor}"


async def test_a_422_and_the_reachability_are_shown_whole_at_80x24(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", bad_config_editor(tmp_path))
    monkeypatch.delenv("VISUAL", raising=False)
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    app = make_app(sim, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        screen = await open_rerun(pilot, app)
        entry = screen.entries[0]
        assert entry.node is not None
        note = screen.query_one("#rerun-note", Static)
        panel = screen.query_one("#rerun-notes")
        assert entry.reach is not None
        # The tree's line is cut at the dialog's edge; the panel says it all, wrapped.
        line = next(str(c.label) for c in entry.node.children if "reachability" in str(c.label))
        tree = screen.query_one("#rerun-tree")
        assert len("├─ " + line) > tree.scrollable_content_region.width
        assert entry.reach.note in words(static_text(note, width=panel.size.width))
        for button in ("#edit", "#cancel", "#send"):
            assert on_screen(screen.region, screen.query_one(button, Button).region), button
        await pilot.press("E")
        await settle(pilot, lambda: entry.edited, rounds=200)
        # The mark is where even an 80-column dialog shows it (a line's end is cut).
        label = str(entry.node.label)
        assert label.index("config edited") + 16 < tree.scrollable_content_region.width, label
        before = len(sim.jobs)
        await pilot.press("y")
        await settle(pilot, lambda: screen.state == "done", rounds=200)
        assert len(sim.jobs) == before
        assert entry.result is not None and entry.result.error is not None
        message = entry.result.error
        assert "queue_priority" in message and "async" in message
        assert len(message) > 2 * panel.size.width  # far more than a tree line holds
        shown = static_text(note, width=note.size.width)
        assert words(message) in words(shown)
        # Every wrapped line has its row (the panel scrolls when they are more than it holds).
        assert note.size.height >= len(shown.rstrip("\n").splitlines())
        assert on_screen(screen.region, panel.region)


async def open_submit(pilot: AppPilot, app: ReductoApp) -> None:
    await pilot.press("u")
    await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))


async def test_the_submit_dialog_keeps_its_buttons_on_screen(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    for size in ((80, 24), (100, 30)):
        app = make_app(sim, clock)
        async with app.run_test(size=size) as pilot:
            await wait_loaded(pilot, app)
            await open_submit(pilot, app)
            await pilot.pause()
            screen = app.screen
            for button in ("#cancel", "#submit"):
                region = screen.query_one(button, Button).region
                assert on_screen(screen.region, region), (size, button, region)
            # The fields scroll: the last one can be brought into view.
            screen.query_one("#cfg-job").focus()
            await pilot.pause()
            assert on_screen(screen.region, screen.query_one("#cfg-job").region), size


async def test_completion_in_a_quoted_path_continues_the_quote(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "qq3 report.pdf").write_bytes(b"%PDF")
    monkeypatch.chdir(tmp_path)
    sim = failed_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, SubmitScreen))
        paths = app.screen.query_one("#paths", Input)
        await pilot.press(*"'qq3 r")
        await settle(pilot, lambda: paths._suggestion != "")
        # What the input shows: the text typed, then the greyed rest.
        assert paths._suggestion == "'qq3 report.pdf'"
        await pilot.press("right")  # accepts it
        assert paths.value == "'qq3 report.pdf'"
        await pilot.press("ctrl+u", *"qq")
        await settle(pilot, lambda: paths._suggestion != "")
        assert paths._suggestion == "qq3\\ report.pdf"


class HeldPosts(httpx.AsyncBaseTransport):
    """The demo app, with each ``POST /parse_async`` held until the test lets them go."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.release = asyncio.Event()
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/parse_async":
            self.posts += 1
            await self.release.wait()
        return await self.inner.handle_async_request(request)


async def test_esc_stops_a_running_bulk_rerun(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    olds = failed_parse(sim, clock)  # failed ones first, then other parse jobs
    assert len(olds) >= 6
    transport = HeldPosts(httpx.ASGITransport(app=create_app(sim)))
    client = ReductoClient("ui-SECRET-key", "http://demo.test", transport=transport)
    settings = Settings.model_validate(
        {"base_url": "http://demo.test", "api_key": "ui-SECRET-key", "page_size": 50}
    )
    app = ReductoApp(settings, demo=True, client=client, clock=clock, auto_refresh=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        for job_id in olds[:6]:
            app.store.toggle_mark(job_id)
        screen = await open_rerun(pilot, app)
        before = len(sim.jobs)
        await pilot.press("y")
        await settle(pilot, lambda: transport.posts == screen.concurrency)  # 4 out, 2 waiting
        await pilot.press("escape")
        status = screen.query_one("#rerun-status", Static)
        assert "Stopping" in static_text(status)
        assert isinstance(app.screen, RerunScreen)  # it stays to show what happened
        transport.release.set()
        await settle(pilot, lambda: screen.state == "done", rounds=200)
        assert transport.posts == screen.concurrency  # nothing more was sent after esc
        assert len(sim.jobs) == before + screen.concurrency
        stopped = [r for r in screen.results if r.error == "Not sent: stopped."]
        assert len(stopped) == 6 - screen.concurrency
        assert f"Re-ran {screen.concurrency}, 2 failed." in static_text(status)


async def test_read_only_says_why_rerun_and_submit_do_nothing(clock: FakeClock) -> None:
    sim = failed_sim(clock)
    app = make_app(sim, clock, read_only=True)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("R")
        await settle(pilot, lambda: any("re-run is disabled" in t for t in toasts(app)))
        await pilot.press("u")
        await settle(pilot, lambda: any("submit is disabled" in t for t in toasts(app)))
        assert any("Read-only mode: re-run is disabled." in t for t in toasts(app))
        assert not app.screen.is_modal


async def test_submit_with_the_highlighted_jobs_config_then_the_last_one_used(
    clock: FakeClock, tmp_path: Path
) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF-1.7")
    sim = failed_sim(clock)
    old = failed_parse(sim, clock)[0]
    config = json.loads(sim.by_id[old].raw_config)
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        await highlight(pilot, app, old)
        for source in ("#cfg-job", "#cfg-last"):
            await open_submit(pilot, app)
            screen = app.screen
            assert isinstance(screen, SubmitScreen)
            button = screen.query_one(source, RadioButton)
            assert not button.disabled, source
            screen.query_one("#paths", Input).value = str(doc)
            button.value = True
            await pilot.pause()
            before = len(sim.jobs)
            await pilot.click("#submit")
            await settle(pilot, lambda: not app.screen.is_modal, rounds=300)
            assert len(sim.jobs) == before + 1, source
            sent = json.loads(sim.jobs[-1].raw_config)
            # The old job's config, its input replaced by the uploaded file.
            assert {k: v for k, v in sent.items() if k != "input"} == {
                k: v for k, v in config.items() if k != "input"
            }, source
            assert sent["input"] != config.get("input") and sent["input"].endswith("a.pdf")
