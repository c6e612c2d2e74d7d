"""The figures a user gets: the real app (headless Pilot, real widgets, default config) on a
demo server in another process, driven through its own handlers, each step ending with the
screen's repaint. Run as a child process so every run starts from a fresh interpreter (RSS
means something): ``python bench/app_path.py URL FIGURE[,FIGURE...]``; prints JSON.

Figures: ``first`` (only the first frame), ``load`` (first frame, load all, repaints, RSS),
``filter``, ``sort``, ``change``,
``live``, ``export``, and ``store`` (tracemalloc bytes per row; runs alone, without the UI).
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events

from reducto_tui.api.models import JobDetail
from reducto_tui.config import Settings, make_client
from reducto_tui.core.store import JobStore
from reducto_tui.export import LIST_CSV, LIST_JSONL
from reducto_tui.ui.app import ReductoApp

#: Keys as a user types them: words refine, backspace widens, field terms rescan.
TYPING = [
    *"invoice",
    *["backspace"] * 7,
    *"status:failed",
    *["backspace"] * 13,
    *"pages>20",
    *["backspace"] * 8,
]
KEY_NAMES = {":": "colon", ">": "greater_than_sign", "-": "minus", " ": "space"}


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def settings(url: str) -> Settings:
    # The default config, pointed at the demo server (page size included: 500).
    return Settings(base_url=url, api_key="bench-key")  # type: ignore[arg-type]


async def until(predicate: Callable[[], bool], timeout: float = 600) -> None:
    """Wait without pilot.pause(): that forces a repaint each time, which the app would not."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.002)


class StallMeter:
    """The longest gap the event loop left a 5 ms sleeper waiting, minus the 5 ms, and the
    CPU time the UI thread ran in that gap (the rest it waited: for a core, or the GIL)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(0.005)
            now, cpu = time.perf_counter(), time.thread_time()
            gap = (now - last) * 1000 - 5
            if gap > self.worst:
                self.worst, self.worst_cpu = gap, (cpu - last_cpu) * 1000
            last, last_cpu = now, cpu

    def __enter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def timed(step: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await step()
    return (time.perf_counter() - start) * 1000


async def run(url: str, figures: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    start = time.perf_counter()
    app = ReductoApp(settings(url), demo=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await until(lambda: app.store.pages_loaded >= 1)
        await pilot.pause()
        out["first_frame_ms"] = (time.perf_counter() - start) * 1000
        out["page_size"] = app.settings.page_size
        if figures == {"first"}:
            return out

        # Count the frames in which the table was really painted (the compositor asked it
        # for lines), whatever asked for them: refresh_rows, a view change, a resize.
        repaints = [0]
        render_lines = app.main.table.render_lines

        def counting(crop: Any) -> Any:
            repaints[0] += 1
            return render_lines(crop)

        app.main.table.render_lines = counting  # type: ignore[method-assign]
        pages_before = app.store.pages_loaded
        with StallMeter() as stalls:
            began, cpu = time.perf_counter(), time.process_time()
            await keystroke(app, "a", lambda: app.main.loading_all)
            await until(lambda: not app.main.loading_all and not app.store.next_cursor)
            app.screen._on_timer_update()  # the last repaint
            out["load_s"] = time.perf_counter() - began
            out["load_cpu_s"] = time.process_time() - cpu
        out["load_stall_ms"] = stalls.worst
        out["load_stall_cpu_ms"] = stalls.worst_cpu
        app.main.table.render_lines = render_lines  # type: ignore[method-assign]
        out["rows"] = len(app.store.rows)
        out["pages"] = app.store.pages_loaded - pages_before
        out["repaints"] = repaints[0]
        gc.collect()
        out["rss_mb"] = rss_mb()

        if "filter" in figures:
            await pilot.press("slash")
            times, whole, cpus = [], [], []
            typed = ""
            view = app.store.view
            for key in TYPING:
                typed = typed[:-1] if key == "backspace" else typed + key
                begin, cpu = time.perf_counter(), time.thread_time()
                times.append(await keystroke(app, key, lambda t=typed: view.filter.text == t))
                cpus.append((time.thread_time() - cpu) * 1000)
                # A long filter shows its first matches with the key and scans the rest
                # between frames: also time until the whole result is on screen, and start
                # each key from a finished result.
                await until(lambda: not view.scanning)
                app.screen._on_timer_update()
                whole.append((time.perf_counter() - begin) * 1000)
            out["filter_p95_ms"] = p95(times)
            out["filter_median_ms"] = statistics.median(times)
            out["filter_cpu_p95_ms"] = p95(cpus)
            out["filter_whole_p95_ms"] = p95(whole)
            out["filter_keys"] = len(times)
            await pilot.press("escape", "escape")  # clear the filter, back to the table
            await pilot.pause()

        if "sort" in figures:
            view = app.store.view
            times = []
            for key in ["s"] * 7 + ["S"]:
                before = (view.sort_column, view.descending)
                times.append(
                    await keystroke(
                        app, key, lambda b=before: (view.sort_column, view.descending) != b
                    )
                )
            out["sort_max_ms"] = max(times)
            await pilot.press("S")
            await pilot.pause()

        if "change" in figures:
            out.update(await polled_changes(app, pilot))

        if "live" in figures:
            out.update(await live_refresh(app, pilot))

        if "export" in figures:
            out.update(await exports(app))
    return out


async def keystroke(app: ReductoApp, key: str, done: Callable[[], bool]) -> float:
    """Milliseconds from a key event sent as the terminal driver sends it until its handler
    has run (``done``) and the screen has repainted. Not ``pilot.press``: that sleeps at
    least 2 x 20 ms waiting for the process to look idle."""
    name = KEY_NAMES.get(key, key)
    event = events.Key(name, key if len(key) == 1 else None)
    begin = time.perf_counter()
    assert app._driver is not None
    app._driver.send_message(event)
    while not done():
        await asyncio.sleep(0)
    app.screen._on_timer_update()  # the repaint the screen's update timer would do
    return (time.perf_counter() - begin) * 1000


async def polled_changes(app: ReductoApp, pilot: Any) -> dict[str, float]:
    """One job changes status, sorted by status, with a filter on: what a poll result costs
    the app's handler (store merge, view move, table update); the repaint is in ``live``."""
    app.main.sort("status", True)
    app.main.filter_box.value = "-cancelled"
    await pilot.pause()
    rng = random.Random(5)
    rows = rng.sample(app.store.rows, 300)
    details = [
        (
            row.job_id,
            JobDetail.model_validate(
                {"status": "Failed" if row.status == "Completed" else "Completed"}
            ),
        )
        for row in rows
    ]
    times = []
    for job_id, detail in details:
        begin = time.perf_counter()
        changes = app.store.update_detail(job_id, detail)
        app.main.repaint()  # what the screen does with a poll's changes
        app.main.notify_finished(changes.finished)
        times.append((time.perf_counter() - begin) * 1000)
    await pilot.pause()
    app.main.filter_box.value = ""
    await pilot.pause()
    return {"change_median_ms": statistics.median(times), "change_p95_ms": p95(times)}


