from __future__ import annotations

import html
import re
from pathlib import Path

from reducto_tui.config import Settings
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock, in_process_client


def make_app(
    sim: Simulator, clock: FakeClock, export_dir: Path | None = None, **settings: object
) -> ReductoApp:
    """The real app on an in-process demo server, with a frozen clock and no timers' polling."""
    values: dict[str, object] = {
        "base_url": "http://demo.test",
        "api_key": "ui-SECRET-key",
        "page_size": 50,
        "export_dir": export_dir or Path.cwd(),
    }
    config = Settings.model_validate({**values, **settings})
    return ReductoApp(
        config, demo=True, client=in_process_client(sim), clock=clock, auto_refresh=False
    )


async def wait_loaded(pilot, app: ReductoApp, pages: int = 1) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: app.store.pages_loaded >= pages, rounds=200)
    await pilot.pause()


async def settle(pilot, predicate, rounds: int = 100, step: float = 0.02) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``predicate()`` holds, at most ``rounds`` pauses of ``step`` s."""
    for _ in range(rounds):
        await pilot.pause(step)
        if predicate():
            return


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)</text>'
)


def screen_lines(app: ReductoApp) -> list[str]:
    """The screen as the user sees it, one string per terminal line (from the SVG export)."""
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for match in _SVG_TEXT.finditer(app.export_screenshot()):
        col, line = round(float(match[1]) / 12.2), int(match[2])
        for n, char in enumerate(html.unescape(match[3]).replace("\xa0", " ")):
            if line < height and col + n < width:
                grid[line][col + n] = char
    return ["".join(row).rstrip() for row in grid]
