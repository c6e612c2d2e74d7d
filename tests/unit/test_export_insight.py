"""The insight export (JSON as the CLI prints it, CSV one measure a row) and the one message
for a job too deeply nested to write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.models import JobDetail
from reducto_tui.export import JOB_JSON, insight_records, render_insight, render_job, too_deep
from reducto_tui.render.format import absolute
from tests.conftest import FROZEN

LATENCY = {"type": "Parse", "jobs": 2, "p50": 9.5, "p90": 12.0, "p99": 12.0, "max": 12.0,
           "queue_waits": 1, "queue_wait_p50": 3.0, "queue_wait_p90": 3.0}  # fmt: skip
BODY: dict[str, Any] = {
    "filter": "status:failed",
    "jobs": 3, "pages": 12, "credits": 1.5, "credits_known": 2, "pages_per_minute": 0.5,
    "jobs_per_minute": 0.1, "open_jobs": 1, "open_pages": 4, "drain_seconds": 480.0,
    "stuck": 0, "failures_unknown": 1, "failures_gone": 2,
    "counts": {"completed": 2, "failed": 1},
    "bucket_seconds": 300,
    "buckets": [{"start": FROZEN - 300, "completed": 2, "failed": 1, "cancelled": 0,
                 "pages": 12, "credits": 1.5}],
    "latency": [LATENCY],
    "failures": [{"key": "TIMEOUT", "count": 1, "reason": "took too long"}],
}  # fmt: skip


def test_insight_numbers_in_long_form_one_measure_a_row() -> None:
    when = absolute(FROZEN - 300)
    assert [tuple(r.values()) for r in insight_records(BODY)] == [
        ("selection", "", "filter", "status:failed"),
        ("total", "", "jobs", 3),
        ("total", "", "pages", 12),
        ("total", "", "credits", 1.5),
        ("total", "", "credits_known", 2),
        ("total", "", "pages_per_minute", 0.5),
        ("total", "", "jobs_per_minute", 0.1),
        ("total", "", "open_jobs", 1),
        ("total", "", "open_pages", 4),
        ("total", "", "drain_seconds", 480.0),
        ("total", "", "stuck", 0),
        ("total", "", "failures_unknown", 1),
        ("total", "", "failures_gone", 2),
        ("state", "completed", "jobs", 2),
        ("state", "failed", "jobs", 1),
        ("per 300 s", when, "completed", 2),
        ("per 300 s", when, "failed", 1),
        ("per 300 s", when, "cancelled", 0),
        ("per 300 s", when, "pages", 12),
        ("per 300 s", when, "credits", 1.5),
        ("duration", "Parse", "jobs", 2),
        ("duration", "Parse", "p50", 9.5),
        ("duration", "Parse", "p90", 12.0),
        ("duration", "Parse", "p99", 12.0),
        ("duration", "Parse", "max", 12.0),
        ("duration", "Parse", "queue_waits", 1),
        ("duration", "Parse", "queue_wait_p50", 3.0),
        ("duration", "Parse", "queue_wait_p90", 3.0),
        ("failure", "TIMEOUT", "count", 1),
        ("failure", "TIMEOUT", "reason", "took too long"),
    ]
    assert all(list(r) == ["section", "item", "measure", "value"] for r in insight_records(BODY))
    every_job = insight_records({k: v for k, v in BODY.items() if k != "filter"})
    assert every_job[0] == {"section": "selection", "item": "", "measure": "filter", "value": ""}


def test_the_insight_export_as_csv_or_json() -> None:
    lines = render_insight(BODY, csv=True).splitlines()
    assert lines[:3] == [
        "section,item,measure,value",
        "selection,,filter,status:failed",
        "total,,jobs,3",
    ]
    assert lines[-1] == "failure,TIMEOUT,reason,took too long" and len(lines) == 31
    text = render_insight(BODY, csv=False)
    assert text.endswith("}\n") and json.loads(text) == BODY
    assert text.startswith('{\n  "filter": "status:failed",\n')


def test_json_too_deep_to_write_is_one_clear_message() -> None:
    assert too_deep().message == (
        "The job's JSON is nested too deeply (hundreds of levels) to write it out; "
        "nothing was written."
    )
    assert too_deep("show", then="").message == (
        "The job's JSON is nested too deeply (hundreds of levels) to show."
    )
    deep: Any = "bottom"
    for _ in range(5000):
        deep = [deep]
    detail = JobDetail.model_validate({"status": "Completed", "result": {"custom": deep}})
    with pytest.raises(BadResponseError) as err:
        render_job(JOB_JSON, detail, "deep-1")
    assert err.value.message == too_deep().message
