"""The archive in the app (``--archive``): opened off the event loop, told every job the
client receives, its last days of jobs streamed into the list in the background like
pages, "load older" for more, and with ``--archive-results`` the result of every job that
completes fetched and kept. Any problem is one message; the app goes on without it."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable

from textual import on, work
from textual.message import Message

from reducto_tui.archive import Archive, ArchiveError, open_archive
from reducto_tui.core.archived import ArchiveFeed
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc
from reducto_tui.core.result_keeper import ResultKeeper
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import Changes
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean
from reducto_tui.ui.cadence import Throttle
from reducto_tui.ui.main.base import MainBase

#: Longest the archive's stream waits after its first screenful, for it to be painted and for
#: the first live page (a hidden screen never paints; a network may be down).
FIRST_WAIT = 2.0


class ArchiveOpened(Message):
    def __init__(self, archive: Archive | None, problem: str = "") -> None:
        super().__init__()
        self.archive = archive
        self.problem = problem


class ArchivedArrived(Message):
    """A batch of archived jobs is in the store (``done``: the last one of this load)."""

    def __init__(self, changes: Changes, done: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.done = done


class Archiving(MainBase):
    archive: Archive | None = None
    feed: ArchiveFeed | None = None
    keeper: ResultKeeper | None = None
    _after_open: Callable[[], object] = staticmethod(lambda: None)
    _archive_paint = Throttle()
    _archive_loading = False
    _refresh_problem = ""

    def is_archive_loading(self) -> bool:
        """Archived jobs are still streaming into the list."""
        return self._archive_loading

    def start_archive(self, then: Callable[[], object]) -> None:
        """Open the archive if it is on, then call ``then`` (load the first page) once it is
        open or failed to, so the jobs of that page are stored too; at once when it is off."""
        if not self.settings.archive:
            then()
            return
        self._after_open = then
        self._open_archive()

    @work(thread=True, group="archive-open", exit_on_error=False)
    def _open_archive(self) -> None:
        # Opening migrates the schema, or waits on a PostgreSQL server: not on the loop.
        try:
            archive = open_archive(self.settings.archive_url_value())
        except ArchiveError as exc:
            self.post_message(ArchiveOpened(None, str(exc)))
        else:
            self.post_message(ArchiveOpened(archive))

    @on(ArchiveOpened)
    def _archive_opened(self, message: ArchiveOpened) -> None:
        # A worker: it starts after this handler has set the observer below.
        if not self.store.pages_loaded:
            self._after_open()
        if message.archive is None:
            self.notify(
                f"{clean(message.problem)} Running without the archive.",
                severity="warning",
                timeout=10,
            )
            return
        self.archive = archive = message.archive
        self.client.observer = archive
        self.feed = ArchiveFeed(archive, self.store, self.clock)
        if self.settings.archive_results:
            self.keeper = ResultKeeper(self.client)
            self.keeper.start()
        self._load_archived(self.settings.archive_days, older=False)

    @work(exclusive=True, group="archive-load", exit_on_error=False)
    async def _load_archived(self, days: float, older: bool) -> None:
        feed = self.feed
        if feed is None:
            return
        self._archive_paint = Throttle()
        self._archive_loading = True

        def arrived(changes: Changes) -> None:
            self.post_message(ArchivedArrived(changes))

        async def shown() -> None:
            # The first screenful is painted, and the first live page is in, before the
            # rest of the stream takes the CPU (on 2 busy cores it delayed both by ~0.7 s).
            loop = asyncio.get_running_loop()
            deadline = loop.time() + FIRST_WAIT
            painted = asyncio.Event()
            self.repaint()
            self.call_after_refresh(painted.set)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(painted.wait(), FIRST_WAIT)
            while not self.store.pages_loaded and loop.time() < deadline:
                await asyncio.sleep(0.02)

        try:
            if older:
                self.notify(older_message(await feed.load_older(days, arrived), feed))
            else:
                await feed.load(days, arrived, shown)
        except ArchiveError as exc:
            self.notify(clean(str(exc)), severity="warning")
        finally:
            self.post_message(ArchivedArrived(Changes(), done=True))

    @on(ArchivedArrived)
    def _archived_arrived(self, message: ArchivedArrived) -> None:
        if message.done:
            self._archive_loading = False
        if message.done or self._archive_paint.ready():
            keep_loaded_jobs_out_of_gc()
            self.repaint()

    def refreshed(self) -> None:
        super().refreshed()
        if self.feed is not None:
            self._refresh_archived()

    @work(exclusive=True, group="archive-refresh", exit_on_error=False)
    async def _refresh_archived(self) -> None:
        """What others stored since the last look joins the list (a shared archive)."""
        feed = self.feed
        if feed is None:
            return
        try:
            changes = await feed.refresh()
        except ArchiveError as exc:
            if str(exc) != self._refresh_problem:  # once, not at every refresh
                self._refresh_problem = str(exc)
                self.notify(clean(str(exc)), severity="warning")
            return
        self._refresh_problem = ""
        if changes:
            keep_loaded_jobs_out_of_gc()
            self.repaint()
            self.notify_finished(changes.finished)

    def action_load_older(self) -> None:
        if self.feed is None:
            self.notify(
                "The archive is off: start with --archive (or archive = true) to keep and "
                "load older jobs.",
                severity="warning",
            )
            return
        self._load_archived(self.settings.archive_days or 7, older=True)
        below = self.feed.oldest
        since = f" created before {fmt.absolute(below)}" if below and math.isfinite(below) else ""
        self.notify(f"Loading older archived jobs{since}…")

    def notify_finished(self, rows: list[JobRow]) -> None:
        super().notify_finished(rows)
        if self.keeper is not None:
            self.keeper.finished(rows)

    async def on_unmount(self) -> None:
        if self.keeper is not None:
            await self.keeper.stop()
        if self.archive is not None:
            self.client.observer = None
            self.archive.close()  # writes what is still queued (a fraction of a second)


def older_message(added: int, feed: ArchiveFeed) -> str:
    """What "load older" did: how many jobs, created when; or that nothing older exists."""
    span = feed.older_span
    if span is None:
        return "No older archived jobs: the oldest the archive holds is already in the list."
    since, until = (fmt.absolute(t) for t in span)
    jobs = f"{fmt.count(added)} older archived job{'s' * (added != 1)}"
    return f"Loaded {jobs}, created {since} to {until}."
