"""Archived jobs in the job list: streamed from the archive in the background, a batch at a
time like pages, behind the jobs the API still returns."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Iterator

from reducto_tui.archive import Archive, ArchivedJob
from reducto_tui.core.rows import JobRow, row_from_job
from reducto_tui.core.store import Changes, JobStore

DAY = 86400.0
#: Archived jobs per batch: a page's worth, so the first rows show as soon as a page would.
BATCH = 500
#: The first batch: a screenful, read and shown before the rest streams in.
FIRST = 100


def _rows(batch: list[ArchivedJob]) -> list[JobRow]:
    rows = []
    for job in batch:
        row = row_from_job(job.as_job(), job.job_id)
        row.archived = True
        rows.append(row)
    return rows


class ArchiveFeed:
    """Loads archived jobs created in a time range into the store, newest first.

    Reading and building rows happen on a worker thread (a batch each call), so the event
    loop only inserts ready rows; jobs the API returned stay as the API said.
    """

    def __init__(
        self, archive: Archive, store: JobStore, clock: Callable[[], float] = time.time
    ) -> None:
        self.archive = archive
        self.store = store
        self.clock = clock
        self.loaded = 0
        #: Creation time of the oldest archived job loaded ("load older" continues below it).
        self.oldest: float | None = None
        #: The creation-time span the last :meth:`load_older` read; None: nothing was older.
        self.older_span: tuple[float, float] | None = None
        #: The range of creation times loaded so far starts here (None: from the start).
        self.since: float | None = None
        #: Where the next look for other writers' jobs starts (None: nothing loaded yet).
        self.cursor: int | None = None

    async def load(
        self,
        days: float | None = None,
        on_batch: Callable[[Changes], None] | None = None,
        shown: Callable[[], Awaitable[None]] | None = None,
    ) -> int:
        """Jobs created in the last ``days`` (all when None); how many were new to the list.
        ``shown``: awaited after the first screenful, until it is on screen (the rest would
        otherwise compete with painting it)."""
        since = None if days is None else self.clock() - days * DAY
        if self.cursor is None:  # before the first read: what is written meanwhile comes next
            self.cursor = await asyncio.to_thread(self.archive.change_cursor)
        self.since = since
        added = await self._stream(since, None, on_batch, shown)
        # Everything from `since` on is in the list now: "load older" goes on below it.
        low = -math.inf if since is None else since
        self.oldest = low if self.oldest is None else min(self.oldest, low)
        return added

    async def load_older(
        self, days: float, on_batch: Callable[[Changes], None] | None = None
    ) -> int:
        """The ``days`` before the oldest archived job loaded so far, from the newest job
        stored below it (a quiet stretch is skipped, so each call loads something while
        anything older exists); :attr:`older_span` says which span, None when nothing."""
        until = self.oldest if self.oldest is not None else self.clock()
        # Strictly below: the jobs created at `until` itself are in the list already.
        newest = await asyncio.to_thread(self._newest_at_or_before, math.nextafter(until, 0))
        if newest is None:
            self.older_span = None
            return 0
        since = newest - days * DAY
        added = await self._stream(since, newest, on_batch)
        self.oldest = since if self.oldest is None else min(self.oldest, since)
        self.older_span = (since, newest)
        if self.since is not None:
            self.since = min(self.since, since)
        return added

    def _newest_at_or_before(self, until: float) -> float | None:
        for batch in self.archive.iter_jobs(None, until, 1):
            return batch[0].at if batch else None
        return None

    async def refresh(self) -> Changes:
        """Jobs in the loaded range that others stored or changed since the last look (a
        colleague's app, a cron'd ``jobs watch``): new ones join the list, archived rows
        take their newer status."""
        cursor = self.cursor
        if cursor is None:
            return Changes()

        def read() -> tuple[list[JobRow], int]:
            jobs, after = self.archive.changed_since(cursor, self.since)
            return _rows(jobs), after

        rows, self.cursor = await asyncio.to_thread(read)
        changes = self.store.add_archived(rows)
        self.loaded += len(changes.added)
        return changes

    async def _stream(
        self,
        since: float | None,
        until: float | None,
        on_batch: Callable[[Changes], None] | None,
        shown: Callable[[], Awaitable[None]] | None = None,
    ) -> int:
        batches: Iterator[list[ArchivedJob]] = self.archive.iter_jobs(
            since, until, BATCH, first=FIRST
        )

        def next_rows() -> list[JobRow] | None:
            batch = next(batches, None)
            return None if batch is None else _rows(batch)

        added = 0
        while True:
            rows = await asyncio.to_thread(next_rows)
            if rows is None:
                return added
            oldest = rows[-1].created
            if oldest is not None and (self.oldest is None or oldest < self.oldest):
                self.oldest = oldest
            changes = self.store.add_archived(rows)
            added += len(changes.added)
            self.loaded += len(changes.added)
            if on_batch is not None:
                on_batch(changes)
            if shown is not None:
                await shown()
                shown = None
