"""Colours follow the theme: switching it from the palette recolours the header and the
table, and the choice is remembered in the config file for the next start."""

from __future__ import annotations

import tomllib
from pathlib import Path

from reducto_tui.config import Settings
from reducto_tui.demo.simulator import Simulator
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
