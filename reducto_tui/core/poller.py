"""What to refresh and when: polite polling of the Jobs API, with backoff.

Each round refreshes the first page of ``GET /jobs`` (new jobs, recent changes; following
the cursor over a gap, see :mod:`reducto_tui.core.loader`) and then ``GET /job/{id}`` only
for loaded jobs below it that can still change. Finished jobs are never polled, no job is
asked more often than every ``min_job_interval`` seconds, and a job that does not change is
asked half as often each time (5, 10, 20, 40, 60 s).

One job's error never fails the round: 404 marks it expired, 410 deleted (and it is not
asked again), 409 deleting (asked ever less often until it is gone); 429, 5xx and network errors put the whole poller on its backoff
(honouring ``Retry-After``, at least 1 s, capped); 401/403 stop polling until the user acts,
since a rejected key will not fix itself. The clock is injected so tests need no sleeps.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Iterable
from enum import StrEnum

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import (
    AuthError,
    JobDeletedError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ReductoError,
    ServerError,
)
from reducto_tui.api.status import FINISHED, StatusKind
from reducto_tui.core.loader import PageLoader
from reducto_tui.core.store import Changes, JobStore

#: Errors of one job's request that say "the service is struggling", not "this job".
TRANSIENT = (RateLimitError, ServerError, NetworkError)
#: The shortest wait after a 429, whatever ``Retry-After`` says (``0`` would mean "hammer").
MIN_RETRY_AFTER = 1.0


#: Seconds a first page in flight holds off automatic retries (its own deadline and retries
#: end it sooner; this covers a request that vanished without an answer).
FIRST_PAGE_HOLD = 300.0


class PollState(StrEnum):
    LIVE = "live"
    PAUSED = "paused"
    RECONNECTING = "reconnecting"
    #: A request has been in flight for a while (see :mod:`reducto_tui.core.connection`).
    WAITING = "waiting"
    KEY_REJECTED = "key rejected"
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
        min_job_interval: float = 2.0,
        retry_after_cap: float = 300.0,
        concurrency: int = 4,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.interval = interval
        self.clock = clock
        self.max_backoff = max_backoff
        self.retry_after_cap = retry_after_cap
        self.concurrency = concurrency
        self._rng = rng or random.Random()
        self.loader = PageLoader(
            client, store, self, page_size=page_size, exclude_configs=exclude_configs
        )
        self.paused = False
        self.failures = 0
        self.last_error: str = ""
        self.next_due: float = clock()
        self.running = False
        #: 401/403: polling stops until the user refreshes or resumes.
        self.key_rejected = False
        #: Jobs followed elsewhere (the open detail's own polling): skip them here.
        self.followed: set[str] = set()
        #: Job ids on screen now (set by the UI).
        self.visible: set[str] = set()
        #: Jobs the API answered 404 for (past retention, or unknown): never asked again.
        self.expired: set[str] = set()
        #: Jobs answering 410 (deleted): never asked again.
        self.deleted: set[str] = set()
        #: Jobs answering 409 (being deleted): asked on the slowing schedule until 410/404,
        #: so a row does not say "deleting" for ever.
        self.deleting: set[str] = set()
        #: Per job: (when to ask next, current gap). A job that did not change is asked half
        #: as often next time, from ``max(interval, min_job_interval)`` to ``max_job_interval``.
        self._job_schedule: dict[str, tuple[float, float]] = {}
        self.max_job_interval = max_job_interval
        #: Never the same job more often than this, whatever the round interval (floor 1 s).
        self.min_job_interval = max(1.0, min_job_interval)
        self._last_asked: dict[str, float] = {}
        #: Counts rounds, so a replaced round's cleanup knows it is no longer the current one.
        self._round = 0
        #: The user asked for this refresh: it also loads new jobs left out at the page
        #: bound of an earlier one (background rounds do not, they would read 20 pages).
        self.fill_gap = False

    @property
    def page_size(self) -> int:
        return self.loader.page_size

    @property
    def state(self) -> PollState:
        if self.interval <= 0:
            return PollState.OFF
        if self.key_rejected:
            return PollState.KEY_REJECTED
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
            and not self.key_rejected
            and not self.running
            and self.clock() >= self.next_due
        )

    def hold_for_first_page(self) -> None:
        """A first page is on its way: no automatic try until it answers. Its answer (or
        its failure) sets the next time; an automatic retry would cancel a request that a
        slow server was about to answer, so a server slower than the refresh interval never
        loaded (a tester, 6 s latency). The bound only matters if the request died unseen."""
        self.next_due = self.clock() + max(self.interval, FIRST_PAGE_HOLD)

    def refresh_now(self) -> None:
        """The user asked: try now (also after the key was rejected)."""
        self.key_rejected = False
        self.next_due = self.clock()
        self.fill_gap = True

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        if not self.paused:
            self.key_rejected = False
            self.next_due = self.clock()
        return self.paused

    def jobs_to_refresh(self, first_page_ids: set[str], vanished: Iterable[str] = ()) -> list[str]:
        """Jobs that can still change and are due a check: those below the first page (the
        list refresh does not cover them), running ones on screen (the list carries no
        progress, so their bars would never move), jobs being deleted (until they are gone),
        and ``vanished`` ones (missing from the list where it should hold them: deleted by
        someone else, finished or not). Never an archived row: the API did not return it,
        and a 404 would only hide the status it was last seen with."""
        now = self.clock()
        check = self.deleting.union(vanished)
        return [
            r.job_id
            for r in self.store.rows
            if (
                r.job_id in check
                or (
                    r.kind not in FINISHED
                    and r.local not in ("deleted", "deleting")
                    and (
                        r.job_id not in first_page_ids
                        or (r.job_id in self.visible and r.kind is StatusKind.RUNNING)
                    )
                )
            )
            and not r.archived
            and r.job_id not in self.followed
            and r.job_id not in self.expired
            and r.job_id not in self.deleted
            and r.local != "deleted"
            and self._job_schedule.get(r.job_id, (0.0, 0.0))[0] <= now
            and now - self._last_asked.get(r.job_id, -math.inf) >= self.min_job_interval
        ]

    def _reschedule(self, job_id: str, changed: bool) -> None:
        _, gap = self._job_schedule.get(job_id, (0.0, 0.0))
        base = max(self.interval, self.min_job_interval)
        gap = base if changed or not gap else min(self.max_job_interval, gap * 2)
        self._job_schedule[job_id] = (self.clock() + gap, gap)

    async def poll_once(self) -> Changes:
        """One round. Raises nothing: errors are recorded and schedule the next try, and
        whatever did arrive in the round is returned to be applied.

        A round may be cancelled and replaced by a new one (the user refreshing past a hung
        request); the cancelled one's cleanup then must not mark the new one finished."""
        self._round += 1
        round_ = self._round
        self.running = True
        changes = Changes()
        try:
            fill_gap, self.fill_gap = self.fill_gap, False
            try:
                page = await self.loader.refresh(fill_gap=fill_gap)
            except ReductoError as exc:
                self.record_failure(exc)
                return changes
            changes.extend(page.changes)
            due = self.jobs_to_refresh(page.ids, page.vanished)
            failure = await self._refresh_jobs(due, changes)
        finally:
            if round_ == self._round:
                self.running = False
        if failure is not None:
            self.record_failure(failure)
        else:
            self.record_success()
        return changes

    async def _refresh_jobs(self, job_ids: list[str], changes: Changes) -> ReductoError | None:
        """Ask each job; returns the error that should put the poller on its backoff (a
        rejected key first, else the first 429/5xx/network error), or ``None``."""
        gate = asyncio.Semaphore(self.concurrency)
        trouble: list[ReductoError] = []

        async def one(job_id: str) -> None:
            async with gate:
                if any(isinstance(e, RateLimitError | AuthError) for e in trouble):
                    return  # told to slow down (or refused): send no more of this round
                self._last_asked[job_id] = self.clock()
                try:
                    detail = await self.client.get_job(job_id)
                except NotFoundError:
                    self.deleting.discard(job_id)
                    self._stop(job_id, "expired", self.expired, changes)
                    return
                except JobDeletedError as exc:
                    if exc.gone:
                        self.deleting.discard(job_id)
                        self._stop(job_id, "deleted", self.deleted, changes)
                    else:  # 409: its data is going; ask (ever less often) until it is gone
                        self._stop(job_id, "deleting", self.deleting, changes)
                        self._reschedule(job_id, changed=False)
                    return
                except (AuthError, *TRANSIENT) as exc:
                    trouble.append(exc)
                    self._reschedule(job_id, changed=False)
                    return
                except ReductoError:
                    # Something about this job alone (an unreadable answer, say): ask it
                    # less often, and let the rest of the round be.
                    self._reschedule(job_id, changed=False)
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
        auth = [e for e in trouble if isinstance(e, AuthError)]
        return auth[0] if auth else (trouble[0] if trouble else None)

    def _stop(self, job_id: str, state: str, into: set[str], changes: Changes) -> None:
        """The job is gone or going: keep what we knew, show why, never ask again."""
        row = self.store.set_local(job_id, state)
        into.add(job_id)
        if row is not None:
            changes.changed.append(row)

    def record_success(self) -> None:
        self.failures = 0
        self.last_error = ""
        self.next_due = self.clock() + self.interval

    def record_failure(self, exc: ReductoError) -> None:
        """Schedule the next try after a failed request (also used for the first page)."""
        self.failures += 1
        self.last_error = exc.message
        if isinstance(exc, AuthError):
            # A rejected key will not fix itself: no retry loop, wait for the user.
            self.key_rejected = True
            self.next_due = math.inf
            return
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            wait = exc.retry_after
            delay = self.retry_after_cap if math.isnan(wait) else wait
            delay = min(self.retry_after_cap, max(MIN_RETRY_AFTER, delay))
        else:
            ceiling = min(self.max_backoff, self.interval * 2 ** min(self.failures, 32))
            delay = self._rng.uniform(ceiling / 2, ceiling)
        self.next_due = self.clock() + delay
