"""Insight aggregates at 100k jobs (issue 17). Not part of the tests: ``python bench/insight.py``.

The store is filled with the demo simulator's jobs as the list endpoint sends them (validated
as ``SingleJob``, through the store's own merge), with a filter on, as in the app. Figures:

* open: ``LiveInsight(store)`` (one pass over the filtered rows) plus one ``numbers()``;
* update: the insight's own work for one poll landing (a first page of 500 jobs 5 s later,
  and one finished job's ``GET /job`` detail), timed inside its store callbacks;
* read: ``numbers()`` once the aggregates exist (what a repaint asks for);
* the view: the real app headless (Pilot) on an in-process demo server with every page
  loaded, from pressing ``i`` to the insight screen's first frame, and one redraw of it
  (``--no-view`` skips this part: loading 100k jobs through the app takes a minute).

One line per figure: ``name: value unit (goal ...) ok`` or ``... MISS``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import DemoServer

from reducto_tui.api.models import JobDetail, SingleJob
from reducto_tui.core.insight import LiveInsight
from reducto_tui.core.rows import JobRow, Snapshot
from reducto_tui.core.store import Changes, JobStore
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.app import ReductoApp

FILTER = "-type:chart"


def report(name: str, value: float, unit: str, goal: float, ratio_of: float | None = None) -> None:
    ratio = f", {value / ratio_of:.2f}x the goal" if ratio_of else ""
    ok = "ok" if value <= goal else "MISS"
    print(f"{name}: {value:,.2f} {unit} (goal: <= {goal:g} {unit}{ratio}) {ok}", flush=True)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def loaded(jobs: int) -> tuple[JobStore, Simulator, Clock]:
    clock = Clock(time.time())
    sim = Simulator(jobs=jobs, seed=11, clock=clock, arrival_interval=3)
    store = JobStore(clock=clock)
    page = [SingleJob.model_validate(sim.summary(j, clock())) for j in reversed(sim.jobs)]
    for start in range(0, len(page), 500):
        store.add_page(page[start : start + 500], "more")
    store.view.set_filter(FILTER)
    return store, sim, clock


def poll(store: JobStore, sim: Simulator, clock: Clock) -> None:
    """What one refresh round brings: the first page again, then one job's detail."""
    clock.now += 5
    sim.advance()
    first = sim.page(None, 500, True)["jobs"]
    store.merge_first_page([SingleJob.model_validate(j) for j in first])
    running = next((j for j in sim.jobs[-600:] if j.status(clock()) == "Completed"), None)
    if running is not None:
        detail = JobDetail.model_validate(sim.detail(running))
        store.update_detail(running.job_id, detail)


class TimedInsight(LiveInsight):
    """The real LiveInsight, with the time spent in its store callbacks added up."""

    spent = 0.0
    rows = 0

    def changed(self, row: JobRow, before: Snapshot) -> None:
        start = time.perf_counter()
        super().changed(row, before)
        self.spent += time.perf_counter() - start
        self.rows += 1

    def applied(self, changes: Changes) -> None:
        start = time.perf_counter()
        super().applied(changes)
        self.spent += time.perf_counter() - start


