"""The detail pane for every result kind, loaded from the demo server."""

from __future__ import annotations

import asyncio
import gc
import itertools
import weakref
from collections.abc import Callable

import httpx
import pytest
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from textual.app import App, ComposeResult
from textual.widgets import Static, TabbedContent

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import BoundingBox, ParseBlock, ParseChunk
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import SimJob, Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.json_view import JsonView, line_starts
from reducto_tui.ui.widgets.result_tree import BATCH, ResultTree
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import AppPilot, make_app, settle, wait_loaded


async def open_job(pilot: AppPilot, app: ReductoApp, job_id: str) -> DetailPane:
    index = app.store.view.index_of(job_id)
    assert index is not None, "job not in the loaded page"
    app.main.table.set_cursor(index)
    await pilot.press("enter")
    await settle(
        pilot,
        lambda: app.main.detail.detail is not None or app.main.detail.error is not None,
        rounds=200,
    )
    return app.main.detail


def first(
    sim: Simulator,
    type_: str,
    status: str = "Completed",
    pred: Callable[[SimJob], bool] = lambda j: True,
) -> str:
    now = sim.clock()
    return next(
        j.job_id
        for j in reversed(sim.jobs)
        if j.type == type_ and j.status(now) == status and pred(j)
    )


def text_of(pane: DetailPane, selector: str) -> str:
    return static_text(pane.query_one(selector, Static))


@pytest.mark.parametrize(
    ("type_", "words"),
    [
        ("Split", "Splits"),
        ("Classify", "Category:"),
        ("Edit", "Form widgets"),
        ("Chart", "Chart data"),
        ("Pipeline", "Splits"),
    ],
)
async def test_result_kinds_render(
    sim: Simulator, clock: FakeClock, type_: str, words: str
) -> None:
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        pane = await open_job(pilot, app, first(sim, type_))
        assert pane.detail is not None and type_ in text_of(pane, "#detail-title")
        pane.query_one(TabbedContent).active = "tab-result"
        await pilot.pause()
        assert words in text_of(pane, "#result-head")


