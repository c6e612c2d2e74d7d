"""One display state for the many words the Reducto docs use for a job's status.

The Jobs spec, the SDK guides and the async guide disagree (``Pending`` vs ``pending``,
``InProgress`` vs ``processing``), and new words may appear; the raw value is always kept
and shown, this only decides colour, grouping and whether a job can still change.
"""

from __future__ import annotations

from enum import StrEnum


class StatusKind(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


_KINDS: dict[str, StatusKind] = {
    "pending": StatusKind.QUEUED,
    "idle": StatusKind.QUEUED,
    "queued": StatusKind.QUEUED,
    "inprogress": StatusKind.RUNNING,
    "in_progress": StatusKind.RUNNING,
    "processing": StatusKind.RUNNING,
    "running": StatusKind.RUNNING,
    "completing": StatusKind.RUNNING,
    "completed": StatusKind.COMPLETED,
    "complete": StatusKind.COMPLETED,
    "succeeded": StatusKind.COMPLETED,
    "failed": StatusKind.FAILED,
    "error": StatusKind.FAILED,
    "cancelled": StatusKind.CANCELLED,
    "canceled": StatusKind.CANCELLED,
}

#: Kinds of job that will not change again unless someone acts on them.
FINISHED = frozenset({StatusKind.COMPLETED, StatusKind.FAILED, StatusKind.CANCELLED})


def status_kind(raw: str | None) -> StatusKind:
    if not raw:
        return StatusKind.UNKNOWN
    key = raw.strip().lower().replace(" ", "").replace("-", "")
    return _KINDS.get(key, StatusKind.UNKNOWN)


#: ``error.name`` of a cancelled job: ``GET /job/{id}`` has no ``Cancelled`` status (v1.12.20).
JOB_CANCELLED = "JOB_CANCELLED"


def job_kind(
    raw: str | None, *, progress: float | None = None, error_name: str | None = None
) -> StatusKind:
    """The display state of a ``GET /job`` answer, which speaks only ``Pending | Completed |
    Failed | Idle``: a running job reads as ``Pending`` with a progress, a cancelled one as
    ``Failed`` with ``JOB_CANCELLED``."""
    kind = status_kind(raw)
    if kind is StatusKind.FAILED and error_name == JOB_CANCELLED:
        return StatusKind.CANCELLED
    if kind is StatusKind.QUEUED and progress is not None and progress > 0:
        return StatusKind.RUNNING
    return kind


#: The list endpoint's word for each state: shown when a job's raw word would tell another
#: state than the one it is in (``GET /job``'s "Pending" for a running job).
STATE_WORDS = {
    StatusKind.QUEUED: "Pending",
    StatusKind.RUNNING: "InProgress",
    StatusKind.COMPLETED: "Completed",
    StatusKind.FAILED: "Failed",
    StatusKind.CANCELLED: "Cancelled",
}


def shown_status(raw: str, kind: StatusKind) -> str:
    """The status word to show for a job in state ``kind``: its raw word when that says the
    same state, else the list's word for the state ("Pending" with a progress reads as
    "InProgress", "Failed" + JOB_CANCELLED as "Cancelled"), so the word never contradicts
    the glyph, the colour, or what ``status:`` filters find."""
    if kind is StatusKind.UNKNOWN or status_kind(raw) is kind:
        return raw
    return STATE_WORDS[kind]


#: How far along a job is; a job never moves to a lower stage (unknown is not ranked).
STAGE = {
    StatusKind.QUEUED: 0,
    StatusKind.RUNNING: 1,
    StatusKind.COMPLETED: 2,
    StatusKind.FAILED: 2,
    StatusKind.CANCELLED: 2,
}


def is_finished(raw: str | None) -> bool:
    """Unknown statuses count as unfinished: polling them is the safe choice."""
    return status_kind(raw) in FINISHED


def can_cancel(raw: str | None) -> bool:
    return status_kind(raw) in (StatusKind.QUEUED, StatusKind.RUNNING)
