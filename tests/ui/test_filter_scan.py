"""A filter over many rows is scanned in chunks between frames (issue 14): the table keeps
drawing, finishes the scan by itself and the status line ends with the whole count."""

from __future__ import annotations

from reducto_tui.core.filters import compile_filter
from reducto_tui.core.store import SORT_KEYS
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import make_app, settle, wait_loaded


async def test_a_chunked_filter_ends_with_the_whole_result_on_screen(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock, page_size=100)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("a")
        await settle(pilot, lambda: not app.store.next_cursor and not app.main.loading_all)
        view = app.store.view
        view.SYNC_ROWS, view.CHUNK = 20, 7  # 300 rows: about 40 steps
        await pilot.press("slash", *"com")
        await settle(pilot, lambda: not view.scanning)
        await pilot.pause()
        keep = compile_filter("com", clock())
        ordered = sorted(app.store.rows, key=SORT_KEYS[view.sort_column], reverse=True)
        truth = [r for r in ordered if keep.matches(r)]
        assert 20 < len(truth) < 300
        assert view.shown == truth
        assert app.main.table.virtual_size.height == len(truth) + 1  # scrolls to the last match
        status = static_text(app.main.status_line)
        assert f"{len(truth)} match" in status and "…" not in status
        first = truth[0]
        assert app.main.table.current is first
