"""Loading the list: the first page (retried on the poller's backoff), the next page, every
page, and the live refresh. Workers only fetch; handlers put the outcome on screen."""

from __future__ import annotations

from textual import on, work

from reducto_tui.core.loader import PageOutcome
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc
from reducto_tui.ui.cadence import Throttle
from reducto_tui.ui.main.base import MainBase
from reducto_tui.ui.main.messages import AllPagesDone, PageArrived, Polled


class Loading(MainBase):
    #: Repaints while every page loads: a few times a second, not per page.
    _paint = Throttle()

    def tick(self) -> None:
        """Once a second: poll when due; until a first page arrives (say the network was
        down at start), keep retrying it on the poller's backoff schedule."""
        if self.poller.due() and not self.loading_all:
            if self.store.pages_loaded:
                self.poll()
            else:
                self.load_first_page()
        self.ticks += 1

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_first_page(self) -> None:
        self.poller.hold_for_first_page()
        self.post_message(PageArrived(await self.poller.loader.first_page()))

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_next_page(self) -> None:
        if self.store.pages_loaded and self.store.next_cursor:
            self.post_message(PageArrived(await self.poller.loader.next_page()))

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_all(self) -> None:
        self.loading_all = True
        self._paint = Throttle()
        self.table.hold_paint(True)  # pages arrive every few ms: the throttle repaints
        total: PageOutcome | None = None

        def arrived(page: PageOutcome) -> None:
            self.post_message(PageArrived(page, during_all=True))

        try:
            # core.loader stops on a repeating cursor or endless empty pages.
            total = await self.poller.loader.load_all(lambda: self.loading_all, arrived)
        finally:
            self.post_message(AllPagesDone(total))

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        self.poller.visible = self.table.visible_ids()
        self._hold_for_round(True)
        try:
            changes = await self.poller.poll_once()
        except BaseException:  # cancelled (a newer round, or the app ends)
            self._hold_for_round(False)
            raise
        self.post_message(Polled(changes, ok=not self.poller.failures))

    def _hold_for_round(self, held: bool) -> None:
        """A round's answers arrive one job at a time: the table and the chrome follow them
        on a cadence (``_rows_moved``) while it runs, and in full when it ends."""
        self.live_round = held
        self.table.hold_paint(held or self.loading_all)

    @on(PageArrived)
    def _page_arrived(self, message: PageArrived) -> None:
        # The table keeps its cursor on its job by itself at the moment the view changes
        # (issue 12), so nothing here reads or moves the cursor.
        outcome = message.outcome
        if message.during_all:
            if outcome.error is None:
                # The header redraws when "updated" changes: on the cadence, not per page.
                if self._paint.ready() or outcome.problem:
                    self._take(outcome)
                    self._show_loaded()
                self.notify_finished(outcome.changes.finished)
            return
        if self._take(outcome):
            self.repaint()
            keep_loaded_jobs_out_of_gc()
            self.notify_finished(outcome.changes.finished)

    def _take(self, outcome: PageOutcome) -> bool:
        if outcome.error is not None:
            exc = outcome.error
            self.load_error = exc.message
            self.notify(f"{exc.message} {exc.hint}".strip(), severity="error", timeout=8)
            return False
        self.load_error = outcome.problem
        self.last_updated = self.clock()
        return True

    @on(AllPagesDone)
    def _all_done(self, message: AllPagesDone) -> None:
        total = message.total
        if total is not None and total.error is None:
            self.last_updated = self.clock()
        if total is not None and total.error is not None:
            self._take(total)
        elif total is not None and total.problem:
            self.load_error = total.problem
            self.notify(total.problem, severity="warning")
        self.loading_all = False
        self.table.hold_paint(self.live_round)
        self._show_loaded()

    def _show_loaded(self) -> None:
        keep_loaded_jobs_out_of_gc()
        self.repaint()

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        self._hold_for_round(False)
        if message.ok:
            self.last_updated = self.clock()
        self.poll_error = "" if message.ok else self.poller.last_error
        self.repaint()
        self.notify_finished(message.changes.finished)
        self.refreshed()
