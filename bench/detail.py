"""Opening a big parse result in the detail pane (issue 14). Not part of the tests:
``python bench/detail.py [--cycles N]``.

A 20,000-block (~10 MB) parse job made by the demo's own payload generator is served by
uvicorn in another process (``--serve PORT`` runs that server). It is opened in the real
``DetailPane`` (its own fetch, decode, tree and Raw JSON handlers and workers, a real
``ReductoClient`` from the default config), mounted in a headless Textual app, and every
figure ends when the screen has been repainted with it (``call_after_refresh``). The floor
is one bare httpx GET of the same job plus ``json.loads``, printed beside the figures.

A first open of a small job warms the app up (imports, styles), as any earlier screen of the
app would have; then each cycle opens the big job, waits for the summary, the tree, then
switches to Raw JSON and waits for its first frame and for all of it to be indexed, freezes the GC
as the app does after each live refresh, reads RSS, closes the pane (removes it) and reads
RSS again after the next refresh's collect-and-freeze. Stalls are
the longest the event loop went without running a 5 ms timer, from opening until the Raw
JSON is complete, with the UI thread's CPU time in that gap beside them. One line per figure: ``name: value unit (goal: ...) ok`` or ``... MISS``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import textual  # noqa: E402
from server import free_port  # noqa: E402
from textual.app import App  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widget import Widget  # noqa: E402
from textual.widgets import TabbedContent  # noqa: E402

from reducto_tui.config import Settings, make_client  # noqa: E402
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc  # noqa: E402
from reducto_tui.ui.widgets.detail import DetailPane  # noqa: E402
from reducto_tui.ui.widgets.json_view import JsonView  # noqa: E402
from reducto_tui.ui.widgets.result_tree import ResultTree  # noqa: E402

JOB = "big-parse"
SMALL = "small-parse"


def job_body(pages: int) -> bytes:
    from reducto_tui.demo import payloads

    rng = random.Random(0)
    result = payloads.parse_result(rng, JOB, pages=pages, blocks_per_page=10, blocks_per_chunk=10)
    job = {"status": "Completed", "type": "Parse", "num_pages": pages, "result": result}
    return json.dumps(job).encode()


def serve(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    bodies = {JOB: job_body(2000), SMALL: job_body(5)}

    async def job(request: Request) -> Response:
        return Response(bodies[request.path_params["job_id"]], media_type="application/json")

    app = Starlette(routes=[Route("/job/{job_id}", job)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


class Stalls:
    """The longest the event loop went without running a 5 ms timer, and how much of that
    gap the UI thread spent on the CPU (the rest it waited: for the GIL, held by a worker
    thread, or for a core, on a shared machine)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.cpu = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        last, last_cpu = time.perf_counter(), time.thread_time()
        while True:
            await asyncio.sleep(0.005)
            now, cpu = time.perf_counter(), time.thread_time()
            if now - last > self.longest:
                self.longest, self.cpu = now - last, cpu - last_cpu
            last, last_cpu = now, cpu

    def stop(self) -> tuple[float, float]:
        self._task.cancel()
        return self.longest, self.cpu


def report(name: str, value: float, unit: str, goal: str, ok: bool, beside: str = "") -> None:
    extra = f"; {beside}" if beside else ""
    print(f"{name}: {value:,.2f} {unit} (goal: {goal}{extra}) {'ok' if ok else 'MISS'}")


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


async def floor(url: str) -> tuple[float, int]:
    times = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for _ in range(5):
            start = time.perf_counter()
            answer = await client.get(f"/job/{JOB}")
            json.loads(answer.content)
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(answer.content)


async def painted(pilot: Pilot[None], widget: Widget, done: Callable[[], bool]) -> float:
    """When ``done()`` holds and the screen has been repainted after it (perf_counter)."""
    deadline = time.perf_counter() + 120
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.002)
    repainted = asyncio.get_running_loop().create_future()
    widget.call_after_refresh(lambda: repainted.set_result(time.perf_counter()))
    when: float = await repainted
    return when


