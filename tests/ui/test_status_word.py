"""The table and the detail show the same status word for the same job: the list says
InProgress while GET /job still says Pending (progress 0 as a run starts); a tester saw
InProgress in the table and Pending in the detail (issue 12)."""

from __future__ import annotations

import re

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, screen_lines, settle, wait_loaded

BADGE = re.compile(r"([◷▶✔✘⊘?]) (\w+)")


async def test_table_and_detail_agree_on_a_job_that_just_started(clock: FakeClock) -> None:
    sim = Simulator(jobs=10, seed=3, clock=clock, arrival_interval=0)
    job = sim.create("Parse", {"input": "https://x/starting.pdf"})
    clock.advance(job.queue_s + 0.001)  # its run starts now: progress 0.0
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        index = app.store.view.index_of(job.job_id)
        assert index is not None
        app.main.table.set_cursor(index)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None)
        await pilot.pause(0.3)
        lines = screen_lines(app)
        short = job.job_id[:8]
        # The table row: the badge, then the id's first 8 characters (the title has it all).
        row_line = next(
            line for line in lines if short in line and BADGE.search(line[: line.index(short)])
        )
        in_table = BADGE.search(row_line[: row_line.index(short)])
        assert in_table is not None and in_table.groups() == ("▶", "InProgress"), row_line
        detail_line = next(line for line in lines if re.search(r"Status\s+[◷▶✔✘⊘?] ", line))
        in_detail = BADGE.search(detail_line[detail_line.index("Status") :])
        assert in_detail is not None, detail_line
        assert in_detail.groups() == in_table.groups(), detail_line
