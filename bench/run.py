"""Benchmarks named in the issues. Not part of the test suite: ``python bench/run.py``.

Prints one line per figure: ``name: value unit (goal: ...) ok`` or ``... MISS``.
Times are medians/p95 of repeated runs on this machine; comparisons run side by side.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import JobDetail
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc
from reducto_tui.core.poller import Poller
from reducto_tui.core.store import JobStore
from reducto_tui.demo import payloads
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator

N = int(os.environ.get("BENCH_JOBS", "100000"))
FREEZE = os.environ.get("BENCH_NO_FREEZE") is None


def report(name: str, value: float, unit: str, goal: str, ok: bool) -> None:
    print(f"{name}: {value:,.1f} {unit} (goal: {goal}) {'ok' if ok else 'MISS'}", flush=True)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed(fn: Callable[[], object], repeat: int = 7) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


# ---------------------------------------------------------------------- the job table


def write_pages(n: int, path: Path) -> None:
    """``GET /jobs`` pages as JSON lines, made in a child process so the simulator's memory
    is not counted in this one's RSS."""
    import subprocess

    code = (
        "import json,sys\n"
        "from reducto_tui.demo.simulator import Simulator\n"
        f"sim = Simulator(jobs={n}, seed=1, arrival_interval=0, hostile=False)\n"
        "cursor = None\n"
        f"with open({str(path)!r}, 'w') as out:\n"
        "    while True:\n"
        "        page = sim.page(cursor, 500, True)\n"
        "        out.write(json.dumps(page) + '\\n')\n"
        "        cursor = page['next_cursor']\n"
        "        if not cursor: break\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1]
    )


async def bench_table() -> None:
    import tempfile

    from reducto_tui.api.models import JobsResponse
    from reducto_tui.config import Settings
    from reducto_tui.ui.app import ReductoApp
    from reducto_tui.ui.widgets.job_table import JobTable

    pages = Path(tempfile.mkdtemp()) / "pages.jsonl"
    write_pages(N, pages)
    gc.collect()
    base = rss_mb()
    store = JobStore()
    start = time.perf_counter()
    with pages.open("rb") as lines:
        for line in lines:
            page = JobsResponse.model_validate_json(line)
            store.add_page(page.jobs, page.next_cursor)
    load_ms = (time.perf_counter() - start) * 1000
    pages.unlink()
    gc.collect()
    store_mb = rss_mb() - base
    report(f"store: add {N:,} jobs in 500-job pages", load_ms, "ms total", "informational", True)

    client = ReductoClient(
        "k", "http://bench.invalid", transport=httpx.MockTransport(lambda r: httpx.Response(503))
    )
    app = ReductoApp(Settings(base_url="http://bench.invalid"), client=client, auto_refresh=False)
    app.store = store
    app.table = JobTable(store.view, store.marks, id="jobs")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.table
        height = table.size.height

        def frame() -> None:
            for y in range(height):
                table.render_line(y)

        start = time.perf_counter()
        table.refresh_rows()
        frame()
        first = (time.perf_counter() - start) * 1000
        report(f"table: first frame, {N:,} jobs in memory", first, "ms", "< 100 ms", first < 100)

        keystrokes = [
            "i",
            "in",
            "inv",
            "invo",
            "invoi",
            "invoice",
            "invoic",
            "invo",
            "in",
            "",
            "status:failed",
            "pages>20",
            "",
        ]
        times = []
        for text in keystrokes * 3:
            start = time.perf_counter()
            store.view.set_filter(text)
            table.refresh_rows()
            frame()
            times.append((time.perf_counter() - start) * 1000)
        report(
            "table: filter keystroke re-render p95",
            p95(times),
            "ms",
            "< 50 ms p95",
            p95(times) < 50,
        )

        sorts = []
        for column in ("status", "pages", "duration", "source", "created"):
            start = time.perf_counter()
            store.view.set_sort(column, descending=True)
            table.refresh_rows()
            frame()
            sorts.append((time.perf_counter() - start) * 1000)
        report("table: sort by a column (max of 5)", max(sorts), "ms", "< 150 ms", max(sorts) < 150)

        def page_down() -> None:
            table.action_page(1)
            frame()

        pages = timed(page_down, repeat=30)
        report(
            "table: page down, median",
            statistics.median(pages),
            "ms",
            "< 16 ms",
            statistics.median(pages) < 16,
        )
        start = time.perf_counter()
        table.action_last()
        frame()
        end_ms = (time.perf_counter() - start) * 1000
        report("table: jump to last row", end_ms, "ms", "< 16 ms", end_ms < 16)
        total = rss_mb()
        report(f"memory: {N:,} loaded jobs (store rows)", store_mb, "MB", "informational", True)
        report("memory: whole app RSS with all jobs loaded", total, "MB", "< 150 MB", total < 150)


