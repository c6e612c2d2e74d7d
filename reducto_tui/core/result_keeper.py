"""``--archive-results``: fetch (and so archive) the result of every job that completes
while the app runs, a few at a time, waiting out 429s, never the same job twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import RateLimitError, ReductoError, ResponseTooLargeError
from reducto_tui.api.status import StatusKind
from reducto_tui.core.rows import JobRow

LOG = logging.getLogger(__name__)

#: Wait after a 429 that named no Retry-After.
DEFAULT_BACKOFF = 5.0


class ResultKeeper:
    """Fetches ``GET /job/{id}`` for completed jobs; the client's observer (the archive)
    stores each body. ``concurrency`` requests at most at once; a 429 pauses every worker."""

    def __init__(
        self,
        client: ReductoClient,
        concurrency: int = 2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.concurrency = concurrency
        self._sleep = sleep
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._seen: set[str] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._resume = asyncio.Event()
        self._resume.set()
        self.fetched = 0
        self.rate_limited = 0
        self.too_large: list[str] = []
        self.failed: list[tuple[str, str]] = []

    def start(self) -> None:
        if not self._workers:
            self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    def finished(self, rows: Iterable[JobRow]) -> None:
        """Jobs that just finished (the store's ``Changes.finished``)."""
        for row in rows:
            if row.kind is StatusKind.COMPLETED and row.job_id not in self._seen:
                self._seen.add(row.job_id)
                self._queue.put_nowait(row.job_id)

    async def drain(self) -> None:
        """Until every queued job was tried (tests, and quitting politely)."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            job_id = await self._queue.get()
            try:
                await self._fetch(job_id)
            finally:
                self._queue.task_done()

    async def _fetch(self, job_id: str) -> None:
        while True:
            await self._resume.wait()
            try:
                await self.client.get_job_raw(job_id)
            except RateLimitError as exc:
                # The client already waited out what it could; everyone pauses, then retries.
                self.rate_limited += 1
                if self._resume.is_set():
                    self._resume.clear()
                    try:
                        await self._sleep(exc.retry_after or DEFAULT_BACKOFF)
                    finally:
                        self._resume.set()
                continue
            except ResponseTooLargeError:
                self.too_large.append(job_id)  # over max_job_mb: left to the detail view
            except ReductoError as exc:
                self.failed.append((job_id, exc.message))
            else:
                self.fetched += 1
            return
