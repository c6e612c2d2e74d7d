"""The main screen: the job list, its filter and, on a wide terminal, the open job's detail.

Its parts live in ``ui/main/`` (loading, the detail's layout, actions on jobs, export); this
module holds what moves around the list: filter, sort, paging, refresh and "back".
"""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from reducto_tui.core.filter_text import with_status
from reducto_tui.core.store import SORT_COLUMNS
from reducto_tui.ui.commands import QUICK_STATUS
from reducto_tui.ui.main.archiving import Archiving
from reducto_tui.ui.main.creating import Creating
from reducto_tui.ui.main.detail_layout import DetailLayout
from reducto_tui.ui.main.exporting import Exporting
from reducto_tui.ui.main.job_actions import JobActions
from reducto_tui.ui.main.loading import Loading
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.widgets.job_table import JobTable


class MainScreen(Loading, Creating, DetailLayout, JobActions, Exporting, Archiving):
    # The table takes the focus itself (the filter box starts hidden).
    AUTO_FOCUS = "#jobs"

    def on_mount(self) -> None:
        self.filter_box.display = False
        # With the archive on, the first page waits for it to open, so it is stored too.
        self.start_archive(then=self.load_first_page)
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if not self.app.screen_stack:  # shutting down
            return
        self.tick()
        if not self.app.screen.is_modal:
            self.fit_layout()  # a resize while a dialog was up

    # ------------------------------------------------------------------ table events

    @on(JobTable.NearEnd)
    def _near_end(self) -> None:
        if self.store.next_cursor and not self.loading_all and self.store.view.filter.empty:
            self.load_next_page()

    @on(JobTable.Selected)
    def _selected(self, event: JobTable.Selected) -> None:
        self.action_open()

    @on(JobTable.HeaderClicked)
    def _header_clicked(self, event: JobTable.HeaderClicked) -> None:
        view = self.store.view
        descending = not view.descending if view.sort_column == event.sort else True
        self.sort(event.sort, descending)

    # ------------------------------------------------------------------ filter & sort

    def action_filter(self) -> None:
        self.filter_box.display = True
        self.filter_box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        # The view tells its listeners (the table, ``_rows_moved``): the header and the
        # status line redraw once per key, not twice.
        self.store.view.set_filter(event.value)
        self.table.to_top()  # a new filter starts at its first match
        self._show_now()

    @on(JobTable.Filtered)
    def _filtered(self) -> None:
        self.store_changed()  # a long filter scan is done: the match count is final

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_escape(self) -> None:
        """Back, one step at a time, always ending on the table."""
        if self.loading_all:
            self.loading_all = False
            self.notify("Stopped loading pages.")
            return
        if isinstance(self.app.screen, DetailScreen):
            self.app.screen.dismiss(None)
            return
        if self.in_detail():
            self.table.focus()
            self.call_later(self.follow_cursor)  # once the focus has moved
            return
        box = self.filter_box
        if self.open_job and not box.has_focus:
            self.close_detail()
            return
        if box.value or box.display:
            box.value = ""
            box.display = False
        self.table.focus()

    def action_quick_status(self, n: int) -> None:
        box = self.filter_box
        box.value = with_status(box.value, QUICK_STATUS[n])
        box.display = bool(box.value)

    def action_sort_next(self) -> None:
        view = self.store.view
        index = SORT_COLUMNS.index(view.sort_column)
        self.sort(SORT_COLUMNS[(index + 1) % len(SORT_COLUMNS)], view.descending)

    def action_sort_flip(self) -> None:
        self.sort(self.store.view.sort_column, not self.store.view.descending)

    def sort(self, column: str, descending: bool) -> None:
        self.store.view.set_sort(column, descending)  # its listeners redraw the chrome
        self.table.to_top()
        self._show_now()

    def _show_now(self) -> None:
        """A user's filter or sort shows with the key, even during a live round's cadence."""
        if self.live_round:
            self.repaint()

    # ------------------------------------------------------------------ paging & refresh

    def action_next_page(self) -> None:
        if self.loading_all:
            return  # already loading every page; a second loader would cancel it
        if self.store.next_cursor:
            self.load_next_page()
        else:
            self.notify("All pages are loaded.")

    def action_load_all(self) -> None:
        if self.store.next_cursor and not self.loading_all:
            self.load_all()
        elif not self.store.next_cursor:
            self.notify("All pages are loaded.")

    def action_refresh(self) -> None:
        if self.open_job and self.detail.error is not None:
            self.detail.retry()
        if not self.store.pages_loaded:
            self.load_first_page()
            return
        self.poller.refresh_now()
        self.poll()  # exclusive: replaces a round stuck on a slow server
        if self.open_job:
            self.detail.retry()

    def action_pause(self) -> None:
        self.paused = self.poller.toggle_pause()
        self.notify("Live refresh paused." if self.paused else "Live refresh resumed.")
