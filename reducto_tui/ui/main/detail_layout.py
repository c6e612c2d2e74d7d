"""Where the open job's detail sits: beside the list on a wide terminal, full screen on a
narrow one; crossing the width moves it, keeping its job, its tab and the focus."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.containers import Horizontal
from textual.timer import Timer

from reducto_tui.ui.main.base import MainBase
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.job_table import JobTable

#: Terminals at least this wide show the detail beside the table.
WIDE = 140
#: The pane beside the list follows the cursor once it rests this long (as gh-dash does).
FOLLOW_DELAY = 0.15


class DetailLayout(MainBase):
    _follow_timer: Timer | None = None
    #: A move of the detail to beside the list is scheduled (after the screen pops).
    _moving_detail = False

    def pane_beside(self) -> bool:
        return (
            self.open_job is not None
            and self.detail.parent is not None
            and not any(isinstance(s, DetailScreen) for s in self.app.screen_stack)
        )

    def action_open(self) -> None:
        row = self.table.highlighted
        if row is None or isinstance(self.app.screen, DetailScreen):
            return  # one detail at a time
        self.show_detail(row.job_id, focus=True)

    def show_detail(self, job_id: str, focus: bool, tab: str | None = None) -> None:
        """Show ``job_id`` beside the list on a wide terminal, full screen otherwise."""
        self.open_job = job_id
        if self.app.size.width >= WIDE:
            if self.detail.parent is None:
                self.detail = self.new_pane()
                self.query_one("#main", Horizontal).mount(self.detail)
            if tab is not None:
                self.detail.active_tab = tab
            if self.detail.job_id != job_id:
                self.detail.open(job_id)
            if focus:
                self.detail.call_after_refresh(self.detail.focus_content)
        else:
            pane = self.detail = self.new_pane()
            if tab is not None:
                pane.active_tab = tab
            pane.open(job_id)
            screen = DetailScreen(pane)
            if isinstance(self.app.screen, DetailScreen):
                # One detail at a time: a job opened from a full-screen detail (the new job of
                # a re-run) replaces it, so esc leads back to the list and keys act on the job
                # shown, not on a detail hidden under it (a tester, 80x24).
                self.app.pop_screen()  # popped, not dismissed: its close callback is not run
            self.app.push_screen(screen, callback=partial(self._screen_closed, pane))

    def close_detail(self) -> None:
        if isinstance(self.app.screen, DetailScreen):
            self.app.screen.dismiss(None)
            return
        if self.detail.parent is not None:
            self.detail.remove()
        self._detail_closed()

    def _screen_closed(self, pane: DetailPane, _result: None) -> None:
        if pane is not self.detail:  # replaced by a re-layout in the meantime
            return
        job_id = self.open_job
        self._detail_closed()
        # Back on the job the user was reading: while it was open, new jobs may have moved
        # the cursor (it follows the top of the list).
        index = self.store.view.index_of(job_id) if job_id else None
        if index is not None:
            self.table.set_cursor(index)

    def _detail_closed(self) -> None:
        self.open_job = None
        self.detail = self.new_pane()
        self.table.focus()

    def fit_layout(self) -> None:
        """Crossing the width threshold moves the open detail between beside-the-list and
        full screen, keeping its job, its tab and whether it had the focus."""
        job_id = self.open_job
        if job_id is None or self.app.screen.is_modal or self._moving_detail:
            return
        wide = self.app.size.width >= WIDE
        full_screen = isinstance(self.app.screen, DetailScreen)
        if wide == (not full_screen and self.detail.parent is not None):
            return
        tab, focused = self.detail.active_tab, self.in_detail()
        if full_screen:
            self.detail = self.new_pane()  # so the screen's callback ignores it
            self.app.pop_screen()
            self._moving_detail = True

            def beside() -> None:  # once the main screen is back (focus needs a live screen)
                self._moving_detail = False
                self.show_detail(job_id, focused, tab)

            self.call_after_refresh(beside)
            return
        if self.detail.parent is not None:
            self.detail.remove()
        self.show_detail(job_id, focus=focused, tab=tab)

    @on(JobTable.Highlighted)
    def _highlighted(self, event: JobTable.Highlighted) -> None:
        if self.pane_beside():
            # The pane follows the cursor once it rests, so a fast scroll does not fetch
            # every job it passes.
            if self._follow_timer is not None:
                self._follow_timer.stop()
            self._follow_timer = self.set_timer(FOLLOW_DELAY, self.follow_cursor)

    def follow_cursor(self) -> None:
        # While the user is in the pane, the open job is the target of every action: a
        # cursor moved by new jobs arriving must not swap it under them. Back in the
        # table (esc), the pane catches up with the cursor.
        if self.detail.has_focus_within:
            return
        row = self.table.current
        if row is not None and self.pane_beside() and row.job_id != self.open_job:
            self.show_detail(row.job_id, focus=False)

    def detail_updated(self, event: DetailPane.Updated) -> None:
        """The pane fetched its job (it may be on a DetailScreen: the app passes it on)."""
        changes = self.store.update_detail(event.job_id, event.detail, archived=event.archived)
        row = self.store.by_id.get(event.job_id)
        if row is not None:  # the pane shows the state the table shows
            self.detail.show_status(row.job_id, row.status, row.kind)
        if changes:
            self.table.refresh_rows()
            self.notify_finished(changes.finished)

    def action_next_tab(self) -> None:
        self.detail.action_switch_tab(1)

    def action_prev_tab(self) -> None:
        self.detail.action_switch_tab(-1)

    def action_find(self) -> None:
        if self.open_job:
            self.detail.action_find()

    def action_fetch_url(self) -> None:
        if self.open_job:
            self.detail.action_fetch_url()