# ---------------------------------------------------------------------- loading pages, UI lag


class ServerProcess:
    """The demo server in its own process, as a remote API would be: its work must not be
    counted as the client's event-loop stalls (a thread would share our GIL)."""

    def __init__(self, jobs: int) -> None:
        from reducto_tui.demo.runner import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.jobs = jobs

    def __enter__(self) -> ServerProcess:
        import subprocess

        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reducto_tui",
                "demo-server",
                "--port",
                str(self.port),
                "--jobs",
                str(self.jobs),
                "--seed",
                "2",
                "--arrival-interval",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/version", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("demo server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


async def bench_loading() -> None:
    with ServerProcess(N) as server:
        store = JobStore()
        lags: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                lags.append((now - last) * 1000 - 5)
                last = now

        tick = asyncio.create_task(ticker())
        start = time.perf_counter()
        async with ReductoClient("k", server.url) as client:
            async for page in client.iter_pages(limit=500):
                store.add_page(page.jobs, page.next_cursor)
                if FREEZE:
                    keep_loaded_jobs_out_of_gc()
                await asyncio.sleep(0)
        elapsed = time.perf_counter() - start
        done.set()
        await tick
        report(
            f"loading: {len(store.rows):,} jobs from the demo server on loopback",
            elapsed,
            "s",
            "informational",
            True,
        )
        report(
            "loading: longest event-loop block while loading",
            max(lags),
            "ms",
            "< 50 ms",
            max(lags) < 50,
        )


# ---------------------------------------------------------------------- the detail


async def bench_detail() -> None:
    from reducto_tui.ui.widgets.detail import DetailPane
    from reducto_tui.ui.widgets.result_tree import ResultTree

    rng = random.Random(4)
    payload = payloads.parse_result(rng, "big", pages=2000, blocks_per_page=10, blocks_per_chunk=10)
    blocks = sum(len(c["blocks"]) for c in payload["result"]["chunks"])
    raw = json.dumps({"status": "Completed", "type": "Parse", "result": payload}).encode()
    start = time.perf_counter()
    detail = JobDetail.model_validate_json(raw)
    parse_ms = (time.perf_counter() - start) * 1000
    report(
        f"detail: validate a {blocks:,}-block result ({len(raw) / 1e6:.1f} MB)",
        parse_ms,
        "ms",
        "informational",
        True,
    )

    from textual.app import App, ComposeResult

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield DetailPane(ReductoClient("k", "http://x.invalid"), id="detail")

    app = Host()
    base = rss_mb()
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.job_id = "big"
        start = time.perf_counter()
        pane.show(detail)
        await pilot.pause()
        first = (time.perf_counter() - start) * 1000
        nodes = len(pane.query_one(ResultTree).root.children)
        report(
            f"detail: first frame of the {blocks:,}-block result ({nodes:,} nodes)",
            first,
            "ms",
            "< 300 ms",
            first < 300,
        )
        report("detail: memory for the open result", rss_mb() - base, "MB", "informational", True)


# ---------------------------------------------------------------------- polling


