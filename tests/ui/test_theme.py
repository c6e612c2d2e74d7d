"""Colours follow the theme: switching it from the palette recolours the header and the
table, and the choice is remembered in the config file for the next start."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.color import Color

from reducto_tui.api.status import StatusKind
from reducto_tui.config import Settings
from reducto_tui.demo.simulator import Simulator
from reducto_tui.render.status import GLYPHS
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock, in_process_client
from tests.ui.conftest import make_app, screen_lines, settle, wait_loaded


def app_with_config(sim: Simulator, clock: FakeClock, config: Path) -> ReductoApp:
    settings = Settings.model_validate(
        {"base_url": "http://demo.test", "page_size": 50, **tomllib.loads(config.read_text())}
    )
    return ReductoApp(
        settings,
        demo=True,
        client=in_process_client(sim),
        clock=clock,
        auto_refresh=False,
        config_file=config,
    )


def brand_background(app: ReductoApp) -> str:
    """The colour behind "reducto-tui" at the header's left edge, as drawn."""
    style = app.main.header.get_component_rich_style("header--brand")
    assert style.bgcolor is not None
    return str(style.bgcolor.get_truecolor())


async def test_theme_from_the_palette_recolours_and_is_remembered(
    sim: Simulator, clock: FakeClock, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('page_size = 50\n\n[keys]\ncancel = "x"\n')
    app = app_with_config(sim, clock, config)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        before = brand_background(app), str(app.main.table._style("header-sorted"))
        await pilot.press("ctrl+p", *"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: app.theme == "nord")
        assert app.theme == "nord"
        await pilot.pause(0.2)
        after = brand_background(app), str(app.main.table._style("header-sorted"))
        assert after[0] != before[0] and after[1] != before[1]
    data = tomllib.loads(config.read_text())
    assert data == {"theme": "nord", "page_size": 50, "keys": {"cancel": "x"}}

    again = app_with_config(sim, clock, config)
    async with again.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, again)
        assert again.theme == "nord"


async def test_every_built_in_theme_draws_the_main_screen(sim: Simulator, clock: FakeClock) -> None:
    """ansi-dark and ansi-light name colours Rich cannot parse ("ansi_blue"): the footer
    crashed the app when one was chosen."""
    app = make_app(sim, clock)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_loaded(pilot, app)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause(0.05)
            lines = screen_lines(app)
            assert "Status" in lines[1] and "? Help  q Quit" in lines[-1], (theme, lines[-1])
        assert app.is_running


def theme_rgb(app: ReductoApp, variable: str) -> tuple[int, int, int]:
    return Color.parse(app.theme_variables[variable]).rgb


def table_status_rgb(app: ReductoApp, kind: StatusKind) -> tuple[int, int, int]:
    """The colour of the status word of the first row in ``kind`` under the cursor's, drawn."""
    table = app.main.table
    y = next(n for n, r in enumerate(table.view.shown) if r.kind is kind and n) + 1
    status = list(table.render_line(y))[1]  # the mark column, then the status column
    assert status.text.startswith(GLYPHS[kind]) and status.style is not None
    assert status.style.color is not None
    return status.style.color.get_truecolor()[:3]


def header_status_rgb(app: ReductoApp, kind: StatusKind) -> tuple[int, int, int]:
    text = app.main.header.content
    assert isinstance(text, Text)
    for span in text.spans:
        if text.plain[span.start : span.end].startswith(GLYPHS[kind]):
            assert isinstance(span.style, Style) and span.style.color is not None
            return span.style.color.get_truecolor()[:3]
    raise AssertionError(f"no {kind.value} count in {text.plain!r}")


async def test_status_colours_follow_the_theme(clock: FakeClock) -> None:
    sim = Simulator(jobs=60, seed=7, clock=clock, arrival_interval=0)
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        seen = set()
        for theme in ("textual-light", "nord", "gruvbox"):
            app.theme = theme
            await pilot.pause(0.1)
            for kind, variable in (
                (StatusKind.COMPLETED, "success"),
                (StatusKind.FAILED, "error"),
                (StatusKind.QUEUED, "warning"),
            ):
                assert table_status_rgb(app, kind) == theme_rgb(app, variable), (theme, kind)
                assert header_status_rgb(app, kind) == theme_rgb(app, variable), (theme, kind)
            seen.add(table_status_rgb(app, StatusKind.COMPLETED))
        assert len(seen) == 3, "each theme its own green"
