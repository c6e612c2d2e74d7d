"""Rows as both backends store them, built on the writer thread from what the client saw.

A job is keyed by its id's bytes (UTF-8, lone surrogates kept), so any id a server sends,
control characters and all, is stored as sent. The list row and the ``GET /job`` answer are
kept side by side (the detail answer often lacks the type, source and creation time), and
the status is the one of the furthest stage seen: a job never goes back from completed to
pending because an older answer arrived late.
"""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.lazy import decode_in_pieces
from reducto_tui.api.listing import Listed, ListedJob
from reducto_tui.api.models import parse_timestamp
from reducto_tui.api.status import STAGE, StatusKind, job_kind, status_kind
from reducto_tui.archive.base import ArchivedJob, compress, load_data

#: Stage of a status we do not know: below every known one, so it never hides one.
UNKNOWN_STAGE = -1

COLUMNS = ("job_key", "status", "state", "stage", "at", "seen_at", "listing", "detail", "body")


class Row(NamedTuple):
    """One job's row, in the column order of :data:`COLUMNS` (a tuple: 100k of them are
    built per load-all, and a tuple is the cheapest thing to build and to bind)."""

    job_key: bytes
    #: The raw status as JSON text (a server may send NUL, which PostgreSQL text refuses).
    status: str
    state: str
    stage: int
    at: float
    seen_at: float
    listing: str | None
    detail: str | None
    body: bytes | None


def key(job_id: str) -> bytes:
    return job_id.encode("utf-8", "surrogatepass")


def job_id_of(job_key: bytes) -> str:
    return job_key.decode("utf-8", "surrogatepass")


def _stage(kind: StatusKind) -> int:
    return STAGE.get(kind, UNKNOWN_STAGE)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


#: JSON of each status word seen (a handful of distinct values across 100k jobs).
_STATUS_JSON: dict[str | None, str] = {}


def _status_json(status: str | None) -> str:
    text = _STATUS_JSON.get(status)
    if text is None:
        text = _dumps(status)
        if len(_STATUS_JSON) < 1000:
            _STATUS_JSON[status] = text
    return text


def _created(raw: Any, fallback: float) -> float:
    when = parse_timestamp(raw) if isinstance(raw, str) else None
    return when.timestamp() if when is not None else fallback


def listing_row(listed: Listed, seen_at: float) -> Row:
    # A job read without its model (the app's loading) is validated here, on the writer's
    # thread, so the archive keeps the listing exactly as the model serialises it.
    job = listed.model() if isinstance(listed, ListedJob) else listed
    try:
        listing = job.model_dump_json(exclude_unset=True, exclude={"job_id"})
    except ValueError:  # lone surrogates: pydantic's JSON refuses them, json escapes them
        try:
            listing = _dumps(job.model_dump(mode="json", exclude_unset=True, exclude={"job_id"}))
        except (ValueError, RecursionError, TypeError):
            # Nested deeper than any JSON writer goes (a hostile ``source``): keep the job
            # with what every row needs rather than lose it, and the writer with it.
            listing = _dumps({"status": job.status, "created_at": job.created_at})
    kind = status_kind(job.status)
    return Row(
        key(job.job_id),
        _status_json(job.status),
        kind.value,
        _stage(kind),
        _created(job.created_at, seen_at),
        seen_at,
        listing,
        None,
        None,
    )


_STAGE_OF_STATE = {kind.value: _stage(kind) for kind in StatusKind}


def _answer_kind(meta: dict[str, Any]) -> StatusKind:
    """The state a ``GET /job`` answer (without its result) says its job is in."""
    status, error, progress = meta.get("status"), meta.get("error"), meta.get("progress")
    return job_kind(
        status if isinstance(status, str) else None,
        progress=progress if isinstance(progress, int | float) else None,
        error_name=error.get("name") if isinstance(error, dict) else None,
    )


def body_row(job_id: str, body: bytes, seen_at: float) -> Row | None:
    """None when the body is not a JSON object (nothing worth keeping)."""
    try:
        data = decode_in_pieces(body)
    except BadResponseError:
        return None
    if not isinstance(data, dict):
        return None
    meta = {k: v for k, v in data.items() if k != "result"}
    kind = _answer_kind(meta)
    return Row(
        key(job_id),
        _dumps(meta.get("status")),
        kind.value,
        _stage(kind),
        _created(meta.get("created_at"), seen_at),
        seen_at,
        None,
        _dumps(meta),
        compress(body),
    )


_STATUS_VALUE: dict[str, Any] = {}


def _status_value(text: str) -> Any:
    if text in _STATUS_VALUE:
        return _STATUS_VALUE[text]
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if len(_STATUS_VALUE) < 1000:
        _STATUS_VALUE[text] = value
    return value


def now() -> float:
    return time.time()


def archived_job(
    job_key: bytes,
    status: str,
    state: str,
    at: float,
    seen_at: float,
    listing: str | None,
    detail: str | None,
    has_body: bool,
) -> ArchivedJob:
    """The list fields merged: the listing, what the detail answer added, the latest status.
    A detail answer from an earlier stage than the status (stored before that was dropped
    on write) is left out, body included: the listing is the latest word on the job."""
    data = load_data(listing) if listing else {}
    if detail:
        answer = load_data(detail)
        if _stage(_answer_kind(answer)) < _STAGE_OF_STATE.get(state, UNKNOWN_STAGE):
            has_body = False
        else:
            data.update((k, v) for k, v in answer.items() if v is not None)
    data["status"] = _status_value(status)
    return ArchivedJob(job_id_of(job_key), data, state, at, seen_at, has_body)


#: The upsert's SET list, the same SQL for SQLite and PostgreSQL: a row wins when its stage
#: is further along, or equal and seen later; each column keeps the winner's value, and a
#: part the new row lacks (listing, detail, body) keeps what was stored.
WIN = (
    "(excluded.stage > jobs.stage OR "
    "(excluded.stage = jobs.stage AND excluded.seen_at >= jobs.seen_at))"
)


def upsert_sql(table: str, placeholder: str, least: str, writer: str, changed: str) -> str:
    """``writer``: SQL for who writes (a literal); ``changed``: SQL for the change marker
    every row this transaction writes gets (what ``changed_since`` reads past)."""
    marks = ", ".join([placeholder] * len(COLUMNS))

    def pick(col: str) -> str:
        return f"{col} = CASE WHEN {WIN} THEN excluded.{col} ELSE jobs.{col} END"

    def part(col: str) -> str:
        # A GET /job answer from an earlier stage (a "Pending" body of a job the list now
        # says is Completed) goes when a later stage arrives without one: kept, it made the
        # archived detail say Pending beside Completed (the listing then stands for the job).
        stale = "WHEN excluded.stage > jobs.stage THEN NULL " if col in ("detail", "body") else ""
        return (
            f"{col} = CASE WHEN excluded.{col} IS NOT NULL AND ({WIN} OR jobs.{col} IS NULL) "
            f"THEN excluded.{col} {stale}ELSE jobs.{col} END"
        )

    sets = [
        # The writer is the one whose answer the row now holds (read back by the others).
        *(pick(c) for c in ("status", "state", "stage", "seen_at", "writer")),
        f"at = {least}(jobs.at, excluded.at)",
        *(part(c) for c in ("listing", "detail", "body")),
        "changed = excluded.changed",
    ]
    return (
        f"INSERT INTO {table} AS jobs ({', '.join(COLUMNS)}, writer, changed) "
        f"VALUES ({marks}, {writer}, {changed}) "
        f"ON CONFLICT (job_key) DO UPDATE SET {', '.join(sets)}"
    )
