"""The detail pane for every result kind, loaded from the demo server."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TabbedContent

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.json_view import JsonView
from reducto_tui.ui.widgets.result_tree import ResultTree
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import make_app, settle, wait_loaded


async def open_job(pilot, app, job_id: str) -> DetailPane:  # type: ignore[no-untyped-def]
    index = app.store.view.index_of(job_id)
    assert index is not None, "job not in the loaded page"
    app.table.set_cursor(index)
    await pilot.press("enter")
    await settle(
        pilot, lambda: app.detail.detail is not None or app.detail.error is not None, rounds=200
    )
    return app.detail


def first(sim: Simulator, type_: str, status: str = "Completed", pred=lambda j: True) -> str:  # type: ignore[no-untyped-def]
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
        await pilot.press("down", "enter")  # cursor to the first chunk, expand it
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
        assert pane.detail.error.name in summary
        await pilot.press("ctrl+f")
        await pilot.press(*"reason")
        await settle(pilot, lambda: pane.query_one(JsonView).match_line is not None, rounds=50)
        view = pane.query_one(JsonView)
        assert view.match_line is not None and "reason" in view.lines[view.match_line]


async def test_missing_job_shows_error_in_place_and_escape_returns(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(180, 50)) as pilot:
        await wait_loaded(pilot, app)
        row = app.table.current
        assert row is not None
        sim.by_id.pop(row.job_id)  # the server forgets it (expired)
        cursor = app.table.cursor
        pane = await open_job(pilot, app, row.job_id)
        assert pane.error is not None and "12 hours" in text_of(pane, "#summary")
        assert "retry" in text_of(pane, "#summary")
        await pilot.press("escape")
        await pilot.pause()
        assert app.open_job is None and app.table.cursor == cursor and app.table.has_focus


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
        assert not isinstance(app.screen, DetailScreen) and app.open_job is None


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
