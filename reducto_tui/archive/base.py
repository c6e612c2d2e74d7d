"""The one interface both backends implement, and what it hands back."""

from __future__ import annotations

import json
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.lazy import decode_in_pieces, read_job
from reducto_tui.api.listing import Listed
from reducto_tui.api.models import JobDetail, SingleJob
from reducto_tui.api.observer import JobObserver

if TYPE_CHECKING:  # writer imports records, which imports this module
    from reducto_tui.archive.writer import BatchWriter

#: Jobs per batch when reading the archive newest first (one query each).
READ_BATCH = 2000


class ArchiveError(Exception):
    """The archive cannot be used; the message says why and what to do (never a password)."""


@dataclass(slots=True)
class ArchivedJob:
    """One job as last stored: its list fields, and the whole ``GET /job`` body if fetched."""

    job_id: str
    data: dict[str, Any]
    state: str
    at: float
    seen_at: float
    has_body: bool = False

    def as_job(self) -> SingleJob:
        """The job as a list row (values that do not fit degrade as from the API)."""
        return SingleJob.model_validate({**self.data, "job_id": self.job_id})


@dataclass
class ArchiveStats:
    location: str
    jobs: int = 0
    #: Jobs whose ``GET /job`` answer is stored (failed jobs' included: no result there).
    details: int = 0
    #: Completed jobs whose answer, and so their result, is stored.
    with_result: int = 0
    oldest: float | None = None
    newest: float | None = None
    stored_bytes: int = 0
    size_bytes: int | None = None
    by_state: dict[str, int] = field(default_factory=dict)


class Archive(JobObserver, Protocol):
    """Writes are queued and done by a background thread (``saw_*`` never wait for disk);
    reads block, so async callers run them in a thread."""

    #: Where it lives, for messages: a file path or a URL without its password.
    location: str

    @property
    def problem(self) -> str | None:
        """Set when the writer had to stop (disk full, database gone); writes are dropped."""
        ...

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is stored; False when it took too long."""
        ...

    def close(self) -> None:
        """Store what is queued and let go of the database."""
        ...

    def get(self, job_id: str) -> ArchivedJob | None: ...

    def body(self, job_id: str) -> bytes | None:
        """The stored ``GET /job`` body (decompressed), or None."""
        ...

    def ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]: ...

    def iter_jobs(
        self,
        since: float | None = None,
        until: float | None = None,
        batch: int = READ_BATCH,
        first: int | None = None,
    ) -> Iterator[list[ArchivedJob]]:
        """Jobs created in [since, until], newest first, a batch at a time (the first one
        ``first`` jobs long when given: a screenful, shown before the rest is read)."""
        ...

    def change_cursor(self) -> int:
        """Where :meth:`changed_since` starts to look: now (take it before a first read)."""
        ...

    def changed_since(
        self, cursor: int, since: float | None = None
    ) -> tuple[list[ArchivedJob], int]:
        """Jobs created at or after ``since`` that other writers (other processes, other
        people) stored or changed after ``cursor``, and the cursor for the next look. A job
        may come twice; none that was committed after ``cursor`` is missed."""
        ...

    def stats(self) -> ArchiveStats: ...

    def count_before(self, before: float) -> int:
        """How many jobs were created before ``before`` (what a prune would delete)."""
        ...

    def prune(self, before: float) -> int:
        """Delete jobs created before ``before``; how many went."""
        ...

    def vacuum(self) -> None: ...


class BatchedArchive(ABC):
    """What both backends share: ``saw_*`` hand answers to a :class:`BatchWriter` thread
    (the backend sets ``_writer``), and a job's stored body is read the same way."""

    _writer: BatchWriter

    @property
    def problem(self) -> str | None:
        return self._writer.problem

    def saw_jobs(self, jobs: Sequence[Listed]) -> None:
        self._writer.saw_jobs(jobs)

    def saw_job_body(self, job_id: str, body: bytes) -> None:
        self._writer.saw_job_body(job_id, body)

    def flush(self, timeout: float = 10.0) -> bool:
        return self._writer.flush(timeout)

    @abstractmethod
    def get(self, job_id: str) -> ArchivedJob | None: ...

    @abstractmethod
    def body(self, job_id: str) -> bytes | None: ...

    def stored_body(self, job_id: str) -> bytes | None:
        return stored_body(self, job_id)


def stored_body(archive: Archive | BatchedArchive, job_id: str) -> bytes | None:
    """The job's stored ``GET /job`` body, or, when only its list row was seen, that row as
    a body (status, type, pages, no result); None when the archive does not have it."""
    job = archive.get(job_id)
    if job is None:
        return None
    body = archive.body(job_id) if job.has_body else None
    if body is not None:
        return body
    return json.dumps(job.data, ensure_ascii=True).encode()


def detail_from_body(body: bytes) -> JobDetail:
    """A stored body read back as the detail view reads a live one."""
    try:
        return read_job(decode_in_pieces(body, "The archived job"))
    except BadResponseError as exc:
        raise ArchiveError(f"The archived job cannot be read: {exc}") from exc


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 6)


def decompress(blob: bytes) -> bytes:
    try:
        return zlib.decompress(blob)
    except zlib.error as exc:
        raise ArchiveError(f"An archived result is damaged ({exc}).") from exc


def load_data(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
