"""Rows built the fast way say exactly what the models say (issue 14: loading 100k jobs)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reducto_tui.api.models import JobDetail, SingleJob, parse_timestamp
from reducto_tui.core.rows import row_from_job, seconds

STAMPS = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.datetimes().map(lambda d: d.isoformat() + "+14:00"),
    st.datetimes().map(lambda d: d.isoformat() + "-05:30"),
    st.text(max_size=40),
    st.sampled_from(["", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00", "2026-11-25"]),
)


@given(STAMPS)
@settings(max_examples=400)
def test_seconds_equals_the_careful_parse(raw: str) -> None:
    careful = parse_timestamp(raw)
    assert seconds(raw) == (careful.timestamp() if careful is not None else None)


def test_a_row_holds_what_the_model_says() -> None:
    job = SingleJob.model_validate(
        {
            "job_id": "AbC-1",
            "status": "InProgress",
            "type": "Parse",
            "source": {"file_name": "Q3 Report.PDF"},
            "created_at": "2026-11-25T10:00:00Z",
            "num_pages": 3,
            "duration": 1.5,
        }
    )
    row = row_from_job(job, job.job_id)
    assert row.kind is job.status_kind
    assert job.created is not None and row.created == job.created.timestamp()
    assert (row.status, row.type, row.source) == ("InProgress", "Parse", "Q3 Report.PDF")
    assert row.low == "q3 report.pdf\x00abc-1"  # lower-cased source and id, both searched
    lower = row_from_job(SingleJob.model_validate({"job_id": "j1", "source": "a.pdf"}), "j1")
    assert lower.low is lower.source  # nothing to lower: the source itself, no copy


def test_a_detail_row_keeps_its_state_from_progress_and_error() -> None:
    running = JobDetail.model_validate({"status": "Pending", "progress": 40})
    cancelled = JobDetail.model_validate(
        {"status": "Failed", "error": {"name": "JOB_CANCELLED"}, "reason": "Stopped By User"}
    )
    assert row_from_job(running, "j").kind is running.status_kind
    row = row_from_job(cancelled, "k")
    assert row.kind is cancelled.status_kind and row.reason == "Stopped By User"
    assert "stopped by user" in row.low
