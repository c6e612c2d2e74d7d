"""The detail pane's Raw JSON drawn from the job as received, results it cannot read, and
results let go when another job is opened."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from textual.app import App
from textual.widgets import TabbedContent

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc
from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.json_view import JsonView
from reducto_tui.ui.widgets.result_tree import ResultTree
from tests.conftest import FakeClock
from tests.ui.conftest import settle
from tests.ui.test_detail import DeafServer, PaneApp, first, pane_on, text_of


def drawn(view: JsonView, y: int) -> str:
    return "".join(segment.text for segment in view.render_line(y)).rstrip()


async def test_raw_json_shows_the_job_as_received_at_the_top_and_at_the_end(
    sim: Simulator, clock: FakeClock
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock)
    pane = pane_on(server, follow_clock)
    job_id = first(sim, "Parse", pred=lambda j: 8 <= j.num_pages < 120)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(job_id)
        await settle(pilot, lambda: pane.detail is not None)
        received = json.loads(await pane.client.get_job_raw(job_id))
        with_id = {"job_id": job_id, **received} if "job_id" not in received else received
        want = json.dumps(with_id, indent=2, ensure_ascii=False).splitlines()
        pane.query_one(TabbedContent).active = "tab-raw"
        view = pane.query_one(JsonView)
        await settle(pilot, lambda: view.line_count == len(want))
        await pilot.pause()
        region = view.scrollable_content_region  # less the scroll bars
        width, height = region.width, region.height
        assert height > 10 and len(want) > 3 * height
        assert [drawn(view, y)[:width].rstrip() for y in range(height)] == [
            line[:width].rstrip() for line in want[:height]
        ]
        view.scroll_end(animate=False)
        await pilot.pause()
        assert [drawn(view, y)[:width].rstrip() for y in range(height)] == [
            line[:width].rstrip() for line in want[-height:]
        ]
        assert pane.raw_json() is not None
        assert json.loads(pane.raw_json() or "") == with_id  # copy gives the same job


class FixedJob:
    """A server answering every ``GET /job/{id}`` with one body."""

    def __init__(self, body: bytes) -> None:
        async def job(request: Request) -> Response:
            return Response(body, media_type="application/json")

        self.app = Starlette(routes=[Route("/job/{job_id}", job)])

    def pane(self) -> DetailPane:
        client = ReductoClient(
            "key", "http://demo.test", transport=httpx.ASGITransport(app=self.app), max_retries=0
        )
        return DetailPane(client)


def parse_job(chunks: object) -> bytes:
    result = {"response_type": "parse", "result": {"type": "full", "chunks": chunks}}
    return json.dumps({"status": "Completed", "type": "Parse", "result": result}).encode()


@pytest.mark.parametrize(
    ("body", "where", "says"),
    [
        (b'["not", "a", "job"]', "#summary", "does not look like a job"),
        (b'{"status": "Completed", "result": ', "#summary", "not valid JSON"),
    ],
)
async def test_a_job_that_fails_validation_says_so_instead_of_loading(
    body: bytes, where: str, says: str
) -> None:
    pane = FixedJob(body).pane()
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open("job-1")
        await settle(pilot, lambda: pane.error is not None)
        await pilot.pause()
        assert says in text_of(pane, where), text_of(pane, where)
        assert "Loading" not in text_of(pane, "#detail-title")


async def test_a_chunk_that_fails_validation_is_shown_as_unreadable() -> None:
    good = {"content": "fine", "blocks": [{"type": "Text", "content": "words"}]}
    bad = 42
    pane = FixedJob(parse_job([good, bad, good])).pane()
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open("job-1")
        tree = pane.query_one(ResultTree)
        await settle(pilot, lambda: len(tree.root.children) == 3)
        labels = [str(node.label) for node in tree.root.children]
        assert "fine" in labels[0] and "fine" in labels[2]
        assert "unreadable chunk" in labels[1], labels
        assert "3 chunks · 2 blocks" in text_of(pane, "#result-head")


async def test_opening_another_job_lets_the_last_result_go(
    sim: Simulator, clock: FakeClock
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock)
    pane = pane_on(server, follow_clock)
    big = first(sim, "Parse", pred=lambda j: 60 <= j.num_pages < 120)
    small = first(sim, "Parse", pred=lambda j: 8 <= j.num_pages < 30)
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open(big)
        tree = pane.query_one(ResultTree)
        await settle(pilot, lambda: len(tree.root.children) > 1)
        shown = tree.root.children[0].data
        assert shown is not None and shown.kind == "chunk"
        gone = weakref.ref(shown.value)  # the chunk the tree shows, with its blocks
        del shown
        tree.root.children[0].expand()
        await pilot.pause()
        pane.open(small)
        await settle(pilot, lambda: pane.detail is not None and pane.job_id == small)
        await pilot.pause()
        gc.collect()
        assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]


async def test_a_result_frozen_by_a_refresh_while_open_is_freed_after_closing(
    sim: Simulator, clock: FakeClock
) -> None:
    follow_clock = FakeClock(0.0)
    server = DeafServer(sim, follow_clock)
    job_id = first(sim, "Parse", pred=lambda j: 60 <= j.num_pages < 120)

    async def open_and_close(pane: DetailPane) -> tuple[weakref.ref[Any], ...]:
        await app.mount(pane)
        pane.open(job_id)
        tree = pane.query_one(ResultTree)
        await settle(pilot, lambda: len(tree.root.children) > 1)
        tree.root.children[0].expand()
        await pilot.pause()
        shown = tree.root.children[0].data
        assert shown is not None and shown.kind == "chunk"
        refs = (weakref.ref(shown.value), weakref.ref(tree), weakref.ref(pane))
        keep_loaded_jobs_out_of_gc()  # what the app does after each refresh, while open
        await pane.remove()
        await pilot.pause()
        keep_loaded_jobs_out_of_gc()  # and after the next refresh
        return refs

    app: App[None] = App()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            closed = [await open_and_close(pane_on(server, follow_clock)) for _ in range(3)]
            assert all(chunk() is None for chunk, _, _ in closed), "a closed result stayed"
            # Textual may hold on to the pane removed last; none before it may stay frozen.
            alive = [tree() is not None or pane() is not None for _, tree, pane in closed]
            assert not any(alive[:-1]), alive
    finally:
        gc.unfreeze()


async def test_the_result_tree_counts_one_key_and_one_item_in_the_singular() -> None:
    record = {"invoice": {"total": 1}, "lines": [1], "parties": {"from": "a", "to": "b"}}
    result = {"usage": {"num_pages": 1, "num_fields": 3}, "result": [record]}
    body = {"status": "Completed", "type": "Extract", "result": result}
    pane = FixedJob(json.dumps(body).encode()).pane()
    async with PaneApp(pane).run_test(size=(120, 40)) as pilot:
        pane.open("job-1")
        tree = pane.query_one(ResultTree)

        def labels() -> list[str]:
            out, todo = [], list(tree.root.children)
            while todo:
                node = todo.pop(0)
                out.append(str(node.label))
                todo += node.children
            return out

        await settle(pilot, lambda: any(label.startswith("invoice") for label in labels()))
        shown = labels()
        assert "invoice: {…} 1 key" in shown, shown
        assert "lines: […] 1 item" in shown, shown
        assert "parties: {…} 2 keys" in shown, shown
