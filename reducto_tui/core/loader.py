"""Loading pages of ``GET /jobs`` into the store: the first page (and its refresh), the next
page, and every page, each bounded so a misbehaving server cannot loop us for ever.

The UI calls these and applies the :class:`PageOutcome`; the schedule of retries after a
failure belongs to the poller (:meth:`Poller.record_failure`), which this loader feeds.

A refresh of the first page fills gaps: when more than a page of new jobs arrived since the
last refresh, it follows the cursor until it meets a job it already knows, so nothing is
missing between the new top and the old rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.listing import ListedJob, ListedPage
from reducto_tui.core.store import Changes, JobStore

if TYPE_CHECKING:
    from reducto_tui.core.poller import Poller

Hook = Callable[[], None] | None

#: How many pages a refresh follows looking for a known job before it gives up.
MAX_GAP_PAGES = 20
#: Pages in a row that hold no job but point to another page: a server going round in circles.
MAX_EMPTY_PAGES = 3
#: Event-loop turns a prefetched request gets to reach the socket before the page in hand is
#: put in the store (httpx passes a few checkpoints on the way).
REQUEST_YIELDS = 8


@dataclass
class PageOutcome:
    changes: Changes = field(default_factory=Changes)
    #: The request's failure, if any (already recorded in the poller's backoff).
    error: ReductoError | None = None
    #: Why paging stopped early (a repeating cursor, empty pages, a gap left unfilled).
    problem: str = ""
    pages: int = 0
    #: Every job id the pages held (a refresh covers these; the poller skips them).
    ids: set[str] = field(default_factory=set)
    #: Loaded jobs the refreshed first page should hold (created within its span) but does
    #: not: deleted by someone else, or past retention. The poller asks each once.
    vanished: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.error is None


class PageLoader:
    def __init__(
        self,
        client: ReductoClient,
        store: JobStore,
        poller: Poller,
        *,
        page_size: int = 100,
        exclude_configs: bool = True,
        max_gap_pages: int = MAX_GAP_PAGES,
        max_empty_pages: int = MAX_EMPTY_PAGES,
    ) -> None:
        self.client = client
        self.store = store
        self.poller = poller
        self.page_size = page_size
        self.exclude_configs = exclude_configs
        self.max_gap_pages = max_gap_pages
        self.max_empty_pages = max_empty_pages
        #: Where refreshes stopped following new jobs at their page bound, newest first:
        #: jobs below each may be missing until a refresh the user asks for goes on there.
        self.gaps: list[str] = []
        #: While loading every page: the next page's request, already on its way.
        self._ahead: tuple[str, asyncio.Task[ListedPage]] | None = None

    async def _page(self, cursor: str | None) -> ListedPage:
        # Pages without a model per job: pydantic would cost 4x the JSON decode (issue 14).
        return await self.client.list_page(cursor, self.page_size, self.exclude_configs)

    @staticmethod
    def _fetched(hook: Hook) -> None:
        # The UI reads its state here, after the await and before the store changes (say,
        # which job is under the cursor, so it can keep it there once rows arrive above).
        if hook is not None:
            hook()

    # ------------------------------------------------------------------ first page

    async def first_page(self, on_fetched: Hook = None) -> PageOutcome:
        """Load the first page, or refresh it once loaded. A failure goes into the poller's
        backoff (the next try waits); a success puts the next refresh one interval away."""
        outcome = PageOutcome()
        try:
            if not self.store.pages_loaded:
                page = await self._page(None)
                self._fetched(on_fetched)
                outcome.changes = self.store.add_page(page.jobs, page.next_cursor, page.skipped)
                outcome.pages = 1
            else:
                await self._refresh(outcome, on_fetched)
        except ReductoError as exc:
            self.poller.record_failure(exc)
            outcome.error = exc
            return outcome
        self.poller.record_success()
        return outcome

    async def refresh(self, on_fetched: Hook = None, fill_gap: bool = False) -> PageOutcome:
        """The first page merged on top, following the cursor over any gap; ``fill_gap``
        (the user asked) also goes on from where an earlier refresh stopped at its bound.
        Raises the request's :class:`ReductoError`; the caller (a poll round) decides the
        schedule."""
        outcome = PageOutcome()
        await self._refresh(outcome, on_fetched, fill_gap)
        return outcome

    async def _refresh(
        self, outcome: PageOutcome, on_fetched: Hook, fill_gap: bool = False
    ) -> None:
        known = self.store.by_id
        page = await self._page(None)
        outcome.pages = 1
        jobs: list[ListedJob] = list(page.jobs)
        page_one = jobs[:]
        # Nothing of this page known yet (and something loaded before): jobs may be missing
        # between this page and the old top. Follow the cursor until a known job shows up.
        stopped = None
        if known and not any(j.job_id in known for j in page.jobs):
            stopped = await self._follow(page.next_cursor, jobs, outcome, self.max_gap_pages - 1)
        elif fill_gap and self.gaps:
            stopped = await self._follow(self.gaps.pop(0), jobs, outcome, self.max_gap_pages)
        if stopped:
            self.gaps.insert(0, stopped)
            outcome.problem = (
                f"More than {self.max_gap_pages} pages of new jobs arrived; "
                "more may be missing until a refresh loads them."
            )
        outcome.ids = {j.job_id for j in jobs}
        outcome.vanished = self._vanished(page_one, outcome.ids)
        self._fetched(on_fetched)
        outcome.changes = self.store.merge_first_page(jobs)

    def _vanished(self, page: list[ListedJob], listed: set[str]) -> set[str]:
        """Loaded rows created within the first page's span that the page does not hold.
        Rows are in API order (newest first), so the scan stops below the page's oldest."""
        times = [j.created for j in page]
        if not page or any(t is None for t in times):
            return set()
        stamps = [t.timestamp() for t in times if t is not None]
        oldest, newest = min(stamps), max(stamps)
        gone: set[str] = set()
        for row in self.store.rows:
            if row.created is None:
                continue
            if row.created < oldest:
                break
            if (
                row.created <= newest
                and row.job_id not in listed
                and row.local != "deleted"
                and not row.archived  # known to be gone: nothing to ask
            ):
                gone.add(row.job_id)
        return gone

    async def _follow(
        self, cursor: str | None, jobs: list[ListedJob], outcome: PageOutcome, budget: int
    ) -> str | None:
        """Pages from ``cursor`` into ``jobs`` until one holds a job already loaded, the
        list ends, or ``budget`` pages were read: then the cursor to go on from later."""
        known = self.store.by_id
        seen: set[str] = set()
        for _ in range(budget):
            if not cursor or cursor in seen:
                return None
            seen.add(cursor)
            page = await self._page(cursor)
            outcome.pages += 1
            jobs.extend(page.jobs)
            if any(j.job_id in known for j in page.jobs):
                return None
            cursor = page.next_cursor
        return cursor or None

    # ------------------------------------------------------------------ further pages

    async def next_page(self, on_fetched: Hook = None, prefetch: bool = False) -> PageOutcome:
        """The page after the loaded ones (nothing when all are loaded). ``prefetch`` asks
        for the page after it before this one goes into the store, so the server works on
        it meanwhile (``load_all``; ``drop_prefetch`` cancels it)."""
        outcome = PageOutcome()
        cursor = self.store.next_cursor
        if not self.store.pages_loaded or not cursor:
            return outcome
        ahead, self._ahead = self._ahead, None
        try:
            if ahead is not None and ahead[0] == cursor:
                page = await ahead[1]
            else:
                if ahead is not None:
                    ahead[1].cancel()
                page = await self._page(cursor)
        except ReductoError as exc:
            outcome.error = exc
            return outcome
        outcome.pages = 1
        following = page.next_cursor
        if prefetch and following and following != cursor:
            self._ahead = (following, asyncio.create_task(self._page(following)))
            for _ in range(REQUEST_YIELDS):
                await asyncio.sleep(0)
        self._fetched(on_fetched)
        if page.next_cursor == cursor:
            # The same cursor again would fetch this page for ever: stop here.
            outcome.problem = "The server sent the same page cursor twice; stopped loading."
            outcome.changes = self.store.add_page(page.jobs, None, page.skipped)
            return outcome
        outcome.changes = self.store.add_page(page.jobs, page.next_cursor, page.skipped)
        return outcome

    async def load_all(
        self,
        keep_going: Callable[[], bool] = lambda: True,
        on_page: Callable[[PageOutcome], None] | None = None,
        on_fetched: Hook = None,
    ) -> PageOutcome:
        """Every remaining page, until the last, ``keep_going()`` turns false, a request
        fails, or the server loops: a cursor seen before, or ``max_empty_pages`` pages in a
        row with no job but a new cursor."""
        total = PageOutcome()
        try:
            await self._load_all(total, keep_going, on_page, on_fetched)
        finally:
            self.drop_prefetch()
        return total

    async def _load_all(
        self,
        total: PageOutcome,
        keep_going: Callable[[], bool],
        on_page: Callable[[PageOutcome], None] | None,
        on_fetched: Hook,
    ) -> None:
        seen: set[str] = set()
        empty = 0
        while self.store.next_cursor and keep_going():
            cursor = self.store.next_cursor
            if cursor in seen:
                total.problem = "The server sent a page cursor seen before; stopped loading."
                self.store.next_cursor = None
                break
            seen.add(cursor)
            outcome = await self.next_page(on_fetched, prefetch=True)
            total.changes.extend(outcome.changes)
            total.pages += outcome.pages
            if on_page is not None:
                on_page(outcome)
            if outcome.error is not None or outcome.problem:
                total.error, total.problem = outcome.error, outcome.problem
                break
            empty = empty + 1 if not outcome.changes.added else 0
            if empty >= self.max_empty_pages and self.store.next_cursor:
                total.problem = (
                    f"The server sent {empty} pages in a row without new jobs; stopped loading."
                )
                self.store.next_cursor = None
                break

    def drop_prefetch(self) -> None:
        """Cancel a page requested ahead that will not be used (stopped, failed, looped)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead[1].cancel()
            ahead[1].add_done_callback(_quiet)


def _quiet(task: asyncio.Task[ListedPage]) -> None:
    # A dropped request may still fail before the cancel lands: nobody waits for it.
    if not task.cancelled():
        task.exception()
