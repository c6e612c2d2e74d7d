"""A background refresh that meets more new jobs than its page bound (issue 12): the status
line must not claim everything is loaded, and must say which key loads the rest."""

from __future__ import annotations

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, wait_loaded


async def test_more_new_jobs_than_the_gap_bound_are_announced_and_r_loads_them(
    clock: FakeClock,
) -> None:
    sim = Simulator(jobs=5, seed=4, clock=clock, arrival_interval=0)
    app = make_app(sim, clock, page_size=10)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_loaded(pilot, app)
        app.poller.loader.max_gap_pages = 3
        await settle(pilot, lambda: "all 5 loaded" in screen_lines(app)[-2])
        for n in range(75):
            clock.advance(1)
            sim.create("Parse", {"input": f"https://x/new-{n}.pdf"})
        app.main.poll()  # what the timer does: a background round
        await settle(pilot, lambda: "35 loaded" in screen_lines(app)[-2])
        status = screen_lines(app)[-2]
        assert "all 35 loaded" not in status, status
        assert "more new jobs may be missing (r: load them)" in status, status

        await pilot.press("r")  # three more pages of them
        await settle(pilot, lambda: "65 loaded" in screen_lines(app)[-2])
        assert "more new jobs may be missing (r: load them)" in screen_lines(app)[-2]
        await pilot.press("r")  # the rest, down to the jobs loaded before
        await settle(pilot, lambda: "all 80 loaded" in screen_lines(app)[-2])
        status = screen_lines(app)[-2]
        assert "all 80 loaded" in status and "missing" not in status, status
        assert [r.job_id for r in app.store.view.rows] == [
            j.job_id for j in reversed(sim.jobs) if sim.visible(j, clock())
        ]
