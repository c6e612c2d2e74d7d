"""What a client tells an observer (the archive) about the jobs it receives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reducto_tui.api.listing import Listed


class JobObserver(Protocol):
    """Called on the caller's thread for every answer: implementations only hand the data
    on (a queue), so a slow disk never slows a request or the UI."""

    def saw_jobs(self, jobs: Sequence[Listed]) -> None: ...

    def saw_job_body(self, job_id: str, body: bytes) -> None:
        """``GET /job/{id}``'s body as received (status, result and all)."""

    def stored_body(self, job_id: str) -> bytes | None:
        """What the observer kept of the job as a ``GET /job`` body, None if nothing (for a
        job the API no longer has). Blocks on storage: call it from a thread."""
