"""The app's list-page decode (no pydantic model per job) against the model path: for any
page a server may send, valid or hostile, a user sees the same rows, the same cursor and
skipped count, or the same error (property-based, hypothesis)."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reducto_tui.api.client import Answer, _jobs_page, _listed_page
from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.listing import ListedJob, ListedPage
from reducto_tui.api.models import JobsResponse, SingleJob
from reducto_tui.core.rows import JobRow, row_from_job, row_from_listed
from reducto_tui.core.store import JobStore
from reducto_tui.export import row_record

FIELDS: tuple[str, ...] = ("job_id", "status", "type", "source", "created", "num_pages")
FIELDS += ("total_pages", "duration", "kind", "low")

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 255, 256, 2**53, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.5, 3.0, 1e18, 1e20, 1e308]),
)
words = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "Pending",
            "InProgress",
            "Completed",
            "failed",
            "Cancelled",
            "NewWord",
            "",
            " 5 ",
            "5",
            "5.0",
            "+5",
            "5_0",
            "1e3",
            "-3",
            "٣",
            "2026-12-07T20:57:45.688630Z",
            "2026-12-07T20:57:45+14:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-05:00",
            "2026-13-45",
            "reducto://ab/Q3 Report.PDF",
        ]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, words)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["file_name", "url", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)
KEYS: tuple[str, ...] = ("status", "type", "num_pages", "total_pages", "duration", "created_at")
KEYS += ("source", "raw_config", "bucket", "progress", "extra_field")


@st.composite
def jobs(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 19)) == 0:  # not an object at all
        return draw(values)
    job: dict[str, Any] = {}
    id_kind = draw(st.integers(0, 9))
    if id_kind < 8:
        job["job_id"] = draw(st.one_of(st.uuids().map(str), st.text(max_size=8)))
    elif id_kind == 8:
        job["job_id"] = draw(values)
    for key in draw(st.lists(st.sampled_from(KEYS), unique=True)):
        job[key] = draw(values)
    return job


@st.composite
def pages(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 29)) == 0:
        return draw(values)
    page: dict[str, Any] = {}
    if draw(st.integers(0, 19)):
        page["jobs"] = draw(st.lists(jobs(), max_size=6))
    elif draw(st.booleans()):
        page["jobs"] = draw(values)
    if draw(st.booleans()):
        page["next_cursor"] = draw(st.one_of(st.text(max_size=8), values))
    if draw(st.integers(0, 4)) == 0:
        page["skipped"] = draw(values)
    return page


def answer(body: bytes) -> Answer:
    return Answer(200, httpx.Headers({"content-type": "application/json"}), body)


def decode(body: bytes, reader: Any) -> JobsResponse | ListedPage | str:
    try:
        page: JobsResponse | ListedPage = reader(answer(body))
    except BadResponseError as exc:
        return f"error: {exc.message}"
    return page


def seen(row: JobRow) -> dict[str, Any]:
    """What a user sees of a row: its fields (NaN never gets this far) and its export."""
    out = {name: getattr(row, name) for name in FIELDS}
    out["record"] = row_record(row)
    return out


def same_jobs(old: JobsResponse, new: ListedPage) -> None:
    assert (new.next_cursor, new.skipped) == (old.next_cursor, old.skipped)
    assert [j.job_id for j in new.jobs] == [j.job_id for j in old.jobs]
    for model, listed in zip(old.jobs, new.jobs, strict=True):
        # The row the store keeps, made the way each path makes it.
        assert seen(row_from_listed(listed)) == seen(row_from_job(model, model.job_id))
        assert listed.created == model.created
        assert listed.raw_config == model.raw_config
        # What the archive keeps: the listing as the model serialises it.
        assert listed.model().model_dump_json() == model.model_dump_json()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(pages())
@example({"jobs": [{"job_id": "a", "num_pages": 2**63, "duration": float("nan")}]})
@example({"jobs": [{"job_id": "a"}, 7], "next_cursor": 5})
@example({"jobs": [{"job_id": "a"}], "next_cursor": 5, "skipped": "many"})
@example({"skipped": "x"})
@example({"jobs": None})
def test_the_list_decode_shows_what_the_model_path_shows(page: Any) -> None:
    body = json.dumps(page).encode()  # NaN and Infinity included, as a careless server sends
    old, new = decode(body, _jobs_page), decode(body, _listed_page)
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    assert isinstance(old, JobsResponse) and isinstance(new, ListedPage)
    same_jobs(old, new)


def test_numbers_too_long_to_read_degrade_the_same_way() -> None:
    huge = "9" * 5000
    job = f'{{"job_id": "a", "num_pages": {huge}, "status": {huge}, "source": "x.pdf"}}'
    body = f'{{"jobs": [{job}], "next_cursor": "c"}}'.encode()
    old, new = decode(body, _jobs_page), decode(body, _listed_page)
    assert isinstance(old, JobsResponse) and isinstance(new, ListedPage)
    same_jobs(old, new)
    assert (new.jobs[0].num_pages, new.jobs[0].status) == (None, None)


def test_the_store_takes_listed_jobs_as_it_takes_models() -> None:
    listing: list[dict[str, Any]] = [
        {"job_id": "j1", "status": "Completed", "created_at": "2026-01-01T00:00:00Z"},
        {"job_id": "j2", "status": "weird", "num_pages": -1, "duration": "NaN"},
    ]
    models, listed = JobStore(), JobStore()
    models.add_page([SingleJob.model_validate(j) for j in listing], "c")
    listed.add_page(decode_jobs(listing), "c")
    assert [seen(r) for r in listed.rows] == [seen(r) for r in models.rows]
    assert listed.rows[1].status == "weird" and listed.rows[1].num_pages is None
    assert listed.rows[1].duration is None and not math.isnan(listed.rows[0].created or 0)


def decode_jobs(listing: list[dict[str, Any]]) -> list[ListedJob]:
    page = _listed_page(answer(json.dumps({"jobs": listing}).encode()))
    return page.jobs
