"""The compact, slotted row the job store keeps per job (not a pydantic model: 100k of those
cost ~240 MB), with what the filter searches and the current sort key precomputed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reducto_tui.api.listing import Listed, ListedJob
from reducto_tui.api.models import JobDetail, Usage, parse_timestamp, source_label
from reducto_tui.api.status import STAGE, StatusKind, job_kind, status_kind

#: Every distinct status and type seen, interned: 100k rows share a handful of strings, and
#: the filter tests each distinct value once instead of once per row.
STATUSES: dict[str, str] = {}
TYPES: dict[str, str] = {}


def file_name(source: str) -> str:
    """The last path segment of a URL or path ("reducto://ab12/q3.pdf" -> "q3.pdf"): what the
    table shows, so sorting by source uses it too."""
    if "://" not in source and not source.startswith("/"):
        return source
    tail = source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return tail or source


#: A range where ``datetime.fromisoformat(raw).timestamp()`` is exactly what the careful
#: :func:`parse_timestamp` gives (1970 to 9998: no platform or datetime range edge).
_PLAIN_SECONDS = (0.0, 253_370_764_800.0)
#: The state of each distinct status word (a list row's state is its word's).
_KINDS: dict[str, StatusKind] = {}


def seconds(raw: str | None) -> float | None:
    """``created_at`` as epoch seconds, as ``parse_timestamp(raw).timestamp()`` gives it.

    Loading 100k jobs parses 100k timestamps: the common, in-range ISO form takes the short
    way (one parse, no range round trip); anything else goes the careful way."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)  # Python 3.11 reads a "Z" suffix too
    except ValueError:
        value = None
    if value is not None:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        stamp = value.timestamp()
        if _PLAIN_SECONDS[0] <= stamp <= _PLAIN_SECONDS[1]:
            return stamp
    careful = parse_timestamp(raw)
    return careful.timestamp() if careful is not None else None


def _kind(status: str | None) -> StatusKind:
    if not status:
        return StatusKind.UNKNOWN
    kind = _KINDS.get(status)
    if kind is None:
        kind = _KINDS[status] = status_kind(status)
    return kind


def _intern(value: str | None, seen: dict[str, str]) -> str:
    if not value:
        return ""
    known = seen.get(value)
    if known is None:
        known = seen[value] = sys.intern(value)
    return known


@dataclass(slots=True, eq=False)
class JobRow:
    """~400 bytes a row with its strings (measured in bench/): fields that are rare (progress,
    failure reason, local state) share one slot, and the filter's lower-case text is the
    source string itself when that is already lower case."""

    job_id: str
    status: str
    kind: StatusKind
    type: str
    source: str
    created: float | None
    num_pages: int | None
    total_pages: int | None
    duration: float | None
    #: Arrival order from the API (newest first); the tie-breaker of every sort.
    order: int = 0
    #: This row's key for the view's current sort column (kept by ``JobView``).
    key: Any = None
    #: What bare filter words search besides status and type (see ``reindex``).
    low: str = ""
    #: (progress, reason, local, credits, error code, queue wait) once any is set; None
    #: for most rows (the list endpoint carries none of them: they come from GET /job).
    rare: tuple[Any, ...] | None = None
    #: Loaded from the archive: the API did not return this job (it may have forgotten it).
    archived: bool = False

    @property
    def progress(self) -> float | None:
        return self.rare[0] if self.rare else None

    @progress.setter
    def progress(self, value: float | None) -> None:
        self._set_rare(0, value)

    @property
    def reason(self) -> str | None:
        return self.rare[1] if self.rare else None

    @reason.setter
    def reason(self, value: str | None) -> None:
        self._set_rare(1, value)
        self.reindex()

    @property
    def local(self) -> str | None:
        """A local, transient state the server does not know yet ("cancelling…", "deleted")."""
        return self.rare[2] if self.rare else None

    @local.setter
    def local(self, value: str | None) -> None:
        self._set_rare(2, value)

    @property
    def credits(self) -> float | None:
        """Credits the job cost (``Usage.total_credits``: whichever pricing shape it has);
        ``None`` until its detail arrived, and for jobs the newer pricing bills by raw
        quantities only (no credit figure in the API)."""
        return self.rare[3] if self.rare else None

    @credits.setter
    def credits(self, value: float | None) -> None:
        self._set_rare(3, value)

    @property
    def error(self) -> str | None:
        """The failed job's ``error.name`` (``TIMEOUT``, ...), from its detail."""
        return self.rare[4] if self.rare else None

    @error.setter
    def error(self, value: str | None) -> None:
        self._set_rare(4, value)
        self.reindex()

    @property
    def queue_wait(self) -> float | None:
        """Seconds from creation to leaving the queue, when the app saw it happen."""
        return self.rare[5] if self.rare else None

    @queue_wait.setter
    def queue_wait(self, value: float | None) -> None:
        self._set_rare(5, value)

    def _set_rare(self, index: int, value: float | str | None) -> None:
        values: list[Any] = list(self.rare or _NO_RARE)
        values[index] = value
        self.rare = None if values == _NO_RARE_LIST else tuple(values)

    def reindex(self) -> None:
        """The lower-case source, plus the job id and reason only when they add anything:
        ids from the API are lower case already and are searched as they are."""
        low = self.source.lower()
        job_id = self.job_id.lower()
        if job_id != self.job_id:
            low += "\x00" + job_id
        if self.reason:
            low += "\x00" + self.reason.lower()
        if self.error:
            low += "\x00" + self.error.lower()
        self.low = self.source if low == self.source else low


