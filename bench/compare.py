"""Side-by-side figures that need no server in another process: Textual's DataTable against
our JobTable fed the same rows (why the table is our own ScrollView), and how many requests
the poller sends as loaded and active jobs grow (its politeness, counted, not timed)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.poller import Poller
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator

Report = Callable[[str, float, str, str, bool], None]


async def poller(report: Report) -> None:
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


async def datatable(report: Report) -> None:
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
