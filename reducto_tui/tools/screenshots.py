"""Regenerate ``screenshots/*.svg`` from the fixed-seed demo data at a frozen moment.

python -m reducto_tui.tools.screenshots [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from textual.pilot import Pilot

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import FROZEN, Simulator
from reducto_tui.ui.app import ReductoApp

Steps = Callable[[Pilot[None]], Awaitable[None]]


def demo_app(jobs: int = 300, seed: int = 7) -> ReductoApp:
    def clock() -> float:
        return FROZEN

    sim = Simulator(jobs=jobs, seed=seed, clock=clock, arrival_interval=0)
    client = ReductoClient(
        "demo-key", "http://127.0.0.1:8000", transport=httpx.ASGITransport(app=create_app(sim))
    )
    settings = Settings(
        base_url="http://127.0.0.1:8000", page_size=100, export_dir=Path("~/reducto-exports")
    )
    return ReductoApp(settings, demo=True, client=client, clock=clock, auto_refresh=False)


async def _loaded(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, ReductoApp)
    for _ in range(300):
        if app.store.pages_loaded:
            break
        await pilot.pause(0.02)
    await pilot.pause(0.1)


async def _open(pilot: Pilot[None], query: str) -> None:
    app = pilot.app
    assert isinstance(app, ReductoApp)
    await _loaded(pilot)
    await pilot.press("slash", *query, "enter", "enter")
    for _ in range(300):
        await pilot.pause(0.02)
        if app.main.detail.detail is not None:
            break
    await pilot.press("right_square_bracket")  # the Result tab, focus in its tree
    await pilot.pause(0.1)


async def main_screen(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("down", "down", "space", "down", "space")


async def filtered(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("slash", *"status:failed age<6h")


async def parse_detail(pilot: Pilot[None]) -> None:
    await _open(pilot, "type:parse status:completed pages>5 pages<100")
    app = pilot.app
    assert isinstance(app, ReductoApp)
    from reducto_tui.ui.widgets.result_tree import ResultTree

    app.main.detail.query_one(ResultTree).focus()
    await pilot.press("enter", "down", "down", "down", "down")
    await pilot.pause(0.1)


async def page_view(pilot: Pilot[None]) -> None:
    await parse_detail(pilot)
    await pilot.press("right_square_bracket")  # the Page tab
    await pilot.pause(0.1)


async def split_detail(pilot: Pilot[None]) -> None:
    await _open(pilot, "type:split status:completed")


async def cancel_dialog(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("1", "space", "space", "c")
    await pilot.pause(0.1)


async def export_dialog(pilot: Pilot[None]) -> None:
    await _open(pilot, "type:parse status:completed pages>5 pages<100")
    await pilot.press("e")
    await pilot.pause(0.1)


async def rerun_dialog(pilot: Pilot[None]) -> None:
    from reducto_tui.ui.screens.rerun import RerunScreen

    await _loaded(pilot)
    await pilot.press("slash", *"status:failed type:parse", "enter", "R")
    for _ in range(300):
        await pilot.pause(0.02)
        screen = pilot.app.screen
        if isinstance(screen, RerunScreen) and screen.state == "ready":
            break
    await pilot.pause(0.1)


async def help_screen(pilot: Pilot[None]) -> None:
    await _loaded(pilot)
    await pilot.press("question_mark")
    await pilot.pause(0.1)


async def insight(pilot: Pilot[None]) -> None:
    """Every page loaded, then the insight view once its details are in."""
    from reducto_tui.ui.screens.insight import InsightScreen

    app = pilot.app
    assert isinstance(app, ReductoApp)
    await _loaded(pilot)
    await pilot.press("a")
    for _ in range(300):
        await pilot.pause(0.02)
        if not app.store.more_available:
            break
    await pilot.press("i")
    # A busy machine answers slowly: wait for the details as long as it takes (a minute at
    # most), and never shoot a view still asking for them.
    for _ in range(3000):
        await pilot.pause(0.02)
        screen = app.screen
        # The first round starts a moment after the view opens: wait for it to have run.
        if isinstance(screen, InsightScreen) and screen.fetcher.asked and not screen.fetching:
            break
    else:
        raise RuntimeError("the insight view's details never arrived")
    await pilot.pause(1.1)  # the next redraw has every answer in


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("main", (160, 42), main_screen),
    ("filter", (160, 42), filtered),
    ("parse-detail", (160, 42), parse_detail),
    ("page-view", (160, 42), page_view),
    ("split-detail", (160, 42), split_detail),
    ("cancel-dialog", (160, 42), cancel_dialog),
    ("export-dialog", (160, 42), export_dialog),
    ("rerun-dialog", (160, 42), rerun_dialog),
    ("help", (160, 42), help_screen),
    ("insight", (160, 45), insight),
    ("insight-80x24", (80, 24), insight),
    ("narrow-100x30", (100, 30), main_screen),
    ("narrow-80x24", (80, 24), _loaded),
]


async def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, size, steps in SHOTS:
        app = demo_app()
        async with app.run_test(size=size) as pilot:
            await steps(pilot)
            await pilot.pause(0.3)  # let late widgets (the footer) draw before the capture
            path = out / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"reducto-tui — {name}"), encoding="utf-8")
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    for path in asyncio.run(shoot(args.out)):
        print(path)


if __name__ == "__main__":
    main()