async def one_cycle(
    app: App[None], pilot: Pilot[None], client: Any, job: str, figures: dict[str, list[float]]
) -> None:
    def add(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    pane = DetailPane(client)
    await app.mount(pane)
    await pilot.pause()
    tree = pane.query_one(ResultTree)
    view = pane.query_one(JsonView)
    gc.collect()
    before = rss_mb()
    ticks = Stalls()
    start = time.perf_counter()
    pane.open(job)
    summary = await painted(pilot, pane, lambda: pane.detail is not None)
    shown = await painted(pilot, tree, lambda: bool(tree.root.children))
    add("summary", summary - start)
    add("tree", shown - summary)
    add("stall_open", ticks.longest)
    add("stall_open_cpu", ticks.cpu)
    ticks.stop()
    ticks = Stalls()
    raw_start = time.perf_counter()
    pane.query_one(TabbedContent).active = "tab-raw"
    raw = await painted(pilot, view, lambda: view.line_count > 0)
    add("raw", raw - raw_start)
    lines = await painted(
        pilot, view, lambda: not any(w.is_running for w in pane.workers) and view.line_count > 0
    )
    add("raw_all", lines - raw_start)
    add("lines", view.line_count)
    add("stall_raw", ticks.longest)
    add("stall_raw_cpu", ticks.cpu)
    ticks.stop()
    keep_loaded_jobs_out_of_gc()  # what the app does after each live refresh, while it is open
    await pilot.pause()
    add("open_rss", rss_mb() - before)
    await pane.remove()
    await pilot.pause()


async def the_app_path(url: str, cycles: int) -> tuple[dict[str, list[float]], float]:
    client = make_client(Settings(base_url=url, api_key="bench-key"))
    figures: dict[str, list[float]] = {}
    app: App[None] = App()
    async with app.run_test(size=(160, 50)) as pilot:
        await one_cycle(app, pilot, client, SMALL, {})  # warm-up (imports, styles)
        gc.collect()
        start = rss_mb()
        for cycle in range(cycles):
            await one_cycle(app, pilot, client, JOB, figures)
            keep_loaded_jobs_out_of_gc()  # the next refresh (it collects, then freezes)
            figures.setdefault("closed_rss", []).append(rss_mb())
            print(
                f"  cycle {cycle + 1}: open +{figures['open_rss'][-1]:.1f} MB, "
                f"after closing {figures['closed_rss'][-1] - start:+.1f} MB vs before the first",
                flush=True,
            )
    await client.aclose()
    return figures, start


def machine() -> str:
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}, "
        f"Textual {textual.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/job/{JOB}", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"detail: {machine()}", flush=True)
        bare, size = asyncio.run(floor(url))
        mb = size / 1e6
        print(f"  a {mb:.1f} MB, 20,000-block parse job; {args.cycles} open/close cycles")
        figures, start = asyncio.run(the_app_path(url, args.cycles))
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor_ms = f"floor {bare * 1000:,.0f} ms (bare httpx GET + json.loads)"
    summary = statistics.median(figures["summary"])
    report(
        "detail summary visible / floor",
        summary / bare,
        "x",
        "<= 2",
        summary <= 2 * bare,
        f"{summary * 1000:,.0f} ms vs {floor_ms}",
    )
    tree = statistics.median(figures["tree"])
    report("detail tree first frame after the summary", tree * 1000, "ms", "<= 300", tree <= 0.3)
    stall = max(figures["stall_open"] + figures["stall_raw"])

    def worst(name: str) -> str:
        n = figures[name].index(max(figures[name]))
        wall, cpu = figures[name][n], figures[f"{name}_cpu"][n]
        return f"{wall * 1000:.0f} ms, of it {cpu * 1000:.0f} ms on the UI thread's CPU"

    report(
        "detail longest event-loop stall while loading",
        stall * 1000,
        "ms",
        "<= 50",
        stall <= 0.05,
        f"opening {worst('stall_open')}, Raw JSON {worst('stall_raw')}",
    )
    raw = statistics.median(figures["raw"])
    raw_all = statistics.median(figures["raw_all"])
    report(
        "detail Raw JSON first frame",
        raw * 1000,
        "ms",
        "<= 300",
        raw <= 0.3,
        f"all {figures['lines'][-1]:,.0f} lines indexed after {raw_all * 1000:,.0f} ms",
    )
    held = max(figures["open_rss"])
    report(
        "detail memory while open (worst cycle)",
        held / mb,
        "x body",
        "<= 5",
        held <= 5 * mb,
        f"+{held:.1f} MB for a {mb:.1f} MB body",
    )
    left = max(figures["closed_rss"]) - start
    report("detail memory left after closing (worst cycle)", left, "MB", "<= 30", left <= 30)


if __name__ == "__main__":
    main()
