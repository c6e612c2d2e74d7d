"""The two views of a job (GET /jobs and GET /job/{id}) merge without moving it backwards."""

from __future__ import annotations

from typing import Any

from reducto_tui.api.models import JobDetail, SingleJob
from reducto_tui.api.status import StatusKind
from reducto_tui.core.store import JobStore
from reducto_tui.render import format as fmt
from reducto_tui.render.summary import summary
from tests.conftest import FROZEN, FakeClock
from tests.plain import plain

LISTED: dict[str, Any] = {
    "job_id": "j1",
    "type": "Parse",
    "created_at": "2026-03-01T11:00:00Z",
    "num_pages": 12,
    "total_pages": 12,
    "duration": 42.0,
    "source": "reducto://x/q3.pdf",
    "raw_config": "{}",
}


def store_with(status: str) -> JobStore:
    store = JobStore(clock=FakeClock())
    store.add_page([SingleJob.model_validate({**LISTED, "status": status})], None)
    return store


def test_a_running_job_read_through_get_job_stays_running_with_its_progress() -> None:
    store = store_with("InProgress")
    # v1.12.20: GET /job has no InProgress; a running job reads Pending with a percentage.
    store.update_detail("j1", JobDetail.model_validate({"status": "Pending", "progress": 40}))
    row = store.by_id["j1"]
    assert row.kind is StatusKind.RUNNING and row.status == "InProgress"
    assert row.progress == 0.4
    assert store.counts[StatusKind.RUNNING] == 1 and store.counts[StatusKind.QUEUED] == 0


def test_a_cancelled_job_seen_through_both_endpoints_stays_cancelled() -> None:
    cancelled_detail = JobDetail.model_validate(
        {
            "status": "Failed",
            "error": {"code": 400, "name": "JOB_CANCELLED", "message": "Job was cancelled"},
            "reason": "Job was cancelled",
        }
    )
    assert cancelled_detail.status_kind is StatusKind.CANCELLED
    # List first, then the job endpoint.
    store = store_with("Cancelled")
    store.update_detail("j1", cancelled_detail)
    assert store.by_id["j1"].kind is StatusKind.CANCELLED
    # The job endpoint first (a queued job cancelled meanwhile), then the list.
    store = store_with("Pending")
    changes = store.update_detail("j1", cancelled_detail)
    assert store.by_id["j1"].kind is StatusKind.CANCELLED
    assert [r.job_id for r in changes.finished] == ["j1"]
    store.upsert([SingleJob.model_validate({**LISTED, "status": "Cancelled"})])
    assert store.by_id["j1"].kind is StatusKind.CANCELLED
    assert store.counts[StatusKind.CANCELLED] == 1 and store.counts[StatusKind.FAILED] == 0
    # A plain "Failed" from GET /job (it cannot say Cancelled) does not undo the list's word.
    store.update_detail("j1", JobDetail.model_validate({"status": "Failed"}))
    assert store.by_id["j1"].kind is StatusKind.CANCELLED
    # The Summary of that answer says cancelled too.
    text = plain(summary("j1", cancelled_detail, FROZEN))
    assert "⊘" in text and "JOB_CANCELLED" in text


def test_an_error_code_in_the_code_field_also_means_cancelled() -> None:
    detail = JobDetail.model_validate({"status": "Failed", "error": {"code": "JOB_CANCELLED"}})
    assert detail.status_kind is StatusKind.CANCELLED


def test_the_plain_get_job_shape_does_not_blank_what_the_row_knows() -> None:
    store = store_with("InProgress")
    store.update_detail("j1", JobDetail.model_validate({"status": "Completed", "result": None}))
    row = store.by_id["j1"]
    assert row.kind is StatusKind.COMPLETED
    assert (row.num_pages, row.total_pages, row.duration) == (12, 12, 42.0)
    assert row.source == "reducto://x/q3.pdf" and row.type == "Parse"
    assert row.created == FROZEN - 3600
    # An answer without any status keeps the known one.
    store.update_detail("j1", JobDetail.model_validate({"progress": None}))
    assert store.by_id["j1"].kind is StatusKind.COMPLETED


def test_a_finished_job_never_moves_back_to_queued_or_running() -> None:
    store = store_with("Completed")
    store.update_detail("j1", JobDetail.model_validate({"status": "Pending", "progress": 10}))
    store.upsert([SingleJob.model_validate({**LISTED, "status": "InProgress"})])
    assert store.by_id["j1"].kind is StatusKind.COMPLETED
    assert store.by_id["j1"].progress is None
    # Forward moves still apply.
    store = store_with("Pending")
    store.update_detail("j1", JobDetail.model_validate({"status": "Pending", "progress": 5}))
    assert store.by_id["j1"].kind is StatusKind.RUNNING
    store.upsert([SingleJob.model_validate({**LISTED, "status": "Completing"})])
    store.update_detail("j1", JobDetail.model_validate({"status": "Completed"}))
    assert store.by_id["j1"].kind is StatusKind.COMPLETED


def test_progress_is_a_percentage() -> None:
    half_percent = JobDetail.model_validate({"status": "Pending", "progress": 0.5})
    assert half_percent.progress_fraction == 0.005
    assert fmt.progress_bar(half_percent.progress_fraction, 20).endswith("0.5%")
    half = JobDetail.model_validate({"status": "Pending", "progress": 50})
    assert fmt.progress_bar(half.progress_fraction, 20).endswith(" 50%")
    assert fmt.percent(0.5) == "50%" and fmt.percent(0.005) == "0.5%"
    assert JobDetail.model_validate({"progress": 250}).progress_fraction == 1.0
    running = JobDetail.model_validate({"status": "Pending", "progress": 0.5, "type": "Parse"})
    assert "0.5%" in plain(summary("j1", running, FROZEN))