async def bench_poller() -> None:
    async def run(loaded: int, active: int) -> float:
        clock_now = [1772366400.0]

        def clock() -> float:
            return clock_now[0]

        sim = Simulator(jobs=loaded, seed=5, clock=clock, arrival_interval=0, hostile=False)
        count = [0]

        class Counting(httpx.AsyncBaseTransport):
            def __init__(self) -> None:
                self.inner = httpx.ASGITransport(app=create_app(sim))

            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                count[0] += 1
                return await self.inner.handle_async_request(request)

        client = ReductoClient("k", "http://demo", transport=Counting())
        store = JobStore(clock=clock)
        async for page in client.iter_pages(limit=500):
            store.add_page(page.jobs, page.next_cursor)
        # Make `active` jobs spread through the list still running for the whole minute.
        chosen: set[str] = set()
        for n, row in enumerate(store.rows[100 :: max(1, (loaded - 100) // active)][:active]):
            chosen.add(row.job_id)
            job = sim.by_id[row.job_id]
            job.created, job.queue_s, job.run_s = clock() - 1, 0, 10_000 + n
            row.status, row.kind = "InProgress", type(row.kind)("running")
        poller = Poller(client, store, interval=5, clock=clock)
        for job in sim.jobs:  # everything else is finished: the run measures only `active`
            if job.job_id not in chosen:
                job.queue_s = job.run_s = job.completing_s = 0.0
        await poller.poll_once()  # learn that the others finished
        clock_now[0] += 5
        count[0] = 0
        for _ in range(60):
            if poller.due():
                await poller.poll_once()
            clock_now[0] += 1
        await client.aclose()
        return count[0]

    small = await run(10_000, 50)
    large = await run(20_000, 50)
    more = await run(10_000, 100)
    report(
        "poller: requests/min, 10,000 loaded, 50 active",
        small,
        "req/min",
        "scales with active jobs",
        True,
    )
    report(
        "poller: ratio 20,000 loaded / 10,000 loaded (50 active)",
        large / small,
        "x",
        "≈ 1",
        0.9 < large / small < 1.1,
    )
    report(
        "poller: ratio 100 active / 50 active (10,000 loaded)",
        more / small,
        "x",
        "≈ 2",
        1.6 < more / small < 2.2,
    )


async def bench_datatable() -> None:
    """Why the table is our own ScrollView: Textual's DataTable, fed the same 10,000 rows."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from reducto_tui.api.models import JobsResponse
    from reducto_tui.ui.widgets.job_table import JobTable

    rows = 10_000
    sim = Simulator(jobs=rows, seed=3, arrival_interval=0, hostile=False)
    store = JobStore()
    cursor = None
    while True:
        page = JobsResponse.model_validate(sim.page(cursor, 500, True))
        store.add_page(page.jobs, page.next_cursor)
        cursor = page.next_cursor
        if not cursor:
            break
    cells = [
        (
            r.status,
            r.type,
            r.job_id[:8],
            r.source,
            str(r.created),
            str(r.num_pages),
            str(r.duration),
        )
        for r in store.rows
    ]

    class Host(App[None]):
        def __init__(self, widget: object) -> None:
            super().__init__()
            self.widget = widget

        def compose(self) -> ComposeResult:
            yield self.widget  # type: ignore[misc]

    async def first_frame(widget: object, fill: Callable[[], None]) -> float:
        app = Host(widget)
        async with app.run_test(size=(160, 50)) as pilot:
            start = time.perf_counter()
            fill()
            await pilot.pause()
            app.screen._compositor.render_update(full=True)  # the first full frame
            return (time.perf_counter() - start) * 1000

    table = DataTable()

    def fill_datatable() -> None:
        table.add_columns("Status", "Type", "ID", "Source", "Created", "Pages", "Duration")
        table.add_rows(cells)

    ours = JobTable(store.view, store.marks)
    theirs_ms = await first_frame(table, fill_datatable)
    ours_ms = await first_frame(ours, ours.refresh_rows)
    report(
        f"table vs DataTable: DataTable first frame, {rows:,} rows",
        theirs_ms,
        "ms",
        "informational",
        True,
    )
    report(
        f"table vs DataTable: JobTable first frame, {rows:,} rows",
        ours_ms,
        "ms",
        "informational",
        True,
    )
    report(
        "table vs DataTable: DataTable / JobTable",
        theirs_ms / ours_ms,
        "x",
        "> 1 (ours faster)",
        theirs_ms > ours_ms,
    )


async def main() -> None:
    which = sys.argv[1:] or ["table", "datatable", "loading", "detail", "poller"]
    for name in which:
        await globals()[f"bench_{name}"]()
        gc.collect()


if __name__ == "__main__":
    asyncio.run(main())
