from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

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


AppPilot = Pilot[Any]


async def wait_loaded(pilot: AppPilot, app: ReductoApp, pages: int = 1) -> None:
    """Wait until ``pages`` pages of jobs are in and on screen; fail if they never arrive."""
    await settle(pilot, lambda: app.store.pages_loaded >= pages, rounds=200)
    await pilot.pause()


async def settle(
    pilot: AppPilot, predicate: Callable[[], object], rounds: int = 100, step: float = 0.02
) -> None:
    """Let the app run until ``predicate()`` holds, at most ``rounds`` pauses of ``step`` s.

    A predicate that never holds fails the test here, naming what it waited for, rather than
    letting a later assertion fail for a reason that is hard to see.
    """
    for _ in range(rounds):
        await pilot.pause(step)
        if predicate():
            return
    raise AssertionError(
        f"waited {rounds} pauses of {step} s and this never held: {_source_of(predicate)}"
    )


def _source_of(predicate: Callable[[], object]) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def toasts(app: App[Any]) -> list[str]:
    """The text of each toast on the screen now (title and message), as the user reads it."""
    assert app.screen.query("ToastRack"), "toasts are shown only with run_test(notifications=True)"
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def help_text(app: App[Any]) -> str:
    """Everything the open help screen shows, scrolled or not (its texts and key table)."""
    from textual.widgets import Static

    from tests.plain import static_text

    return "\n".join(static_text(part, width=120) for part in app.screen.query(Static))


def help_keys(app: App[Any]) -> dict[str, str]:
    """Config id -> key, as the rows of the help screen's key table show them."""
    keys: dict[str, str] = {}
    for line in help_text(app).splitlines():
        cells = [cell.strip() for cell in line.split("│")]
        if len(cells) == 3 and cells[0] and cells[2]:
            keys[cells[2]] = cells[0]
    return keys


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
