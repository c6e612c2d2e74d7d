"""Header, footer, help, export dialog and sort as the user sees them (issue 11, defects 7,
8 and 10; issue 13 item 12: the keys shown are the keys in force)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from textual.widgets import Input, OptionList

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.status import StatusKind
from reducto_tui.config import Settings
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from reducto_tui.render.status import GLYPHS
from reducto_tui.render.text import file_name
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.commands import COMMANDS
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.screens.help import HelpScreen
from tests.conftest import FakeClock
from tests.faults import DROP_BEFORE, Scripted
from tests.ui.conftest import help_keys, make_app, screen_lines, settle, wait_loaded

LABELS = {c.label for c in COMMANDS} | {"Back"}


async def test_80x24_header_keeps_every_count_and_footer_cuts_no_word(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.3)
        lines = screen_lines(app)
        for kind in (
            StatusKind.QUEUED,
            StatusKind.RUNNING,
            StatusKind.COMPLETED,
            StatusKind.FAILED,
            StatusKind.CANCELLED,
        ):
            count = app.store.counts.get(kind, 0)
            assert f"{GLYPHS[kind]} {count}" in lines[0], (kind, lines[0])
        footer = lines[-1].strip()
        entries = footer.split("  ")
        assert len(entries) >= 4
        for entry in entries:
            key, _, label = entry.strip().partition(" ")
            assert label in LABELS, f"cut or unknown footer entry {entry!r} in {footer!r}"


async def test_footer_and_help_show_the_keys_in_force(clock: FakeClock) -> None:
    sim = Simulator(jobs=20, seed=2, clock=clock, arrival_interval=0)
    sim.create("Parse", {"input": "https://x/new.pdf"})
    app = make_app(sim, clock, keys={"cancel": "x"})
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.2)
        assert "x Cancel" in screen_lines(app)[-1]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert help_keys(app)["cancel"] == "x"
        await pilot.press("escape", "x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_export_enter_uses_the_highlighted_format_and_offers_the_kind_formats(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    app = make_app(sim, clock, export_dir=tmp_path, page_size=100)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        index = next(
            n
            for n, r in enumerate(app.store.view.rows)
            if r.type == "Parse" and r.kind.value == "completed" and (r.num_pages or 0) < 100
        )
        app.main.table.set_cursor(index)  # not opened: the dialog must still know its kind
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert isinstance(app.screen, ExportScreen)
        labels = [f.label for f in app.screen.formats]
        assert "Parse chunks (Markdown)" in labels and "Parse blocks (CSV)" in labels
        app.screen.query_one(OptionList).highlighted = labels.index("Parse chunks (Markdown)")
        await pilot.pause()
        path = Path(app.screen.query_one("#path", Input).value)
        assert path.suffix == ".md"
        await pilot.press("enter")
        await settle(pilot, path.exists)
        assert path.exists() and path.read_text().lstrip().startswith("#")


async def test_sort_by_source_follows_the_file_names_shown(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock, page_size=100)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        while app.store.view.sort_column != "source":
            await pilot.press("s")
        names = [file_name(r.source).lower() for r in app.store.view.rows]
        assert names == sorted(names, reverse=app.store.view.descending)


@pytest.mark.parametrize("width", [80, 120, 160])
async def test_a_lost_connection_says_why_at_any_width(clock: FakeClock, width: int) -> None:
    sim = Simulator(jobs=30, seed=2, clock=clock, arrival_interval=0)
    transport = Scripted(httpx.ASGITransport(app=create_app(sim)))
    client = ReductoClient("ui-SECRET-key", "http://demo.test", transport=transport, max_retries=0)
    settings = Settings.model_validate(
        {"base_url": "http://demo.test", "api_key": "ui-SECRET-key", "page_size": 50}
    )
    # Live refresh on (the frozen clock keeps the next try from coming due by itself).
    app = ReductoApp(settings, demo=True, client=client, clock=clock)
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_loaded(pilot, app)
        transport.script[("GET", "/jobs")] = [DROP_BEFORE] * 20
        await pilot.press("r")
        await settle(pilot, lambda: "reconnecting" in screen_lines(app)[0])
        lines = screen_lines(app)
        status = next(line for line in lines if "loaded" in line)
        assert "not refreshed: Could not reach http://demo.test" in status, status
        transport.script.clear()
        await pilot.press("r")
        await settle(pilot, lambda: "live" in screen_lines(app)[0])
        status = next(line for line in screen_lines(app) if "loaded" in line)
        assert "not refreshed" not in status, status