async def test_parse_tree_is_lazy_and_block_shows_its_page(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        pane = await open_job(
            pilot, app, first(sim, "Parse", pred=lambda j: 8 <= j.num_pages < 120)
        )
        tree = pane.query_one(ResultTree)
        chunks = list(tree.root.children)
        assert chunks and all(not c.children for c in chunks), "blocks are built only on expand"
        pane.query_one(TabbedContent).active = "tab-result"
        await pilot.pause()
        tree.focus()
        await pilot.press("enter")  # focus put the cursor on the first chunk; expand it
        await pilot.pause()
        assert chunks[0].children and not chunks[1].children
        await pilot.press("down")
        await pilot.pause()
        page = text_of(pane, "#page-view")
        assert "page 1" in page and "█" in page
        assert text_of(pane, "#result-body")


async def test_url_result_is_fetched_then_rendered(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        pane = await open_job(pilot, app, first(sim, "Parse", pred=lambda j: j.num_pages >= 120))
        await settle(pilot, lambda: "chunks" in text_of(pane, "#result-head"), step=0.05)
        assert "chunks" in text_of(pane, "#result-head")
        assert len(pane.query_one(ResultTree).root.children) > 10


async def test_failed_job_summary_and_raw_json_search(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        pane = await open_job(pilot, app, first(sim, "Parse", status="Failed"))
        summary = text_of(pane, "#summary")
        assert "Reason" in summary and "Error" in summary
        assert pane.detail is not None and pane.detail.error is not None
        assert pane.detail.error.name is not None and pane.detail.error.name in summary
        await pilot.press("ctrl+f")
        await pilot.press(*"reason")
        await settle(pilot, lambda: pane.query_one(JsonView).match_line is not None, rounds=50)
        view = pane.query_one(JsonView)
        assert view.match_line is not None and "reason" in view.line(view.match_line)


async def test_missing_job_shows_error_in_place_and_escape_returns(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        row = app.main.table.current
        assert row is not None
        sim.by_id.pop(row.job_id)  # the server forgets it (expired)
        cursor = app.main.table.cursor
        pane = await open_job(pilot, app, row.job_id)
        assert pane.error is not None and "12 hours" in text_of(pane, "#summary")
        assert "retry" in text_of(pane, "#summary")
        await pilot.press("escape")  # focus back to the table, the pane stays beside it
        await pilot.pause()
        assert app.main.open_job == row.job_id and app.main.table.has_focus
        await pilot.press("escape")  # and closes
        await pilot.pause()
        assert (
            app.main.open_job is None
            and app.main.table.cursor == cursor
            and app.main.table.has_focus
        )


async def test_narrow_terminal_opens_detail_full_screen(sim: Simulator, clock: FakeClock) -> None:
    from reducto_tui.ui.screens.detail_screen import DetailScreen

    app = make_app(sim, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen) and app.main.open_job is None


async def test_extract_shows_the_record_and_its_citations(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        pane = await open_job(pilot, app, first(sim, "Extract"))
        tree = pane.query_one(ResultTree)
        record = tree.root.children[0].children[0]
        keys = [str(child.label).split(":")[0] for child in record.children]
        assert {"invoice_number", "vendor", "line_items", "total"} <= set(keys)
        citations = text_of(pane, "#result-body")
        assert "Citations" in citations and "invoice_number" in citations


# ---------------------------------------------------------------------- following the open job


class DeafServer:
    """The demo server as v1.12.20 describes it: no long-poll (``timeout`` is ignored), so it
    answers at once. Notes when each job was asked for (on ``clock``), and can answer a
    chosen request with another status or serve ``result_body`` at result links."""

    def __init__(
        self,
        sim: Simulator,
        clock: FakeClock,
        fail: dict[int, tuple[int, dict[str, str]]] | None = None,
        result_body: bytes | None = None,
    ) -> None:
        self.app = create_app(sim)
        self.clock = clock
        self.asked: list[float] = []
        self.waits: list[tuple[float, str]] = []
        self.fail = fail or {}
        self.result_body = result_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = [p for p in scope["query_string"].split(b"&") if not p.startswith(b"timeout=")]
            scope = {**scope, "query_string": b"&".join(query)}
            if scope["path"].startswith("/_demo/results/") and self.result_body is not None:
                await Response(self.result_body, media_type="application/json")(
                    scope, receive, send
                )
                return
            if scope["path"].startswith("/job/") and scope["method"] == "GET":
                self.asked.append(self.clock())
                failure = self.fail.get(len(self.asked))
                if failure is not None:
                    status, headers = failure
                    answer = JSONResponse({"detail": "try later"}, status, headers=headers)
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class PaneApp(App[None]):
    def __init__(self, pane: DetailPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


def pane_on(server: DeafServer, follow_clock: FakeClock) -> DetailPane:
    async def sleep(seconds: float) -> None:  # simulated time: the test takes no minutes
        # What the pane says while it waits is what the user reads meanwhile.
        if pane.is_mounted:
            server.waits.append((seconds, text_of(pane, "#detail-title")))
        follow_clock.advance(seconds)
        await asyncio.sleep(0.001)

    client = ReductoClient(
        "key", "http://demo.test", transport=httpx.ASGITransport(app=server), max_retries=0
    )
    pane = DetailPane(client, sleep=sleep, clock=follow_clock)
    return pane


def running(sim: Simulator) -> str:
    return first(sim, "Extract", status="InProgress")


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 3) for a, b in itertools.pairwise(times)]


async def test_open_running_job_is_asked_for_every_2_to_5_seconds(
    sim: Simulator, clock: FakeClock
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock)
    pane = pane_on(server, follow_clock)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(running(sim))
        await settle(pilot, lambda: follow_clock.now >= 60, rounds=400, step=0.01)
        pane.job_id = None
        await pilot.pause()
    assert follow_clock.now >= 60, "the follow loop stopped or never paused between requests"
    spacing = gaps(server.asked)
    assert spacing and min(spacing) >= 2.0, spacing
    assert max(spacing) <= 5.0, spacing  # an open running job still looks live
    assert spacing[-1] > spacing[0], "no back-off while the job did not change"
    assert 12 <= len(server.asked) <= 31


async def test_the_open_pane_follows_a_running_job_until_it_finishes(
    sim: Simulator, clock: FakeClock
) -> None:
    server = DeafServer(sim, FakeClock(0.0))
    pane = pane_on(server, server.clock)
    job_id = running(sim)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(job_id)
        await settle(pilot, lambda: "▶ " in text_of(pane, "#summary"), rounds=200)  # running
        assert "Progress" in text_of(pane, "#summary")
        job = sim.by_id[job_id]
        clock.now = job.created + job.queue_s + job.run_s + job.completing_s + 1  # it finishes
        await settle(pilot, lambda: "✔ Completed" in text_of(pane, "#summary"), rounds=300)
        asked = len(server.asked)
        for _ in range(20):
            await pilot.pause(0.01)
        assert len(server.asked) == asked, "a finished job is not asked for again"


async def test_a_job_deleted_while_open_stops_updates_with_one_message(
    sim: Simulator, clock: FakeClock
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock)
    pane = pane_on(server, follow_clock)
    job_id = running(sim)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(job_id)
        await settle(pilot, lambda: len(server.asked) >= 3, rounds=200, step=0.01)
        sim.delete(sim.by_id[job_id])  # a second client deletes it; 3 s later it is gone
        clock.advance(5)
        await settle(pilot, lambda: pane.follow_note is not None, rounds=200, step=0.01)
        asked = len(server.asked)
        for _ in range(20):  # plenty of (simulated) time for any further request
            await pilot.pause(0.01)
        title = text_of(pane, "#detail-title")
        assert len(server.asked) == asked, "kept asking for a deleted job"
        assert title.count("has been deleted") == 1, title
        assert "Stopped updating" in title
        assert pane.detail is not None and "Summary" not in title  # what was known stays


@pytest.mark.parametrize(
    ("status", "headers", "least"), [(429, {"Retry-After": "9"}, 9.0), (503, {}, 4.0)]
)
async def test_transient_errors_back_off_then_updates_resume(
    sim: Simulator, clock: FakeClock, status: int, headers: dict[str, str], least: float
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock, fail={3: (status, headers)})
    pane = pane_on(server, follow_clock)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(running(sim))
        await settle(pilot, lambda: len(server.asked) >= 5, rounds=200, step=0.01)
        assert "Not updating" not in text_of(pane, "#detail-title")
        pane.job_id = None
    assert gaps(server.asked)[2] >= least, gaps(server.asked)
    wait, said = server.waits[2]
    assert wait >= least and "Not updating" in said and f"{wait:.0f} s" in said, said


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"type": "full", "chunks": "not a list"}', "not a readable parse result"),
        (b"[" * 100_000 + b"]" * 100_000, "result"),  # too deep for the JSON parser
    ],
)
async def test_url_result_that_cannot_be_read_says_so_in_the_pane(
    sim: Simulator, clock: FakeClock, body: bytes, says: str
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock, result_body=body)
    pane = pane_on(server, follow_clock)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(first(sim, "Parse", pred=lambda j: j.num_pages >= 120))

        def head() -> str:
            return text_of(pane, "#result-head")

        await settle(pilot, lambda: "link" not in head() and "Downloading" not in head())
        assert says in head() and "try again" in head(), head()


# ---------------------------------------------------------------------- huge results


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResultTree(id="tree")


async def test_huge_parse_results_grow_the_tree_a_batch_at_a_time() -> None:
    block = ParseBlock(type="Text", content="words", bbox=BoundingBox(page=3, top=0.1))
    huge = ParseChunk(content="one chunk of 300,000 blocks", blocks=[block] * 300_000)
    chunks = [huge, *[ParseChunk(content="small", blocks=[block])] * 300_000]
    async with TreeApp().run_test(size=(120, 40)) as pilot:
        tree = pilot.app.query_one(ResultTree)
        tree.add_chunks(tree.root, chunks)
        await pilot.pause()
        top = tree.root.children
        assert len(top) == BATCH + 1, "chunks are added one batch at a time"
        assert f"{len(chunks) - BATCH:,} more" in str(top[-1].label)
        tree.focus()
        tree.move_cursor(top[0])
        await pilot.press("enter")  # open the huge chunk
        await pilot.pause()
        blocks = top[0].children
        assert len(blocks) == BATCH + 1, "a chunk adds one batch of blocks, not all of them"
        assert f"{300_000 - BATCH:,} more" in str(blocks[-1].label)
        await pilot.press("down", "down")  # the tree answers keys while most blocks wait
        assert tree.cursor_node is blocks[1]
        tree.move_cursor(blocks[-1])
        await pilot.press("enter")  # "… more": the next batch, and a new "more" after it
        await pilot.pause()
        assert len(top[0].children) == 2 * BATCH + 1


async def test_raw_json_of_a_million_lines_is_drawn_and_searched_lazily() -> None:
    filler = '  "key": "value",\n' * 500_000
    text = "{\n" + filler + '  "needle": 500000,\n' + filler + '  "end": 0\n}\n'
    starts = line_starts(text)
    assert len(starts) == 1_000_004
    view = JsonView(id="raw")

    class RawApp(App[None]):
        def compose(self) -> ComposeResult:
            yield view

    async with RawApp().run_test(size=(100, 30)) as pilot:
        view.set_text(text, starts)
        await pilot.pause()
        assert view.virtual_size.height == 1_000_004
        assert view.find("NEEDLE") == 500_001 and view.line(500_001) == '  "needle": 500000,'
        await pilot.pause()
        shown = "".join(seg.text for seg in view.render_line(3))
        assert '"needle"' in shown  # scrolled to it, drawn from the text
        assert view.find("needle") == 500_001  # wraps round to the only match
        assert view.find("no such text") is None


async def browse_a_parse_result(
    pilot: AppPilot, app: ReductoApp, sim: Simulator
) -> weakref.ref[object]:
    pane = await open_job(pilot, app, first(sim, "Parse", pred=lambda j: j.num_pages >= 8))
    pane.query_one(TabbedContent).active = "tab-raw"
    view = pane.query_one(JsonView)
    await settle(pilot, lambda: view.line_count > 10)
    tree = pane.query_one(ResultTree)
    tree.root.children[0].expand()
    await pilot.pause()
    assert pane.detail is not None and tree.root.children[0].children
    return weakref.ref(pane.detail)


async def test_a_closed_result_is_let_go(sim: Simulator, clock: FakeClock) -> None:
    """Nothing (caches, workers, messages, cycles) keeps an old result alive after closing."""
    app = make_app(sim, clock, page_size=500)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        gone = await browse_a_parse_result(pilot, app, sim)
        await pilot.press("escape")
        await settle(pilot, lambda: app.main.open_job is None)
        gc.collect()
        assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