#: A row's fields as they were, taken before a merge changes it in place: what a watcher of
#: the store (the insight aggregates) needs to take the row's old share back out.
Snapshot = tuple[StatusKind, str, float | None, float | None, int | None, tuple[Any, ...] | None]


def snapshot(row: JobRow) -> Snapshot:
    pages = row.num_pages if row.num_pages is not None else row.total_pages
    return (
        counted_kind(row) or StatusKind.UNKNOWN,
        row.type,
        row.created,
        row.duration,
        pages,
        row.rare,
    )


def counted_kind(row: JobRow) -> StatusKind | None:
    """The state a row counts as in the header's totals, the insight and "stuck?": its own,
    except that an archived job last seen queued or running is no open work (None): the API
    no longer has it, so it will neither run nor finish where we can see it. Its row still
    shows the last status it was seen with."""
    kind = row.kind
    if row.archived and (kind is StatusKind.QUEUED or kind is StatusKind.RUNNING):
        return None
    return kind


_NO_RARE: tuple[None, ...] = (None,) * 6
_NO_RARE_LIST: list[None] = list(_NO_RARE)


def row_from_job(job: Listed | JobDetail, job_id: str, order: int = 0) -> JobRow:
    # Runs once per loaded job: positional arguments, memoised status states, the short way
    # for timestamps, and the search text only worked out when lowering changes anything.
    status = job.status
    source = source_label(job.source)
    detail = job if isinstance(job, JobDetail) else None
    if detail is not None:
        error = detail.error.name if detail.error is not None else None
        kind = job_kind(status, progress=detail.progress, error_name=error)
    else:
        kind = _kind(status)
    row = JobRow(
        job_id,
        _intern(status, STATUSES),
        kind,
        _intern(job.type, TYPES),
        source,
        seconds(job.created_at),
        job.num_pages,
        job.total_pages,
        job.duration,
        order,
        None,
        source,
    )
    if detail is not None:
        progress, reason = detail.progress_fraction, detail.reason
        credits = _credits(detail)
        error = detail.error.name if detail.error is not None else None
        if progress is not None or reason is not None or credits is not None or error:
            row.rare = (progress, reason, None, credits, error or None, None)
        row.reindex()
    elif source.lower() != source or job_id.lower() != job_id:
        row.reindex()
    return row


def row_from_listed(job: ListedJob) -> JobRow:
    """:func:`row_from_job` for a job of a list page read by ``api.listing`` (every loaded
    job comes this way): the same row, without the detail's branches."""
    job_id, status, type_, source = job.job_id, job.status, job.type, job.source
    if type(source) is not str:
        source = source_label(source)
    if status:
        kind = _KINDS.get(status) or _kind(status)
        status = STATUSES.get(status) or _intern(status, STATUSES)
    else:
        kind, status = StatusKind.UNKNOWN, ""
    type_ = (TYPES.get(type_) or _intern(type_, TYPES)) if type_ else ""
    created = job.created_at
    row = JobRow(
        job_id,
        status,
        kind,
        type_,
        source,
        seconds(created) if created else None,
        job.num_pages,
        job.total_pages,
        job.duration,
        0,
        None,
        source,
    )
    if source.lower() != source or job_id.lower() != job_id:
        row.reindex()
    return row


def _credits(job: JobDetail) -> float | None:
    usage = getattr(job.result, "usage", None)
    return usage.total_credits if isinstance(usage, Usage) else None


def _moves_back(row: JobRow, fresh: JobRow) -> bool:
    """Would ``fresh`` move the job to an earlier stage? ``GET /job`` reads a running job as
    ``Pending`` and a cancelled one as ``Failed``, so its coarser word must not win."""
    if not fresh.status:
        return True  # the answer did not say: keep what we know
    old, new = STAGE.get(row.kind), STAGE.get(fresh.kind)
    if old is None or new is None:
        return False  # an unknown word is the server's news: show it
    if new < old:
        return True
    return row.kind is StatusKind.CANCELLED and fresh.kind is StatusKind.FAILED


def merge_row(row: JobRow, fresh: JobRow) -> bool:
    """Copy what the server says now into ``row``; True if anything visible changed.

    A value the answer does not carry (``None``: the plain ``GET /job`` shape has no pages,
    duration, dates or source) keeps the known one, and the status never moves backwards.
    """
    changed = False
    names: tuple[str, ...] = (
        "type",
        "source",
        "created",
        "num_pages",
        "total_pages",
        "duration",
        "progress",
        "reason",
        "credits",
        "error",
    )
    if not _moves_back(row, fresh):
        names = ("kind", *names)
        # Keep the list's exact word ("InProgress", "Cancelled") when GET /job's coarser one
        # ("Pending" with a progress, "Failed" + JOB_CANCELLED) means the same state.
        if fresh.kind is not row.kind or status_kind(fresh.status) is fresh.kind:
            names = ("status", *names)
    for name in names:
        value = getattr(fresh, name)
        if value is None or value == "":
            continue
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if row.kind != StatusKind.RUNNING and row.progress is not None:
        row.progress = None
        changed = True
    if changed:
        row.reindex()
    return changed
