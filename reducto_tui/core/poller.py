"""What to refresh and when: polite polling of the Jobs API, with backoff.

Each round refreshes the first page of ``GET /jobs`` (new jobs, recent changes) and then
``GET /job/{id}`` only for loaded jobs below it that can still change. Finished jobs are
never polled. Errors back off exponentially with jitter (capped), honour ``Retry-After``,
and nothing loaded is dropped. The clock is injected so tests need no sleeps.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from enum import StrEnum

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import AuthError, NotFoundError, RateLimitError, ReductoError
from reducto_tui.api.status import FINISHED, StatusKind
from reducto_tui.core.store import Changes, JobStore


class PollState(StrEnum):
    LIVE = "live"
    PAUSED = "paused"
    RECONNECTING = "reconnecting"
    OFF = "off"


class Poller:
    def __init__(
        self,
        client: ReductoClient,
        store: JobStore,
        *,
        interval: float = 5.0,
        page_size: int = 100,
        exclude_configs: bool = True,
        clock: Callable[[], float] = time.monotonic,
        max_backoff: float = 120.0,
        max_job_interval: float = 60.0,
        concurrency: int = 4,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.interval = interval
        self.page_size = page_size
        self.exclude_configs = exclude_configs
        self.clock = clock
        self.max_backoff = max_backoff
        self.concurrency = concurrency
        self._rng = rng or random.Random()
        self.paused = False
        self.failures = 0
        self.last_error: str = ""
        self.last_success: float | None = None
        self.next_due: float = clock()
        self.running = False
        #: Jobs followed elsewhere (the open detail's long-poll): skip them here.
        self.followed: set[str] = set()
        #: Job ids on screen now (set by the UI).
        self.visible: set[str] = set()
        #: Jobs the API answered 404 for (past the 12-hour retention): never asked again.
        self.expired: set[str] = set()
        #: Per job below the first page: (when to ask next, current gap). A job that did not
        #: change is asked half as often next time, up to ``max_job_interval``.
        self._job_schedule: dict[str, tuple[float, float]] = {}
        self.max_job_interval = max_job_interval

    @property
    def state(self) -> PollState:
        if self.interval <= 0:
            return PollState.OFF
        if self.paused:
            return PollState.PAUSED
        if self.failures:
            return PollState.RECONNECTING
        return PollState.LIVE

    def seconds_until_next(self) -> float:
        return max(0.0, self.next_due - self.clock())

    def due(self) -> bool:
        return (
            self.interval > 0
            and not self.paused
            and not self.running
            and self.clock() >= self.next_due
        )

    def refresh_now(self) -> None:
        self.next_due = self.clock()

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        if not self.paused:
            self.next_due = self.clock()
        return self.paused

    def jobs_to_refresh(self, first_page_ids: set[str]) -> list[str]:
        """Jobs that can still change and are due a check: those below the first page (the
        list refresh does not cover them), and running ones on screen (the list carries no
        progress, so their bars would never move)."""
        now = self.clock()
        return [
            r.job_id
            for r in self.store.rows
            if r.kind not in FINISHED
            and (
                r.job_id not in first_page_ids
                or (r.job_id in self.visible and r.kind is StatusKind.RUNNING)
            )
            and r.job_id not in self.followed
            and r.job_id not in self.expired
            and r.local != "deleted"
            and self._job_schedule.get(r.job_id, (0.0, 0.0))[0] <= now
        ]

    def _reschedule(self, job_id: str, changed: bool) -> None:
        _, gap = self._job_schedule.get(job_id, (0.0, 0.0))
        gap = self.interval if changed or not gap else min(self.max_job_interval, gap * 2)
        self._job_schedule[job_id] = (self.clock() + gap, gap)

    async def poll_once(self) -> Changes:
        """One round. Raises nothing: errors are recorded and schedule the next try."""
        self.running = True
        changes = Changes()
        try:
            page = await self.client.list_jobs(None, self.page_size, self.exclude_configs)
            changes.extend(self.store.merge_first_page(page.jobs))
            ids = {j.job_id for j in page.jobs}
            changes.extend(await self._refresh_jobs(self.jobs_to_refresh(ids)))
        except ReductoError as exc:
            self.record_failure(exc)
            return changes
        finally:
            self.running = False
        self.failures = 0
        self.last_error = ""
        self.last_success = self.clock()
        self.next_due = self.clock() + self.interval
        return changes

    async def _refresh_jobs(self, job_ids: list[str]) -> Changes:
        changes = Changes()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(job_id: str) -> None:
            async with gate:
                try:
                    detail = await self.client.get_job(job_id)
                except NotFoundError:
                    # Expired (12 h retention): stop polling it, keep what we knew.
                    self.store.set_local(job_id, "expired")
                    self.expired.add(job_id)
                    return
                row = self.store.by_id.get(job_id)
                before = (row.status, row.kind) if row is not None else None
                changes.extend(self.store.update_detail(job_id, detail))
                row = self.store.by_id.get(job_id)
                after = (row.status, row.kind) if row is not None else None
                # Only a new state of the row resets the pace (GET /job's "Pending" for a
                # running job is not news); progress ticking along does not either.
                self._reschedule(job_id, changed=after != before)

        await asyncio.gather(*(one(j) for j in job_ids))
        return changes

    def record_failure(self, exc: ReductoError) -> None:
        """Schedule the next try after a failed request (also used for the first page)."""
        self.failures += 1
        self.last_error = exc.message
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            delay = exc.retry_after
        elif isinstance(exc, AuthError):
            delay = self.max_backoff  # a bad key will not fix itself soon
        else:
            ceiling = min(self.max_backoff, self.interval * 2**self.failures)
            delay = self._rng.uniform(ceiling / 2, ceiling)
        self.next_due = self.clock() + delay
