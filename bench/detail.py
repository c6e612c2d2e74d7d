"""The open detail on a big parse result (issue 14). Not part of the tests:
``python bench/detail.py [--cycles N]``.

A 20,000-block (~10 MB) parse job made by the demo's own payload generator is served by
uvicorn in another process (``--serve PORT`` runs that server). It is opened in the real
``DetailPane`` (its own fetch, decode, tree and Raw JSON handlers, a real ``ReductoClient``
from the default config), mounted in a headless Textual app, each step ending with a
repaint. The floor is one bare httpx GET of the same job plus ``json.loads``. One line per
figure: ``name: value unit (goal: ...) ok`` or ``... MISS``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
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

from server import free_port  # noqa: E402
from textual.app import App  # noqa: E402
from textual.widgets import TabbedContent  # noqa: E402

from reducto_tui.config import Settings, make_client  # noqa: E402
from reducto_tui.ui.widgets.detail import DetailPane  # noqa: E402
from reducto_tui.ui.widgets.json_view import JsonView  # noqa: E402
from reducto_tui.ui.widgets.result_tree import ResultTree  # noqa: E402
from tests.ui.test_detail import TickGaps  # noqa: E402  (the same stall guard as the tests)

JOB = "big-parse"


def body() -> bytes:
    from reducto_tui.demo import payloads

    rng = random.Random(0)
    result = payloads.parse_result(rng, JOB, pages=2000, blocks_per_page=10, blocks_per_chunk=10)
    job = {"status": "Completed", "type": "Parse", "num_pages": 2000, "result": result}
    return json.dumps(job).encode()


def serve(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    data = body()

    async def job(request: object) -> Response:
        return Response(data, media_type="application/json")

    app = Starlette(routes=[Route("/job/{job_id}", job)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def report(name: str, value: float, unit: str, goal: str, ok: bool) -> None:
    print(f"{name}: {value:,.2f} {unit} (goal: {goal}) {'ok' if ok else 'MISS'}", flush=True)


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


async def until(pilot: object, done: Callable[[], bool], limit: float = 120) -> None:
    deadline = time.perf_counter() + limit
    while not done():
        if time.perf_counter() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.002)
    await pilot.pause()  # type: ignore[attr-defined]  # the repaint


async def one_cycle(
    app: App[None], pilot: Any, client: Any, ticks: TickGaps, add: Callable[[str, float], None]
) -> None:
    pane = DetailPane(client)
    await app.mount(pane)
    await pilot.pause()
    tree = pane.query_one(ResultTree)
    view = pane.query_one(JsonView)
    ticks.reset()
    start = time.perf_counter()
    pane.open(JOB)
    await until(pilot, lambda: pane.detail is not None)
    summary = time.perf_counter()
    await until(pilot, lambda: bool(tree.root.children))
    add("summary", summary - start)
    add("tree", time.perf_counter() - summary)
    add("stall", ticks.longest)
    raw_start = time.perf_counter()
    pane.query_one(TabbedContent).active = "tab-raw"
    await until(pilot, lambda: view.line_count > 0)
    add("raw", time.perf_counter() - raw_start)
    await until(pilot, lambda: not any(w.is_running for w in pane.workers))
    await pilot.pause()
    add("open_rss", rss_mb())
    await pane.remove()
    await pilot.pause()


async def the_app_path(url: str, cycles: int) -> dict[str, list[float]]:
    client = make_client(Settings(base_url=url, api_key="bench-key"))
    figures: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    app: App[None] = App()
    async with app.run_test(size=(160, 50)) as pilot:
        ticks = TickGaps()
        gc.collect()
        before = rss_mb()
        for _ in range(cycles):
            await one_cycle(app, pilot, client, ticks, add)
            figures["open_rss"][-1] -= before
            gc.collect()
            add("closed_rss", rss_mb() - before)
        ticks.stop()
    await client.aclose()
    return figures


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
        bare, size = asyncio.run(floor(url))
        figures = asyncio.run(the_app_path(url, args.cycles))
    finally:
        server.terminate()
        server.wait(timeout=30)
    mb = size / 1e6
    print(f"detail: a {mb:.1f} MB, 20,000-block parse job; {args.cycles} open/close cycles")
    print(f"  floor (bare httpx GET + json.loads): {bare * 1000:,.0f} ms")
    summary = statistics.median(figures["summary"])
    print(f"  summary visible: {summary * 1000:,.0f} ms")
    report("detail summary visible / floor", summary / bare, "x", "<= 2", summary <= 2 * bare)
    tree = statistics.median(figures["tree"])
    report("detail tree first frame after the summary", tree * 1000, "ms", "<= 300", tree <= 0.3)
    stall = max(figures["stall"])
    report(
        "detail longest event-loop stall while loading", stall * 1000, "ms", "<= 50", stall <= 0.05
    )
    raw = statistics.median(figures["raw"])
    report("detail Raw JSON first frame", raw * 1000, "ms", "<= 300", raw <= 0.3)
    held = max(figures["open_rss"])
    report("detail memory while open", held / mb, "x body", "<= 5", held <= 5 * mb)
    left = max(figures["closed_rss"])
    report("detail memory left after closing (worst cycle)", left, "MB", "<= 30", left <= 30)


if __name__ == "__main__":
    main()
