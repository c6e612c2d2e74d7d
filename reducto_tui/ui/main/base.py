"""What the main screen's parts share: the app's services, the widgets, and the state the
header and the status line are bound to (they redraw themselves when it changes)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ProgressBar
from textual.worker import Worker, WorkerState

from reducto_tui.api.status import StatusKind, shown_status
from reducto_tui.core.rows import JobRow
from reducto_tui.render.text import clean
from reducto_tui.ui import targets as tg
from reducto_tui.ui.cadence import LIVE_REPAINT, LOADING_REPAINT, Throttle
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.services import Services
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.filter_box import FilterBox
from reducto_tui.ui.widgets.header import HeaderBar
from reducto_tui.ui.widgets.job_table import JobTable
from reducto_tui.ui.widgets.key_bar import KeyBar
from reducto_tui.ui.widgets.status_line import StatusLine


class MainBase(Screen[None]):
    # The screen draws nothing of these: the widgets bound to them redraw themselves. A
    # reactive that repaints would repaint the whole screen, table included, on every page
    # while loading, every store change and every second's tick (issue 14).
    #: Every page is loading (esc stops it): the status line says so and the bar shows.
    loading_all = reactive(False, repaint=False)
    #: Why the last load failed ("" when it did not).
    load_error = reactive("", repaint=False)
    #: Why the last refresh failed while the list is reconnecting ("" when it did not): the
    #: status line says it at any width, where the header has room for it only when wide.
    poll_error = reactive("", repaint=False)
    #: Wall time of the last load that reached the server: the header's "updated … ago".
    last_updated: reactive[float | None] = reactive(None, repaint=False)
    #: Bumped when the store's rows, marks, filter or sort change: the chrome re-reads it.
    version = reactive(0, repaint=False)
    #: Seconds since start, so ages and countdowns in the header move on.
    ticks = reactive(0, repaint=False)
    paused = reactive(False, repaint=False)
    #: The job whose detail is open (beside the list or full screen), None when none is.
    open_job: reactive[str | None] = reactive(None)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.settings = services.settings
        self.client = services.client
        self.store = services.store
        self.poller = services.poller
        self.clock = services.clock
        #: The pane showing ``open_job``: beside the list (wide) or on a DetailScreen.
        #: A fresh, unmounted pane while nothing is open.
        self.detail = self.new_pane()
        self.header = HeaderBar(services, id="header")
        self.filter_box = FilterBox(
            placeholder="filter: words, status:failed, type:parse, pages>20, age<1h", id="filter"
        )
        self.table = JobTable(self.store.view, self.store.marks, clock=self.clock, id="jobs")
        self.status_line = StatusLine(services, id="status-line")
        # The number of pages is unknown until the last one: an indeterminate bar.
        self.load_bar = ProgressBar(
            total=None, show_eta=False, show_percentage=False, id="load-bar"
        )
        #: A live refresh round is applying its answers (``Loading.poll``): its changes are
        #: painted on a cadence, and once when the round ends.
        self.live_round = False
        self._live_paint = Throttle(LIVE_REPAINT)
        self.store.view.subscribe(self._rows_moved)
        self._more_offered = True

    def new_pane(self) -> DetailPane:
        return DetailPane(self.client, wall=self.clock)

    def compose(self) -> ComposeResult:
        M = MainBase
        yield self.header.data_bind(M.last_updated, M.version, M.ticks, M.paused)
        yield self.filter_box
        with Horizontal(id="main"):
            yield self.table
        yield self.status_line.data_bind(M.loading_all, M.load_error, M.poll_error, M.version)
        yield self.load_bar
        yield KeyBar()

    def store_changed(self) -> None:
        # While every page loads, the chrome follows the loading cadence (``repaint``), not
        # each of the 200 pages a 100k list arrives in.
        if not self.loading_all:
            self.version += 1

    def _rows_moved(self) -> None:
        """The view's rows changed: a page, a poll's answer, a filter, a sort."""
        if self.live_round:
            if self._live_paint.ready():
                self.repaint()
            return
        self.store_changed()

    def watch_loading_all(self, loading: bool) -> None:
        self.load_bar.display = loading
        if loading:
            # The indeterminate bar animates at 15 frames a second, each a compositor pass:
            # a fifth of the loading time on 2 busy cores. A few frames a second still move.
            for bar in self.load_bar.query("Bar"):
                bar.auto_refresh = LOADING_REPAINT / 2

    def watch_paused(self) -> None:
        self.app.refresh_bindings()  # the footer's "Pause" reads "Resume"

    def watch_open_job(self, job_id: str | None) -> None:
        self.poller.followed = {job_id} if job_id else set()
        self.app.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: the screen running the worker reports it.
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Unexpected error: {event.worker.error}", severity="error")

    def repaint(self) -> None:
        """The store changed under the table: resize it to the view and redraw."""
        with self.app.batch_update():
            self.table.refresh_rows()
            self.version += 1
        if self.store.more_available != self._more_offered:
            self._more_offered = self.store.more_available
            self.app.refresh_bindings()  # the footer offers "Next page" only while there is one

    def refreshed(self) -> None:
        """A live refresh round is done (the archive then reads what others stored)."""

    def notify_finished(self, rows: list[JobRow]) -> None:
        """A toast (and the bell, if configured) for marked or open jobs that finished."""
        for row in rows:
            if row.job_id in self.store.marks or row.job_id == self.open_job:
                severity: SeverityLevel = (
                    "error" if row.kind is StatusKind.FAILED else "information"
                )
                self.notify(
                    f"Job {clean(row.job_id[:8], True)} ({clean(row.source, True)[:40]}) "
                    f"is {clean(shown_status(row.status, row.kind), True) or 'unknown'}.",
                    severity=severity,
                )
                if self.settings.bell:
                    self.app.bell()

    # ------------------------------------------------------------------ what has the focus

    def in_detail(self) -> bool:
        """Does the open job's pane have the focus (so actions target that job)?"""
        if self.open_job is None:
            return False
        if isinstance(self.app.screen, DetailScreen):
            return True
        focused = self.app.focused
        return focused is not None and self.detail in focused.ancestors_with_self

    def targets(self) -> tg.Targets:
        if self.in_detail():
            row = self.store.by_id.get(self.open_job or "")
            return tg.Targets([row] if row is not None else [], source="detail")
        hidden = self.store.hidden_marks()
        visible = self.store.visible_marks()
        if visible:
            return tg.Targets(visible, hidden, source="marks")
        row = self.table.highlighted
        return tg.Targets([row] if row is not None else [], hidden)

    def focus_row(self) -> JobRow | None:
        """The one job in focus: the open job if its pane has focus, else the highlighted."""
        if self.in_detail():
            return self.store.by_id.get(self.open_job or "")
        return self.table.highlighted