def timed_polls(store: JobStore, sim: Simulator, clock: Clock, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        poll(store, sim, clock)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--no-view", action="store_true", help="skip the app's view figures")
    args = parser.parse_args()
    rounds = 5 if args.quick else 20
    print(f"insight bench: {args.jobs:,} jobs, filter {FILTER!r}, {rounds} rounds", flush=True)

    store, sim, clock = loaded(args.jobs)
    print(f"  loaded {len(store.rows):,} rows, {len(store.view.rows):,} in view", flush=True)
    opens = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        live = LiveInsight(store)
        live.numbers()
        opens.append((time.perf_counter() - start) * 1000)
        live.close()
    report("open the insight (build + first numbers), median", statistics.median(opens), "ms", 200)
    print(f"  worst {max(opens):.1f} ms", flush=True)

    live = TimedInsight(store)
    costs, changed = [], []
    for _ in range(rounds):
        live.spent, live.rows = 0.0, 0
        poll(store, sim, clock)
        costs.append(live.spent * 1000)
        changed.append(live.rows)
    report("insight update per poll, median", statistics.median(costs), "ms", 5)
    print(
        f"  worst {max(costs):.2f} ms; rows changed per poll: median "
        f"{statistics.median(changed):.0f}, max {max(changed)}",
        flush=True,
    )
    reads = []
    for _ in range(rounds):
        start = time.perf_counter()
        live.numbers()
        reads.append((time.perf_counter() - start) * 1000)
    report("read the numbers (per repaint), median", statistics.median(reads), "ms", 5)
    rebuilt = LiveInsight(store)
    same = rebuilt.numbers(clock()).as_dict() == live.numbers(clock()).as_dict()
    print(f"  incremental == rebuilt after {rounds * 2} polls: {same}", flush=True)
    if not args.no_view:
        import asyncio

        asyncio.run(view_figures(args.jobs, rounds))


async def view_figures(jobs: int, rounds: int) -> None:
    from reducto_tui.api.client import ReductoClient
    from reducto_tui.config import Settings

    with DemoServer(jobs) as server:
        client = ReductoClient("bench-key", server.url)
        settings = Settings(base_url=server.url, page_size=500)
        app = ReductoApp(settings, demo=True, client=client, auto_refresh=False)
        await _view_rounds(app, rounds)


async def _view_rounds(app: ReductoApp, rounds: int) -> None:
    from reducto_tui.ui.screens import insight as module

    class Timed(module.InsightScreen):
        """The real screen, noting when its first frame is on screen."""

        frame_at = 0.0
        drawn = False

        def _draw(self, width: int = 0, height: int = 0) -> None:
            super()._draw(width, height)
            if not self.drawn:  # the first frame with the charts in it
                self.drawn = True
                self.call_after_refresh(self._mark)

        def _mark(self) -> None:
            Timed.frame_at = time.perf_counter()

    module.InsightScreen = Timed  # type: ignore[misc]  # what `i` opens (open_insight)
    async with app.run_test(size=(160, 45)) as pilot:
        start = time.perf_counter()
        while not app.store.pages_loaded:
            await pilot.pause(0.05)
        await pilot.press("a")
        while app.store.more_available or app.main.loading_all:
            await pilot.pause(0.1)
        print(f"  view: {len(app.store.rows):,} jobs loaded in {time.perf_counter() - start:.0f} s")
        opens: dict[str, list[float]] = {"first": [], "again": []}
        draws = []
        for round_no in range(rounds * 2):
            cold = round_no % 2 == 0
            if cold:
                app.store.view.rebuild()  # the rows chosen anew: the aggregates start over
            await pilot.pause(0.2)
            Timed.frame_at = 0.0
            start = time.perf_counter()
            await pilot.press("i")
            while not Timed.frame_at:
                await pilot.pause(0.01)
            opens["first" if cold else "again"].append((Timed.frame_at - start) * 1000)
            screen = app.screen
            assert isinstance(screen, Timed)
            while screen.fetching:
                await pilot.pause(0.05)
            start = time.perf_counter()
            screen.redraw()
            draws.append((time.perf_counter() - start) * 1000)
            await pilot.press("escape")
            while isinstance(app.screen, Timed):
                await pilot.pause(0.01)
    first, again = opens["first"], opens["again"]
    report("open the view (i to first frame), median", statistics.median(first), "ms", 200)
    print(f"  worst {max(first):.1f} ms", flush=True)
    report(
        "open it again, same filter (aggregates kept), median",
        statistics.median(again),
        "ms",
        200,
    )
    report("redraw the view (numbers + charts), median", statistics.median(draws), "ms", 16)


if __name__ == "__main__":
    main()
