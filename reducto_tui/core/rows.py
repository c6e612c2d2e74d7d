"""The compact, slotted row the job store keeps per job (not a pydantic model: 100k of those
cost ~240 MB, these ~50 MB), with its filter haystack and sort keys precomputed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from reducto_tui.api.models import JobDetail, SingleJob, source_label
from reducto_tui.api.status import STAGE, StatusKind, status_kind


def _intern(value: str | None) -> str:
    return sys.intern(value) if value else ""


@dataclass(slots=True, eq=False)
class JobRow:
    job_id: str
    status: str
    kind: StatusKind
    type: str
    source: str
    created: float | None
    num_pages: int | None
    total_pages: int | None
    duration: float | None
    progress: float | None = None
    reason: str | None = None
    #: A local, transient state the server does not know yet ("cancelling…", "deleted").
    local: str | None = None
    #: Bumped on every change, so renderers can cache by (job_id, version).
    version: int = 0
    haystack: str = ""
    #: Arrival order from the API (newest first); the tie-breaker of every sort.
    order: int = 0
    #: This row's key for the view's current sort column (kept by ``JobView``).
    key: Any = None

    def reindex(self) -> None:
        self.haystack = "\x00".join(
            (self.job_id, self.source, self.type, self.status, self.kind.value, self.reason or "")
        ).lower()


def row_from_job(job: SingleJob | JobDetail, job_id: str, order: int = 0) -> JobRow:
    created = job.created
    row = JobRow(
        job_id=job_id,
        status=_intern(job.status),
        kind=job.status_kind,
        type=_intern(job.type),
        source=source_label(job.source),
        created=created.timestamp() if created else None,
        num_pages=job.num_pages,
        total_pages=job.total_pages,
        duration=job.duration,
        order=order,
    )
    if isinstance(job, JobDetail):
        row.progress = job.progress_fraction
        row.reason = job.reason
    row.reindex()
    return row


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
        row.version += 1
        row.reindex()
    return changed
