"""``GET /jobs`` pages decoded without a pydantic model per job (issue 14).

Validating a page of 500 :class:`SingleJob` models costs about four times its
``json.loads``: every lenient field runs a Python validator for every value. The app loads
whole listings (100,000 jobs and more), so its pages take this path instead: the C JSON
parser, then per field a type check that accepts the common value as it is and hands
anything else to the very validator the model uses (a ``TypeAdapter`` of the same
annotated type). So each field degrades exactly as the model's does (wrong type, huge,
NaN, negative count -> ``None``), and a page the model path would reject is rejected the
same way (tests/unit/test_listing.py compares the two on hostile pages).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.models import (
    MAX_INT,
    Amount,
    ConfigText,
    Count,
    LenientStr,
    SingleJob,
    parse_timestamp,
)

#: Floats represent every integer up to here exactly, as ``float(int)`` in the model does.
_EXACT = 2**53


def _slow(annotation: Any) -> Callable[[Any], Any]:
    validate = TypeAdapter(annotation).validate_python

    def coerce(value: Any) -> Any:
        try:
            return validate(value)
        except (ValidationError, RecursionError):
            return None

    return coerce


_count = _slow(Count)
_amount = _slow(Amount)
_text = _slow(LenientStr)
_config = _slow(ConfigText)
_skipped = TypeAdapter(int).validate_python


class ListedJob:
    """One job of a list page: the fields rows are made of, each as ``SingleJob`` has it.

    ``raw`` is the item as received; :meth:`model` validates it in full for whoever needs
    everything (the archive keeps the listing as the model serialises it)."""

    __slots__ = (
        "created_at",
        "duration",
        "job_id",
        "num_pages",
        "raw",
        "source",
        "status",
        "total_pages",
        "type",
    )

    def __init__(
        self,
        job_id: str,
        status: str | None,
        type_: str | None,
        num_pages: int | None,
        total_pages: int | None,
        duration: float | None,
        created_at: str | None,
        source: Any,
        raw: dict[str, Any],
    ) -> None:
        self.job_id = job_id
        self.status = status
        self.type = type_
        self.num_pages = num_pages
        self.total_pages = total_pages
        self.duration = duration
        self.created_at = created_at
        self.source = source
        self.raw = raw

    @property
    def created(self) -> datetime | None:
        return parse_timestamp(self.created_at)

    @property
    def raw_config(self) -> str | None:
        return _config(self.raw.get("raw_config"))  # type: ignore[no-any-return]

    def model(self) -> SingleJob:
        return SingleJob.model_validate(self.raw)


#: A job of a list page either way it was read.
Listed = SingleJob | ListedJob


@dataclass(slots=True)
class ListedPage:
    jobs: list[ListedJob] = field(default_factory=list)
    next_cursor: str | None = None
    #: How many items of the page could not be read at all (no usable ``job_id``).
    skipped: int = 0


def _listed(item: Any) -> ListedJob | None:
    """``item`` as a job, or None where ``SingleJob`` would refuse it (no string job_id)."""
    if type(item) is not dict:
        return None
    get = item.get
    job_id = get("job_id")
    if type(job_id) is not str:
        return None
    status, type_, created = get("status"), get("type"), get("created_at")
    if status is not None and type(status) is not str:
        status = _text(status)
    if type_ is not None and type(type_) is not str:
        type_ = _text(type_)
    if created is not None and type(created) is not str:
        created = _text(created)
    num, total = get("num_pages"), get("total_pages")
    if num is not None and not (type(num) is int and 0 <= num < MAX_INT):
        num = _count(num)
    if total is not None and not (type(total) is int and 0 <= total < MAX_INT):
        total = _count(total)
    duration = get("duration")
    if duration is not None:
        if type(duration) is float:
            if not (duration >= 0 and duration != math.inf):  # NaN fails the first test
                duration = None
        elif type(duration) is int and 0 <= duration < _EXACT:
            duration = float(duration)
        else:
            duration = _amount(duration)
    return ListedJob(job_id, status, type_, num, total, duration, created, get("source"), item)


def decode_page(data: Any) -> tuple[ListedPage, bool]:
    """A page from its decoded JSON, and whether the page read whole. As with
    ``JobsResponse``: a page whose every item reads keeps the server's ``next_cursor`` (as
    text) and ``skipped``; otherwise unreadable items are counted as skipped and only a
    string cursor is followed. Raises :class:`BadResponseError` where the model path does."""
    if type(data) is not dict:
        raise BadResponseError("The job list from the server has no 'jobs' array.")
    items = data.get("jobs", [])
    if type(items) is not list:
        raise BadResponseError("The job list from the server has no 'jobs' array.")
    jobs = [job for job in map(_listed, items) if job is not None]
    skipped = len(items) - len(jobs)
    cursor = data.get("next_cursor")
    if not skipped:
        try:
            return ListedPage(jobs, _text(cursor), _skipped(data.get("skipped", 0))), True
        except ValidationError:
            pass  # the model fails such a page and reads it again item by item
    if "jobs" not in data:
        raise BadResponseError("The job list from the server has no 'jobs' array.")
    return ListedPage(jobs, cursor if isinstance(cursor, str) else None, skipped), False


def loads_page(content: bytes, forgiving: Callable[[bytes], Any]) -> ListedPage:
    """Decode a body: the C parser first; ``forgiving`` (the client's reader that makes a
    number too long to read ``None``) when it refuses, or when the page does not read
    whole, as the model path reads such a page again."""
    try:
        page, whole = decode_page(json.loads(content))
    except (ValueError, RecursionError):  # BadResponseError is neither
        whole = False
    if not whole:
        page = decode_page(forgiving(content))[0]
    return page
