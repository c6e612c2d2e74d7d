"""Cancel and delete of many jobs (core.actions) against the demo server: what is sent, what
the report the user reads says, and what the list shows afterwards."""

from __future__ import annotations

from reducto_tui.api.models import SingleJob
from reducto_tui.api.status import status_kind
from reducto_tui.core.actions import Report, cancel_jobs, delete_jobs, split_cancellable
from reducto_tui.core.rows import row_from_job
from reducto_tui.core.store import JobStore
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client


def loaded(sim: Simulator, clock: FakeClock) -> JobStore:
    store = JobStore(clock=clock)
    now = clock()
    jobs = [
        SingleJob.model_validate({"job_id": j.job_id, "status": j.status(now), "type": j.type})
        for j in reversed(sim.jobs)
    ]
    store.add_page(jobs, None)
    return store


def with_status(sim: Simulator, clock: FakeClock, status: str) -> str:
    return next(j.job_id for j in sim.jobs if j.status(clock()) == status)


def test_the_report_says_what_happened_in_one_line() -> None:
    assert Report("cancelled", done=["a", "b"]).summary() == "cancelled 2"
    report = Report("cancelled", done=["a"], skipped=["b", "c"], failed=[("d", "Job gone.")])
    assert report.summary() == "cancelled 1, skipped 2 (already finished), failed 1 (Job gone.)"
    first = Report("deleted", failed=[("x", "first reason"), ("y", "second reason")])
    assert first.summary() == "deleted 0, failed 2 (first reason)"


def test_only_queued_and_running_jobs_are_sent_to_cancel(clock: FakeClock) -> None:
    rows = [
        row_from_job(SingleJob.model_validate({"job_id": status, "status": status}), status)
        for status in ("Pending", "InProgress", "Completed", "Failed", "Cancelled", "Teleporting")
    ]
    send, skip = split_cancellable(rows)
    assert [r.job_id for r in send] == ["Pending", "InProgress"]
    assert [r.job_id for r in skip] == ["Completed", "Failed", "Cancelled", "Teleporting"]


async def test_cancel_sends_the_unfinished_skips_the_rest_and_updates_the_list(
    sim: Simulator, clock: FakeClock
) -> None:
    queued = [sim.create("Parse", {"input": f"https://x/{n}.pdf"}).job_id for n in range(3)]
    unknown = sim.create("Parse", {"input": "https://x/odd.pdf"}).job_id
    store = loaded(sim, clock)
    # The list says a status we do not know: never send a cancel for it (it may be finished).
    store.by_id[unknown].status = "Teleporting"
    store.by_id[unknown].kind = status_kind("Teleporting")
    done = with_status(sim, clock, "Completed")
    seen: list[tuple[str, str | None]] = []
    rows = [store.by_id[j] for j in [*queued, done, unknown]]
    async with in_process_client(sim) as client:
        report, changes = await cancel_jobs(
            client,
            store,
            rows,
            concurrency=2,
            on_change=lambda r: seen.append((r.job_id, r.local)),
        )
    assert report.summary() == "cancelled 3, skipped 2 (already finished)"
    assert sorted(report.done) == sorted(queued) and report.skipped == [done, unknown]
    assert all(sim.by_id[j].status(clock()) == "Cancelled" for j in queued)
    assert sim.by_id[unknown].cancelled_at is None, "an unknown status is not sent to cancel"
    assert sim.by_id[done].cancelled_at is None
    # The list shows each as cancelling while it is sent, then as the server has it now.
    for job_id in queued:
        assert seen.count((job_id, "cancelling")) == 1 and seen.count((job_id, None)) == 1
        row = store.by_id[job_id]
        assert row.local is None and row.kind.value == "cancelled"
    assert sorted(r.job_id for r in changes.finished) == sorted(queued)


async def test_a_refused_cancel_is_reported_with_the_servers_reason_and_clears_cancelling(
    sim: Simulator, clock: FakeClock
) -> None:
    store = loaded(sim, clock)
    done = with_status(sim, clock, "Completed")
    store.by_id[done].status = "Pending"  # the list is behind: the job already finished
    store.by_id[done].kind = status_kind("Pending")
    async with in_process_client(sim) as client:
        report, changes = await cancel_jobs(client, store, [store.by_id[done]])
    assert report.done == [] and [j for j, _ in report.failed] == [done]
    assert report.summary().startswith("cancelled 0, failed 1 (")
    assert "already Completed" in report.summary()
    assert store.by_id[done].local is None, "no row stays 'cancelling' after a failure"
    assert not changes.changed


async def test_delete_waits_until_the_server_says_the_data_is_gone(
    sim: Simulator, clock: FakeClock
) -> None:
    store = loaded(sim, clock)
    targets = [with_status(sim, clock, "Completed"), with_status(sim, clock, "Failed")]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the server's cleanup runs on the test's clock
        waits.append(seconds)
        clock.advance(seconds)

    async with in_process_client(sim) as client:
        report = await delete_jobs(
            client, store, [store.by_id[j] for j in targets], include_persisted=True, sleep=sleep
        )
    assert report.summary() == "deleted 2"
    assert all(store.by_id[j].local == "deleted" for j in targets)
    assert all(sim.by_id[j].deleted_at is not None for j in targets)
    assert waits and all(w == 1.0 for w in waits), "asked once a second while it cleans up"


async def test_delete_says_so_when_the_cleanup_outlasts_the_checks(
    sim: Simulator, clock: FakeClock
) -> None:
    store = loaded(sim, clock)
    target = with_status(sim, clock, "Completed")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the clock stands still: cleanup never ends
        waits.append(seconds)

    async with in_process_client(sim) as client:
        report = await delete_jobs(client, store, [store.by_id[target]], sleep=sleep, checks=4)
    assert report.summary() == "deleted 1"
    assert store.by_id[target].local == "deleting (cleanup still running)"
    assert waits == [1.0] * 4


async def test_deleting_an_unknown_job_fails_with_the_reason_and_leaves_the_row_as_it_was(
    sim: Simulator, clock: FakeClock
) -> None:
    store = loaded(sim, clock)
    target = with_status(sim, clock, "Completed")
    del sim.by_id[target]  # the server no longer knows it
    changed: list[str | None] = []
    async with in_process_client(sim) as client:
        report = await delete_jobs(
            client, store, [store.by_id[target]], on_change=lambda r: changed.append(r.local)
        )
    assert report.done == [] and report.summary().startswith("deleted 0, failed 1 (")
    assert "not found" in report.summary().lower()
    assert store.by_id[target].local is None
    assert changed == ["deleting", None]
