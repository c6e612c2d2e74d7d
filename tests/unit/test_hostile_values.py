"""Bad numbers, dates and types from a server: that field reads "unknown", nothing raises,
and no control character reaches the screen or an export (property-based, hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import RenderableType

from reducto_tui import export
from reducto_tui.api.models import (
    ChartResponse,
    ClassifyResponse,
    EditResponse,
    ExtractResponse,
    ExtractSplitResponse,
    FullResult,
    JobDetail,
    KnownResult,
    ParseResponse,
    PipelineResponse,
    SingleJob,
    SplitResponse,
    UnknownResult,
    V3ExtractResponse,
    parse_timestamp,
)
from reducto_tui.api.status import StatusKind
from reducto_tui.core.store import JobStore
from reducto_tui.demo import payloads
from reducto_tui.render import format as fmt
from reducto_tui.render import json_tree
from reducto_tui.render.chart import chart_view
from reducto_tui.render.classify import classify_view
from reducto_tui.render.edit import edit_view
from reducto_tui.render.extract import citations_table, extract_header
from reducto_tui.render.parse import block_body, block_label, chunk_body, chunk_label, page_drawing
from reducto_tui.render.split import split_view
from reducto_tui.render.status import status_badge
from reducto_tui.render.summary import summary
from reducto_tui.render.usage import usage_of, usage_table
from tests.conftest import FROZEN, FakeClock
from tests.plain import plain

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = [
    "\x1b]0;pwned\x1b\\",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x1b[2J",
    "\x9b2J",
    "a\u202eb",
    "\u2066x\u2069",
    "\x7f\x00\r",
    "[bold]x[/]",
]
EXTREME_DATES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "not a date",
    "",
]
JOB_FIELDS = (
    "status",
    "type",
    "num_pages",
    "total_pages",
    "duration",
    "created_at",
    "raw_config",
    "source",
    "bucket",
)
DETAIL_FIELDS = (*JOB_FIELDS, "progress", "reason", "error", "result")

#: Stands for a 5000-digit integer (hypothesis cannot print one): swapped in after drawing.
HUGE = "<5000-digit int>"


def _swap_huge(value: Any) -> Any:
    if value == HUGE:
        return 10**5000
    if isinstance(value, dict):
        return {k: _swap_huge(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_huge(v) for v in value]
    return value


texts = st.text(max_size=12) | st.sampled_from(HOSTILE)
numbers = (
    st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 1e308, 10**19, -1, HUGE])
)
scalars = st.none() | st.booleans() | numbers | texts | st.sampled_from(EXTREME_DATES)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)


def _rng_payload(kind: str, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    makers = {
        "parse": lambda: payloads.parse_result(rng, "j", 2, blocks_per_page=2, ocr=True),
        "split": lambda: payloads.split_result(rng, "j", 4, deep=seed % 2 == 0),
        "extract": lambda: payloads.extract_result(rng, "j", 2),
        "classify": lambda: payloads.classify_result(rng, "j", 2),
        "edit": lambda: payloads.edit_result(rng, "j", 2),
        "chart": lambda: payloads.chart_result(rng, "j"),
        "pipeline": lambda: payloads.pipeline_result(rng, "j", 2),
    }
    return makers[kind]()


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value[:3]):
            out += _paths(inner, (*path, n))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def results(draw: st.DrawFn) -> Any:
    """A real result of some kind (from the demo's payloads) with a few values made hostile,
    or an arbitrary JSON value."""
    if draw(st.booleans()):
        return draw(json_values)
    kind = draw(
        st.sampled_from(["parse", "split", "extract", "classify", "edit", "chart", "pipeline"])
    )
    body = _rng_payload(kind, draw(st.integers(0, 50)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        body = _replace(body, draw(st.sampled_from(paths[1:])), draw(json_values))
    return body


@st.composite
def job_bodies(draw: st.DrawFn, fields: tuple[str, ...]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in fields:
        if name == "result":
            if draw(st.booleans()):
                body[name] = draw(results())
        elif draw(st.booleans()):
            body[name] = draw(json_values)
    return body


def text_of(renderable: RenderableType) -> str:
    out = plain(renderable, width=100)
    assert not CONTROL.search(out.replace("\n", "").replace("\t", "")), repr(out)
    return out


def _json_tree(value: Any, depth: int = 0) -> None:
    for key, inner in json_tree.children(value)[:20]:
        text_of(json_tree.label(key, inner))
        if depth < 4:
            _json_tree(inner, depth + 1)


def render_result(result: KnownResult | None) -> None:
    """Every renderer in render/ that applies to ``result``."""
    if result is None:
        return
    usage = usage_table(usage_of(result))
    if usage is not None:
        text_of(usage)
    if isinstance(result, UnknownResult):
        _json_tree(result.raw)
    elif isinstance(result, ParseResponse) and isinstance(result.result, FullResult):
        for n, chunk in enumerate(result.result.chunks):
            text_of(chunk_label(n, chunk))
            text_of(chunk_body(chunk))
            for block in chunk.blocks:
                text_of(block_label(block))
                text_of(block_body(block))
                text_of(page_drawing(block.bbox, others=[b.bbox for b in chunk.blocks]))
    elif isinstance(result, SplitResponse):
        text_of(split_view(result))
    elif isinstance(result, ExtractResponse):
        text_of(extract_header(result))
        text_of(citations_table(result))
    elif isinstance(result, V3ExtractResponse):
        text_of(extract_header(result))
    elif isinstance(result, ClassifyResponse):
        text_of(classify_view(result))
    elif isinstance(result, ChartResponse):
        text_of(chart_view(result))
    elif isinstance(result, EditResponse):
        text_of(edit_view(result))
    elif isinstance(result, PipelineResponse):
        parts = result.result
        for part in (parts.split, parts.edit):
            render_result(part)
        for many in (parts.parse, parts.extract):
            for one in many if isinstance(many, list) else [many]:
                render_result(one.result if isinstance(one, ExtractSplitResponse) else one)


def _refuse(name: str) -> Any:
    raise AssertionError(f"{name} in exported JSON")


def _no_nan_json(text: str, lines: bool = False) -> None:
    for doc in text.splitlines() if lines else [text]:
        json.loads(doc, parse_constant=_refuse)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(
    listed=job_bodies(JOB_FIELDS),
    detail_body=job_bodies(DETAIL_FIELDS),
    job_id=st.text(min_size=1, max_size=8) | st.sampled_from(HOSTILE),
    now=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_json_in_any_field_renders_and_exports_without_raising(
    listed: dict[str, Any], detail_body: dict[str, Any], job_id: str, now: float
) -> None:
    listed, detail_body = _swap_huge(listed), _swap_huge(detail_body)
    job = SingleJob.model_validate({**listed, "job_id": job_id})
    detail = JobDetail.model_validate(detail_body)
    for model in (job, detail):
        for name in ("duration", "num_pages", "total_pages"):
            value = getattr(model, name)
            assert value is None or (math.isfinite(value) and value >= 0)
    store = JobStore(clock=FakeClock())
    good = SingleJob.model_validate({"job_id": "good", "status": "Completed", "duration": 3})
    store.add_page([job, good], None)
    assert {r.job_id for r in store.view.rows} == {job_id, "good"}
    store.update_detail(job_id, detail)
    row = store.by_id[job_id]
    for cell in (
        fmt.ago(row.created, FROZEN),
        fmt.absolute(row.created),
        fmt.duration(row.duration),
        fmt.pages(row.num_pages, row.total_pages),
        fmt.progress_bar(row.progress, 12),
    ):
        assert isinstance(cell, str)
    text_of(status_badge(row.status, row.kind, row.local))
    text_of(summary(job_id, detail, now if math.isfinite(now) else FROZEN))
    render_result(detail.result)
    _no_nan_json(export.job_json(detail, job_id))
    _no_nan_json(export.render_list(export.LIST_JSONL, store.rows), lines=True)
    list(csv.reader(io.StringIO(export.render_list(export.LIST_CSV, store.rows))))
    for fmt_ in export.formats_for(detail):
        try:
            out = export.render_job(fmt_, detail, job_id)
        except ValueError:
            continue
        if fmt_.suffix in (".json", ".jsonl"):
            _no_nan_json(out, lines=fmt_.suffix == ".jsonl")


def test_one_bad_job_never_hides_its_page_and_each_bad_field_reads_unknown() -> None:
    page = [
        {
            "job_id": "inf",
            "status": "Completed",
            "duration": 1e400,
            "created_at": "2026-03-01T11:00:00Z",
        },
        {"job_id": "run", "status": "InProgress", "duration": 1e400},
        {"job_id": "old", "status": "Completed", "created_at": "0001-01-01T00:00:00+14:00"},
        {"job_id": "new", "status": "Completed", "created_at": "9999-12-31T23:59:59-05:00"},
        {"job_id": "neg", "status": "Completed", "duration": -5, "num_pages": -1},
        {"job_id": "big", "status": "Completed", "num_pages": 10**30, "total_pages": "many"},
        {"job_id": "ok", "status": "Completed", "duration": 61, "num_pages": 3},
    ]
    jobs = [SingleJob.model_validate(item) for item in page]
    store = JobStore(clock=FakeClock())
    store.add_page(jobs, None)
    assert [r.job_id for r in store.view.rows] != [] and len(store.view.rows) == 7
    rows = store.by_id
    assert rows["inf"].duration is None and rows["inf"].kind is StatusKind.COMPLETED
    assert rows["old"].created is None and rows["new"].created is None
    assert rows["neg"].duration is None and rows["neg"].num_pages is None
    assert rows["big"].num_pages is None and rows["big"].total_pages is None
    assert fmt.duration(rows["ok"].duration) == "1m 01s"
    assert fmt.ago(rows["old"].created, FROZEN) == "unknown"
    detail = JobDetail.model_validate(
        {"status": "InProgress", "duration": 1e400, "created_at": "9999-12-31T23:59:59-05:00"}
    )
    text = text_of(summary("run", detail, FROZEN))
    assert "Created" in text and "unknown" in text


@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.none())
def test_every_formatter_is_total_over_numbers(value: Any) -> None:
    for out in (
        fmt.ago(value, FROZEN),
        fmt.ago(FROZEN, value),
        fmt.absolute(value),
        fmt.duration(value),
        fmt.progress_bar(value, 20),
        fmt.percent(value),
        fmt.number(value),
        fmt.pages(value if isinstance(value, int) else None, 3),
        fmt.count(value) if isinstance(value, int) else "",
        fmt.sparkline([value] if isinstance(value, int) else [1, 2]),
    ):
        assert isinstance(out, str) and not CONTROL.search(out)


@given(st.datetimes(timezones=st.timezones()) | st.datetimes())
@example(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))
@example(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))))
def test_every_formatter_is_total_over_datetimes(when: datetime) -> None:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    parsed = parse_timestamp(when.isoformat())
    if parsed is not None:  # what the store keeps is a timestamp that every formatter takes
        assert fmt.absolute(parsed.timestamp()) != "unknown"
    ts = parsed.timestamp() if parsed is not None else None
    for out in (fmt.ago(ts, FROZEN), fmt.absolute(ts)):
        assert isinstance(out, str) and out


def test_formatters_say_unknown_for_values_they_cannot_show() -> None:
    assert fmt.duration(math.inf) == "unknown" and fmt.duration(math.nan) == "unknown"
    assert fmt.duration(-1) == "unknown"
    assert fmt.absolute(1e20) == "unknown" and fmt.ago(math.nan, FROZEN) == "unknown"
    assert fmt.progress_bar(math.nan, 20) == "" and fmt.number(math.inf) == "unknown"
    assert fmt.absolute(FROZEN) == "2026-03-01 12:00:00 UTC"


def test_exported_json_has_no_infinity_or_nan() -> None:
    detail = JobDetail.model_validate(
        {
            "status": "Completed",
            "duration": 1e400,
            "extra_field": [1e400, -1e400, {"x": float("nan")}],
            "source": {"size": 1e400},
            "result": {"response_type": "mystery", "value": 1e400},
        }
    )
    text = export.job_json(detail, "j1")
    _no_nan_json(text)
    data = json.loads(text)
    assert data["extra_field"] == [None, None, {"x": None}] and data["source"] == {"size": None}


def test_a_5000_digit_integer_anywhere_renders_and_exports() -> None:
    huge = 10**5000
    detail = JobDetail.model_validate(
        {
            "status": huge,
            "num_pages": huge,
            "source": {"size": huge},
            "result": {
                "response_type": "extract",
                "result": [{"total": huge}],
                "citations": [{"total": {"bbox": {"left": huge}, "content": "x"}}],
                "response_confidence": {"total": huge},
            },
        }
    )
    assert detail.status is None and detail.num_pages is None
    render_result(detail.result)
    text_of(summary("j", detail, FROZEN))
    _no_nan_json(export.job_json(detail, "j"))
    chart = JobDetail.model_validate(
        {"result": {"response_type": "chart", "result": {"chart_data": {"x": huge}}}}
    )
    assert isinstance(chart.result, ChartResponse)
    assert "cannot be shown" in text_of(chart_view(chart.result))