async def live_refresh(app: ReductoApp, pilot: Any) -> dict[str, float]:
    """Live refresh at the app's own cadence, sorted by status: the longest event-loop stall
    over three refresh rounds and the seconds of ticks between them."""
    app.main.sort("status", True)
    await pilot.pause()
    polls = 0
    with StallMeter() as stalls:
        for _ in range(3):
            app.main.action_refresh()
            await until(lambda: app.poller.running)
            await until(lambda: not app.poller.running)
            polls += 1
            await asyncio.sleep(1.1)  # the 1 s tick repaints the chrome
    return {
        "live_stall_ms": stalls.worst,
        "live_stall_cpu_ms": stalls.worst_cpu,
        "live_polls": polls,
    }


async def exports(app: ReductoApp) -> dict[str, float]:
    out: dict[str, float] = {}
    folder = Path(tempfile.mkdtemp())
    for fmt in (LIST_CSV, LIST_JSONL):
        path = folder / f"jobs{fmt.suffix}"
        with StallMeter() as stalls:
            begin = time.perf_counter()
            worker = app.main.run_export(fmt, path, None, None, None, False)
            await worker.wait()
            out[f"export_{fmt.key}_s"] = time.perf_counter() - begin
        out[f"export_{fmt.key}_stall_ms"] = stalls.worst
        out[f"export_{fmt.key}_stall_cpu_ms"] = stalls.worst_cpu
        out[f"export_{fmt.key}_lines"] = sum(1 for _ in path.open())
    return out


async def store_bytes(url: str) -> dict[str, float]:
    """Bytes per row held by the job store (tracemalloc), loaded through the app's client."""
    import tracemalloc

    page_size = settings(url).page_size
    async with make_client(settings(url)) as client:
        gc.collect()
        tracemalloc.start()
        store = JobStore()
        cursor: str | None = None
        while True:  # the pages as the app's loader reads them
            page = await client.list_page(cursor, page_size)
            store.add_page(page.jobs, page.next_cursor, page.skipped)
            cursor = page.next_cursor
            if not cursor:
                break
        del page
        gc.collect()
        held, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"store_bytes_per_row": held / len(store.rows), "rows": len(store.rows)}


def main() -> None:
    url, figures = sys.argv[1], set(sys.argv[2].split(","))
    if figures == {"store"}:
        result = asyncio.run(store_bytes(url))
    else:
        result = asyncio.run(run(url, figures))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
