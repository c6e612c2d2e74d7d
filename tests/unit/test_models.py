"""The models read every documented shape, and degrade instead of crashing on anything else."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from reducto_tui.api.models import (
    ChartResponse,
    ClassifyResponse,
    DeepSplitResult,
    EditResponse,
    ExtractResponse,
    FullResult,
    JobDetail,
    JobsResponse,
    ParseResponse,
    PipelineResponse,
    SplitResponse,
    SplitResult,
    UnknownResult,
    UrlResult,
    V3ExtractResponse,
    source_label,
)
from reducto_tui.api.status import StatusKind, can_cancel, is_finished, job_kind, status_kind
from reducto_tui.demo import payloads
from tests.conftest import DATA


def seed_example() -> dict[str, Any]:
    """The example response of ``GET /job/{job_id}`` from the SDK docs (seed 001), verbatim."""
    example: dict[str, Any] = json.loads((DATA / "seed_001_job_example.json").read_text())
    return example


def test_seed_example_response_round_trips() -> None:
    raw = seed_example()
    job = JobDetail.model_validate(raw)
    assert job.status == "Pending"
    assert isinstance(job.result, ParseResponse)  # no response_type in the example: inferred
    body = job.result.result
    assert isinstance(body, FullResult)
    block = body.chunks[0].blocks[0]
    assert block.type == "Header" and block.bbox.page == 123
    assert body.ocr is not None and body.ocr.words[0].text == "<string>"
    again = JobDetail.model_validate_json(job.model_dump_json())
    assert again.result == job.result


RNG = random.Random(3)


@pytest.mark.parametrize(
    ("payload", "model"),
    [
        (payloads.parse_result(RNG, "j1", 3, ocr=True), ParseResponse),
        (payloads.extract_result(RNG, "j2", 2), ExtractResponse),
        (payloads.split_result(RNG, "j3", 9, deep=False), SplitResponse),
        (payloads.split_result(RNG, "j4", 9, deep=True), SplitResponse),
        (payloads.classify_result(RNG, "j5", 1), ClassifyResponse),
        (payloads.edit_result(RNG, "j6", 2), EditResponse),
        (payloads.chart_result(RNG, "j7"), ChartResponse),
        (payloads.pipeline_result(RNG, "j8", 6), PipelineResponse),
        (
            {
                "response_type": "v3_extract",
                "usage": {"num_pages": 1, "num_fields": 1},
                "result": {"a": 1},
            },
            V3ExtractResponse,
        ),
    ],
)
def test_every_result_kind_reads_as_its_model(payload: dict[str, Any], model: type) -> None:
    job = JobDetail.model_validate({"status": "Completed", "result": payload})
    assert isinstance(job.result, model)
    dumped = json.loads(job.model_dump_json(exclude_unset=True))["result"]
    assert dumped == json.loads(json.dumps(payload))


def test_split_variants_and_url_results() -> None:
    simple = JobDetail.model_validate(
        {"status": "Completed", "result": payloads.split_result(RNG, "s", 9, deep=False)}
    )
    deep = JobDetail.model_validate(
        {"status": "Completed", "result": payloads.split_result(RNG, "s", 9, deep=True)}
    )
    assert isinstance(simple.result, SplitResponse) and isinstance(
        simple.result.result, SplitResult
    )
    assert isinstance(deep.result, SplitResponse) and isinstance(
        deep.result.result, DeepSplitResult
    )
    url = {"type": "url", "url": "https://x/y", "result_id": "r"}
    for body in (
        {"response_type": "parse", "duration": 1, "usage": {"num_pages": 1}, "result": url},
        {"response_type": "split", "usage": {"num_pages": 1}, "result": url},
        {
            "response_type": "extract",
            "usage": {"num_pages": 1, "num_fields": 1},
            "result": url,
            "citations": url,
        },
        {"response_type": "classify", "job_id": "c", "result": url},
    ):
        job = JobDetail.model_validate({"status": "Completed", "result": body})
        inner = getattr(job.result, "result", None)
        assert isinstance(inner, UrlResult), body["response_type"]


def test_failed_job_error_object_and_unknown_values_are_kept() -> None:
    job = JobDetail.model_validate(
        {
            "status": "Exploded",
            "type": "Hologram",
            "created_at": "not a date",
            "num_pages": "many",
            "reason": "The document is password protected.",
            "error": {
                "code": 400,
                "name": "DOCUMENT_PASSWORD_PROTECTED",
                "message": "Locked",
                "extra": 1,
            },
            "brand_new_field": {"x": 1},
        }
    )
    assert job.status == "Exploded" and job.status_kind is StatusKind.UNKNOWN
    assert job.type == "Hologram"
    assert job.created is None and job.created_at == "not a date"
    assert job.num_pages is None
    assert job.error is not None and job.error.name == "DOCUMENT_PASSWORD_PROTECTED"
    assert job.model_extra == {"brand_new_field": {"x": 1}}


@pytest.mark.parametrize(
    "result",
    [
        {"response_type": "hologram", "data": [1, 2]},
        {"response_type": "parse", "result": 5},
        {"weird": True},
        [1, 2, 3],
        "just a string",
    ],
)
def test_unreadable_results_fall_back_to_raw_json(result: object) -> None:
    job = JobDetail.model_validate({"status": "Completed", "result": result})
    assert isinstance(job.result, UnknownResult)
    assert job.result.raw == result


def test_jobs_response_and_progress() -> None:
    page = JobsResponse.model_validate(
        {
            "jobs": [
                {
                    "job_id": "a",
                    "status": "processing",
                    "type": "Chart",
                    "created_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    )
    assert page.jobs[0].status_kind is StatusKind.RUNNING
    assert page.jobs[0].created is not None and page.jobs[0].created.year == 2026
    assert page.next_cursor is None
    assert (
        JobDetail.model_validate({"status": "InProgress", "progress": 40}).progress_fraction == 0.4
    )
    # A percentage, not a fraction: 0.25 is a quarter of one percent.
    assert (
        JobDetail.model_validate({"status": "InProgress", "progress": 0.25}).progress_fraction
        == 0.0025
    )


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Pending", StatusKind.QUEUED),
        ("pending", StatusKind.QUEUED),
        ("Idle", StatusKind.QUEUED),
        ("InProgress", StatusKind.RUNNING),
        ("processing", StatusKind.RUNNING),
        ("Completing", StatusKind.RUNNING),
        ("Completed", StatusKind.COMPLETED),
        ("completed", StatusKind.COMPLETED),
        ("Failed", StatusKind.FAILED),
        ("Cancelled", StatusKind.CANCELLED),
        ("cancelled", StatusKind.CANCELLED),
        ("Teleporting", StatusKind.UNKNOWN),
        (None, StatusKind.UNKNOWN),
        ("", StatusKind.UNKNOWN),
        ("queued", StatusKind.QUEUED),
        (" In Progress ", StatusKind.RUNNING),
        ("in-progress", StatusKind.RUNNING),
        ("in_progress", StatusKind.RUNNING),
        ("running", StatusKind.RUNNING),
        ("complete", StatusKind.COMPLETED),
        ("Succeeded", StatusKind.COMPLETED),
        ("error", StatusKind.FAILED),
        ("canceled", StatusKind.CANCELLED),
    ],
)
def test_status_words_map_to_one_display_state(raw: str | None, kind: StatusKind) -> None:
    assert status_kind(raw) is kind


@pytest.mark.parametrize(
    ("raw", "progress", "error_name", "kind"),
    [
        ("Pending", None, None, StatusKind.QUEUED),
        ("Pending", 0.0, None, StatusKind.QUEUED),
        ("Pending", 12.5, None, StatusKind.RUNNING),  # GET /job's running job
        ("Failed", None, "JOB_CANCELLED", StatusKind.CANCELLED),
        ("Failed", None, "TIMEOUT", StatusKind.FAILED),
        ("Completed", 100.0, "JOB_CANCELLED", StatusKind.COMPLETED),
        ("Idle", 50.0, None, StatusKind.RUNNING),
    ],
)
def test_a_job_detail_reads_running_and_cancelled_from_progress_and_error(
    raw: str, progress: float | None, error_name: str | None, kind: StatusKind
) -> None:
    assert job_kind(raw, progress=progress, error_name=error_name) is kind


def test_finished_and_cancellable() -> None:
    assert is_finished("Completed") and is_finished("failed") and is_finished("Cancelled")
    assert not is_finished("Completing") and not is_finished("Teleporting")
    assert can_cancel("Pending") and can_cancel("InProgress") and not can_cancel("Completed")
    assert not can_cancel("Teleporting") and not can_cancel(None) and not is_finished(None)
    assert can_cancel("Idle") and not can_cancel("Cancelled") and not can_cancel("Failed")


def test_source_labels() -> None:
    assert source_label("reducto://x/a.pdf") == "reducto://x/a.pdf"
    assert source_label({"file_name": "b.pdf", "size": 3}) == "b.pdf"
    assert source_label(["a.pdf", "b.pdf"]) == "a.pdf (+1)"
    assert source_label(None) == ""
    assert source_label(42) == "42"


def test_a_split_result_keeps_its_kind_when_read_again_from_a_model() -> None:
    """The detail re-reads results it already holds (and the archive stores models): a deep
    split must not turn simple, nor a link into an empty split."""
    rng = random.Random(1)
    for deep, kind in ((True, DeepSplitResult), (False, SplitResult)):
        first = SplitResponse.model_validate(payloads.split_result(rng, "s", 9, deep=deep))
        again = SplitResponse.model_validate({"response_type": "split", "result": first.result})
        assert type(first.result) is kind and type(again.result) is kind
        assert again.result == first.result
    link = UrlResult.model_validate({"type": "url", "url": "https://x/r.json", "result_id": "r"})
    assert type(SplitResponse.model_validate({"result": link}).result) is UrlResult


@pytest.mark.parametrize(
    ("splits", "kind"),
    [
        (["text"], UnknownResult),
        ({"x": 1}, UnknownResult),
        ("ab", UnknownResult),
        ([], SplitResponse),
    ],
)
def test_a_split_result_of_the_wrong_shape_is_unknown_not_a_crash(
    splits: object, kind: type
) -> None:
    body = {"response_type": "split", "result": {"splits": splits}}
    job = JobDetail.model_validate({"status": "Completed", "result": body})
    assert job.status == "Completed" and type(job.result) is kind  # the raw JSON stays shown
