"""``status:`` filters (and the quick status keys that write them) judge a job by the state
its row shows, not by the raw word: ``GET /job`` calls a running job "Pending" (with a
progress) and a cancelled one "Failed" (with JOB_CANCELLED) (issue 12)."""

from __future__ import annotations

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.status import StatusKind
from reducto_tui.core.filter_text import with_status
from reducto_tui.core.store import JobStore
from reducto_tui.demo.simulator import Simulator
from reducto_tui.render.status import status_badge
from tests.conftest import FakeClock


async def test_status_terms_match_what_the_row_shows(
    sim: Simulator, clock: FakeClock, client: ReductoClient
) -> None:
    cancelled = sim.create("Parse", {"input": "https://x/cancelled.pdf"})
    assert sim.cancel(cancelled)
    running = sim.create("Parse", {"input": "https://x/running.pdf"})
    clock.advance(running.queue_s + running.run_s / 2)
    store = JobStore(clock=clock)
    for job in (running, cancelled):  # known only through GET /job, as a job opened by id
        store.update_detail(job.job_id, await client.get_job(job.job_id))
    rows = {r.job_id: r for r in store.rows}
    assert (rows[running.job_id].status, rows[running.job_id].kind) == (
        "Pending",
        StatusKind.RUNNING,
    )
    assert (rows[cancelled.job_id].status, rows[cancelled.job_id].kind) == (
        "Failed",
        StatusKind.CANCELLED,
    )

    def found(text: str) -> set[str]:
        store.view.set_filter(text)
        return {r.job_id for r in store.view.rows}

    assert found(with_status("", "running")) == {running.job_id}
    assert found(with_status("", "queued")) == set()
    assert found(with_status("", "cancelled")) == {cancelled.job_id}
    assert found(with_status("", "failed")) == set()
    assert found("-status:running") == {cancelled.job_id}
    # The word beside the glyph is the state's, so a word search agrees with the screen.
    assert status_badge("Pending", StatusKind.RUNNING).plain == "▶ InProgress"
    assert status_badge("Failed", StatusKind.CANCELLED).plain == "⊘ Cancelled"
    assert found("status:inprogress") == {running.job_id}
    assert found("status:pending") == set()
