"""The Textual app: the job table, the detail, and every action bound to a key."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.models import JobDetail
from reducto_tui.api.status import StatusKind
from reducto_tui.config import Settings, make_client
from reducto_tui.core import actions
from reducto_tui.core.filter_text import with_status
from reducto_tui.core.loader import PageOutcome
from reducto_tui.core.memory import keep_loaded_jobs_out_of_gc
from reducto_tui.core.poller import Poller
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import SORT_COLUMNS, Changes, JobStore
from reducto_tui.export import (
    LIST_CSV,
    LIST_JSONL,
    ExportFormat,
    formats_for,
    render_job,
    render_list,
    write_atomic,
)
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean, sentence
from reducto_tui.ui import targets as tg
from reducto_tui.ui.cadence import Throttle
from reducto_tui.ui.commands import BY_ACTION, COMMANDS, QUICK_STATUS, Command, When, bindings
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.screens.help import HelpScreen
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.header import HeaderBar, header_text
from reducto_tui.ui.widgets.job_table import JobTable
from reducto_tui.ui.widgets.key_bar import KeyBar

#: Terminals at least this wide show the detail beside the table.
WIDE = 140
#: The pane beside the list follows the cursor once it rests this long (as gh-dash does).
FOLLOW_DELAY = 0.15


def stylesheet() -> Path:
    """styles/app.tcss, from the wheel (package data) or the source tree."""
    packaged = resources.files("reducto_tui").joinpath("styles/app.tcss")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "styles" / "app.tcss"


class ReductoApp(App[None]):
    TITLE = "reducto-tui"
    CSS_PATH = str(stylesheet())
    BINDINGS = bindings()

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        client: ReductoClient | None = None,
        clock: Callable[[], float] = time.time,
        auto_refresh: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self.clock = clock
        self.client = client or make_client(settings)
        self.store = JobStore(clock=clock)
        self.poller = Poller(
            self.client,
            self.store,
            interval=settings.refresh_interval if auto_refresh else 0,
            page_size=settings.page_size,
            exclude_configs=settings.exclude_configs,
        )
        self.last_updated: float | None = None
        self.load_error: str = ""
        self.loading_all = False
        self.open_job: str | None = None
        #: The pane showing ``open_job``: beside the list (wide) or on a DetailScreen.
        #: A fresh, unmounted pane while nothing is open.
        self.detail = DetailPane(self.client)
        self._follow_timer: Timer | None = None
        #: A move of the detail to beside the list is scheduled (after the screen pops).
        self._moving_detail = False
        # Kept as attributes: the main screen's widgets are reachable from any screen.
        self.header = HeaderBar(id="header")
        self.filter_box = Input(
            placeholder="filter: words, status:failed, type:parse, pages>20, age<1h", id="filter"
        )
        self.table = JobTable(self.store.view, self.store.marks, clock=clock, id="jobs")
        self.status_line = Static(id="status-line")
        # The number of pages is unknown until the last one: an indeterminate bar.
        self.load_bar = ProgressBar(
            total=None, show_eta=False, show_percentage=False, id="load-bar"
        )
        if settings.keys:
            self.set_keymap(settings.keys)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts often quote the server (ids, file names, reasons): never read them as
        markup, and pass them through :func:`clean` so no control sequence reaches the
        terminal, whichever caller forgot."""
        super().notify(
            clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False
        )

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.filter_box
        with Horizontal(id="main"):
            yield self.table
        yield self.status_line
        yield self.load_bar
        yield KeyBar()

    def on_mount(self) -> None:
        self.filter_box.display = False
        self.load_bar.display = False
        self.table.focus()
        self.load_first_page()
        self.set_interval(1.0, self._tick)
        self._update_chrome()

    async def on_unmount(self) -> None:
        await self.client.aclose()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_layout)
        self.call_after_refresh(self._update_chrome)

    def _tick(self) -> None:
        if not self.screen_stack:  # shutting down
            return
        if self.poller.due() and not self.loading_all:
            # Until a first page arrives (say the network was down at start), keep retrying
            # it on the poller's backoff schedule.
            if self.store.pages_loaded:
                self.poll()
            else:
                self.load_first_page()
        if not self.screen.is_modal:
            self._fit_layout()  # a resize while a dialog was up
            self._update_chrome()

    def _update_chrome(self) -> None:
        self.header.update(
            header_text(
                self.settings.base_url,
                self.demo,
                self.settings.read_only,
                self.store,
                self.poller,
                self.clock(),
                self.last_updated,
                width=self.header.size.width or self.size.width,
            ),
            layout=False,
        )
        # Both are one line high (styles): no layout pass, only these lines repaint.
        self.status_line.update(self._status_text(), layout=False)

    def _status_text(self) -> Text:
        store = self.store
        loaded = fmt.count(len(store.rows))
        text = Text(" ")
        if not store.pages_loaded and not self.load_error:
            text.append("loading jobs…", style="italic")
        elif self.loading_all:
            text.append(f"loading all… {loaded} loaded (esc stops)", style="bold yellow")
        elif store.more_available:
            text.append(f"{loaded} loaded · more available (n: next page, a: all)")
        elif not self.poller.loader.gaps:
            text.append(f"all {loaded} loaded")
        else:
            text.append(f"{loaded} loaded")
        if self.poller.loader.gaps:  # a refresh stopped at its page bound
            key = self.key_display(BY_ACTION["refresh"])
            text.append(f" · more new jobs may be missing ({key}: load them)", style="yellow")
        shown = len(store.view)
        if not store.view.filter.empty:
            text.append(f" · {fmt.count(shown)} match", style="bold")
        if store.marks:
            hidden = len(store.hidden_marks())
            extra = f" ({hidden} hidden by filter)" if hidden else ""
            text.append(f" · {len(store.marks)} marked{extra}", style="bold #e0af68")
        arrow = "▼" if store.view.descending else "▲"
        text.append(f" · sort: {store.view.sort_column} {arrow}", style="dim")
        if store.view.filter.errors:
            text.append(
                f" · filter: {clean('; '.join(store.view.filter.errors), True)}", style="red"
            )
        if store.skipped:
            text.append(f" · {store.skipped} unreadable jobs skipped", style="yellow")
        if self.load_error:
            text.append(f" · {clean(self.load_error, True)}", style="bold red")
        return text

    # ------------------------------------------------------------------ what applies now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys, footer and palette offer an action only where it applies (see commands)."""
        command = BY_ACTION.get(action)
        return True if command is None else self._enabled(command, self.screen)

    def _enabled(self, command: Command, screen: Screen[Any]) -> bool:
        if screen.is_modal:
            return False  # a dialog's own keys only (ctrl+q still quits)
        checks = {
            When.MAIN: not isinstance(screen, DetailScreen),
            When.TABLE: not isinstance(screen, DetailScreen) and screen.focused is self.table,
            When.DETAIL: self.open_job is not None,
            When.WRITE: not self.settings.read_only,
        }
        return all(checks[w] for w in command.when)

    def _in_detail(self) -> bool:
        """Does the open job's pane have the focus (so actions target that job)?"""
        if self.open_job is None:
            return False
        if isinstance(self.screen, DetailScreen):
            return True
        focused = self.focused
        return focused is not None and self.detail in focused.ancestors_with_self

    # ------------------------------------------------------------------ loading

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_first_page(self) -> None:
        await self._load_page(None)

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_next_page(self) -> None:
        if self.store.pages_loaded and self.store.next_cursor:
            await self._load_page(self.store.next_cursor)

    async def _load_page(self, cursor: str | None, repaint: bool = True) -> bool:
        """Fetch one page into the store (core.loader: the first page's refresh fills gaps and
        feeds the poller's backoff); ``repaint=False`` leaves the repaint (and the GC freeze)
        to the caller's cadence, as loading all pages does."""
        # The table keeps its cursor on its job by itself at the moment the view changes,
        # so nothing about the cursor is read here (issue 12: never before an await).
        loader = self.poller.loader
        if cursor is None:  # no automatic retry while this one is still on its way
            self.poller.next_due = self.poller.clock() + max(self.poller.interval, 5.0)
            outcome = await loader.first_page()
        else:
            outcome = await loader.next_page()
        return self._apply_pages(outcome, repaint)

    def _apply_pages(self, outcome: PageOutcome, repaint: bool = True) -> bool:
        if outcome.error is not None:
            exc = outcome.error
            self.load_error = exc.message
            self.notify(f"{exc.message} {exc.hint}".strip(), severity="error", timeout=8)
            self._update_chrome()
            return False
        self.load_error = outcome.problem
        # Before the repaint, so the header says "updated" with the page, not a tick later.
        self.last_updated = self.clock()
        self._apply(outcome.changes, repaint)
        if repaint:
            keep_loaded_jobs_out_of_gc()
        return True

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_all(self) -> None:
        self.loading_all = True
        self.load_bar.display = True
        # Repaint a few times a second, not per page (200 pages for 100k jobs).
        paint = Throttle()

        def on_page(outcome: PageOutcome) -> None:
            if outcome.error is None:
                self._apply_pages(outcome, repaint=False)
                if paint.ready():
                    self._show_loaded()

        try:
            # core.loader stops on a repeating cursor or endless empty pages.
            total = await self.poller.loader.load_all(lambda: self.loading_all, on_page)
            if total.error is not None:
                self._apply_pages(total, repaint=False)
            elif total.problem:
                self.load_error = total.problem
                self.notify(total.problem, severity="warning")
        finally:
            self.loading_all = False
            self.load_bar.display = False
            self._show_loaded()

    def _show_loaded(self) -> None:
        keep_loaded_jobs_out_of_gc()
        with self.batch_update():
            self.table.refresh_rows()
            self._update_chrome()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        self.poller.visible = self.table.visible_ids()
        changes = await self.poller.poll_once()
        if not self.poller.failures:
            self.last_updated = self.clock()
        self._apply(changes)

    def _apply(self, changes: Changes, repaint: bool = True) -> None:
        # A deferred repaint (loading all pages) shows the same screen: the table follows
        # the view by itself and draws from it.
        if repaint:
            with self.batch_update():
                self.table.refresh_rows()
                self._update_chrome()
        self._notify_finished(changes.finished)

    def _notify_finished(self, rows: list[JobRow]) -> None:
        for row in rows:
            if row.job_id in self.store.marks or row.job_id == self.open_job:
                severity: SeverityLevel = (
                    "error" if row.kind is StatusKind.FAILED else "information"
                )
                self.notify(
                    f"Job {clean(row.job_id[:8], True)} ({clean(row.source, True)[:40]}) "
                    f"is {clean(row.status, True)}.",
                    severity=severity,
                )
                if self.settings.bell:
                    self.bell()

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
        self._sort(event.sort, descending)

    @on(JobTable.Highlighted)
    def _highlighted(self, event: JobTable.Highlighted) -> None:
        self._update_chrome()
        if self._pane_beside():
            # The pane follows the cursor once it rests, so a fast scroll does not fetch
            # every job it passes.
            if self._follow_timer is not None:
                self._follow_timer.stop()
            self._follow_timer = self.set_timer(FOLLOW_DELAY, self._follow_cursor)

    def _follow_cursor(self) -> None:
        # While the user is in the pane, the open job is the target of every action: a
        # cursor moved by new jobs arriving must not swap it under them. Back in the
        # table (esc), the pane catches up with the cursor.
        if self.detail.has_focus_within:
            return
        row = self.table.current
        if row is not None and self._pane_beside() and row.job_id != self.open_job:
            self._show_detail(row.job_id, focus=False)

    @on(DetailPane.Updated)
    def _detail_updated(self, event: DetailPane.Updated) -> None:
        changes = self.store.update_detail(event.job_id, event.detail)
        if changes:
            self.table.refresh_rows()
            self._notify_finished(changes.finished)

    # ------------------------------------------------------------------ filter & sort

    def action_filter(self) -> None:
        box = self.filter_box
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.store.view.set_filter(event.value)
        self.table.to_top()  # a new filter starts at its first match
        self._update_chrome()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_escape(self) -> None:
        """Back, one step at a time, always ending on the table."""
        if self.loading_all:
            self.loading_all = False
            self.notify("Stopped loading pages.")
            return
        if isinstance(self.screen, DetailScreen):
            self.screen.dismiss(None)
            return
        if self._in_detail():
            self.table.focus()
            self.call_later(self._follow_cursor)  # once the focus has moved
            return
        box = self.filter_box
        if self.open_job and not box.has_focus:
            self._close_detail()
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
        self._sort(SORT_COLUMNS[(index + 1) % len(SORT_COLUMNS)], view.descending)

    def action_sort_flip(self) -> None:
        self._sort(self.store.view.sort_column, not self.store.view.descending)

    def _sort(self, column: str, descending: bool) -> None:
        self.store.view.set_sort(column, descending)
        self.table.to_top()
        self._update_chrome()

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
        paused = self.poller.toggle_pause()
        self.notify("Live refresh paused." if paused else "Live refresh resumed.")
        self._update_chrome()

    # ------------------------------------------------------------------ marks

    def action_mark(self) -> None:
        row = self.table.current
        if row is not None and self.focused is self.table:
            self.store.toggle_mark(row.job_id)
            self.table.action_cursor(1)
            self.table.refresh()
            self._update_chrome()

    def action_mark_all(self) -> None:
        self.store.toggle_mark_all_in_view()
        self.table.refresh()
        self._update_chrome()

    def _targets(self) -> tg.Targets:
        if self._in_detail():
            row = self.store.by_id.get(self.open_job or "")
            return tg.Targets([row] if row is not None else [], source="detail")
        hidden = self.store.hidden_marks()
        visible = self.store.visible_marks()
        if visible:
            return tg.Targets(visible, hidden, source="marks")
        row = self.table.current
        return tg.Targets([row] if row is not None else [], hidden)

    def _focus_row(self) -> JobRow | None:
        """The one job in focus: the open job if its pane has focus, else the highlighted."""
        if self._in_detail():
            return self.store.by_id.get(self.open_job or "")
        return self.table.current

    # ------------------------------------------------------------------ detail

    def _pane_beside(self) -> bool:
        return (
            self.open_job is not None
            and self.detail.parent is not None
            and not any(isinstance(s, DetailScreen) for s in self.screen_stack)
        )

    def action_open(self) -> None:
        row = self.table.current
        if row is None or isinstance(self.screen, DetailScreen):
            return  # one detail at a time
        self._show_detail(row.job_id, focus=True)

    def _show_detail(self, job_id: str, focus: bool, tab: str | None = None) -> None:
        """Show ``job_id`` beside the list on a wide terminal, full screen otherwise."""
        self.open_job = job_id
        self.poller.followed = {job_id}
        if self.size.width >= WIDE:
            if self.detail.parent is None:
                self.detail = DetailPane(self.client)
                self.query_one("#main", Horizontal).mount(self.detail)
            if tab is not None:
                self.detail.active_tab = tab
            if self.detail.job_id != job_id:
                self.detail.open(job_id)
            if focus:
                self.detail.call_after_refresh(self.detail.focus_content)
        else:
            pane = self.detail = DetailPane(self.client)
            if tab is not None:
                pane.active_tab = tab
            pane.open(job_id)
            self.push_screen(DetailScreen(pane), callback=partial(self._screen_closed, pane))
        self.refresh_bindings()

    def _close_detail(self) -> None:
        if isinstance(self.screen, DetailScreen):
            self.screen.dismiss(None)
            return
        if self.detail.parent is not None:
            self.detail.remove()
        self._detail_closed()

    def _screen_closed(self, pane: DetailPane, _result: None) -> None:
        if pane is self.detail:  # not replaced by a re-layout in the meantime
            self._detail_closed()

    def _detail_closed(self) -> None:
        self.open_job = None
        self.poller.followed = set()
        self.detail = DetailPane(self.client)
        self.table.focus()
        self.refresh_bindings()

    def _fit_layout(self) -> None:
        """Crossing the width threshold moves the open detail between beside-the-list and
        full screen, keeping its job, its tab and whether it had the focus."""
        job_id = self.open_job
        if job_id is None or self.screen.is_modal or self._moving_detail:
            return
        wide = self.size.width >= WIDE
        full_screen = isinstance(self.screen, DetailScreen)
        if wide == (not full_screen and self.detail.parent is not None):
            return
        tab, focused = self.detail.active_tab, self._in_detail()
        if full_screen:
            self.detail = DetailPane(self.client)  # so the screen's callback ignores it
            self.pop_screen()
            self._moving_detail = True

            def beside() -> None:  # once the main screen is back (focus needs a live screen)
                self._moving_detail = False
                self._show_detail(job_id, focused, tab)

            self.call_after_refresh(beside)
            return
        if self.detail.parent is not None:
            self.detail.remove()
        self._show_detail(job_id, focus=focused, tab=tab)

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

    # ------------------------------------------------------------------ copy

    def action_copy_id(self) -> None:
        row = self._focus_row()
        if row is None:
            return
        shown = clean(row.job_id, True)
        if shown != row.job_id or not row.job_id.isprintable():
            # Pasting control characters into a shell can run them; an escaped copy would
            # be a different id. Refuse, and show what the id holds.
            self.notify(
                f"Not copied: job id {shown} contains control characters.", severity="warning"
            )
            return
        self.copy_to_clipboard(row.job_id)
        self.notify(f"Copied job id {shown} (needs a terminal with OSC 52 clipboard support).")

    def action_copy_json(self) -> None:
        text = self.detail.raw_json() if self.open_job else None
        if text is None:
            self.notify("Open a job (enter) to copy its result JSON.", severity="warning")
            return
        self.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters of JSON (terminal must support OSC 52).")

    # ------------------------------------------------------------------ cancel & delete

    def _read_only(self) -> bool:
        if self.settings.read_only:
            self.notify("Read-only mode: cancel and delete are disabled.", severity="warning")
            return True
        return False

    def action_cancel(self) -> None:
        if self._read_only():
            return
        targets = self._targets()
        send, skip = actions.split_cancellable(targets.rows)
        hidden, _ = actions.split_cancellable(targets.hidden)
        if not send and not targets.hidden:
            if skip:
                self.notify(
                    f"Nothing to cancel: {len(skip)} job(s) already finished.", severity="warning"
                )
            return
        body = tg.cancel_body(send, skip, hidden)
        include = tg.hidden_note(body, targets.hidden, "cancel", hidden)
        screen = ConfirmScreen("Cancel jobs", body, yes="Cancel jobs", include=include)

        def confirmed(yes: bool | None) -> None:
            if yes and (send or screen.included):
                self.run_cancel(send + skip + (hidden if screen.included else []))

        self.push_screen(screen, confirmed)

    @work(group="actions", exit_on_error=False)
    async def run_cancel(self, rows: list[JobRow]) -> None:
        report, _changes = await actions.cancel_jobs(
            self.client, self.store, rows, on_change=lambda r: self.table.refresh_job(r.job_id)
        )
        self.store.marks.difference_update(report.done)
        self.table.refresh_rows()
        self._update_chrome()
        severity: SeverityLevel = "error" if report.failed else "information"
        self.notify(sentence(report.summary()), severity=severity, timeout=8)

    def action_delete(self) -> None:
        if self._read_only():
            return
        targets = self._targets()
        if not targets.rows and not targets.hidden:
            return
        body = tg.delete_body(targets.rows)
        include = tg.hidden_note(body, targets.hidden, "delete")
        screen = DeleteScreen(body, include=include)

        def confirmed(answer: tuple[bool, bool] | None) -> None:
            rows = targets.rows + (targets.hidden if screen.included else [])
            if answer and answer[0] and rows:
                self.run_delete(rows, answer[1])

        self.push_screen(screen, confirmed)

    @work(group="actions", exit_on_error=False)
    async def run_delete(self, rows: list[JobRow], include_persisted: bool) -> None:
        report = await actions.delete_jobs(
            self.client,
            self.store,
            rows,
            include_persisted=include_persisted,
            on_change=lambda r: self.table.refresh_job(r.job_id),
        )
        self.store.marks.difference_update(report.done)
        self.table.refresh()
        self._update_chrome()
        self.notify(
            sentence(report.summary()), severity="error" if report.failed else "information"
        )

    # ------------------------------------------------------------------ export

    def action_export(self) -> None:
        targets = self._targets()
        if targets.source == "marks":
            rows = targets.rows
            what = f"{len(rows)} marked jobs"
            if targets.hidden:
                what += f" ({len(targets.hidden)} more marked are hidden by the filter)"
            self._ask_export(what, [LIST_CSV, LIST_JSONL], None, rows, None)
            return
        if not targets.rows:
            return
        job_id = targets.rows[0].job_id
        detail = self.detail.detail if self.open_job == job_id else None
        if detail is None or detail.result is None:
            self._export_after_fetch(job_id)  # its kind decides the formats
        else:
            self._ask_job_export(job_id, detail)

    @work(group="export", exclusive=True, exit_on_error=False)
    async def _export_after_fetch(self, job_id: str) -> None:
        try:
            detail = await self.client.get_job(job_id)
        except ReductoError as exc:
            self.notify(f"Export: could not load the job: {exc.message}", severity="error")
            return
        self._ask_job_export(job_id, detail)

    def _ask_job_export(self, job_id: str, detail: JobDetail) -> None:
        formats = [*formats_for(detail), LIST_CSV, LIST_JSONL]
        what = f"job {clean(job_id[:8], True)} (or the filtered list)"
        self._ask_export(what, formats, job_id, None, detail)

    def action_export_list(self) -> None:
        rows = list(self.store.view.rows)
        what = f"the job list ({len(rows):,} jobs)"
        self._ask_export(what, [LIST_CSV, LIST_JSONL], None, rows, None)

    def _ask_export(
        self,
        what: str,
        formats: list[ExportFormat],
        job_id: str | None,
        rows: list[JobRow] | None,
        detail: JobDetail | None,
    ) -> None:
        def chosen(answer: tuple[ExportFormat, Path] | None) -> None:
            if answer is None:
                return
            export_format, path = answer
            if path.exists():

                def overwrite(yes: bool | None) -> None:
                    if yes:
                        self.run_export(export_format, path, job_id, rows, detail, True)

                self.push_screen(
                    ConfirmScreen(
                        "File exists", Text(f"{path} exists. Overwrite it?"), yes="Overwrite"
                    ),
                    overwrite,
                )
            else:
                self.run_export(export_format, path, job_id, rows, detail, False)

        self.push_screen(ExportScreen(what, formats, self.settings.export_dir, job_id), chosen)

    @work(group="export", exit_on_error=False)
    async def run_export(
        self,
        export_format: ExportFormat,
        path: Path,
        job_id: str | None,
        rows: list[JobRow] | None,
        detail: JobDetail | None,
        overwrite: bool,
    ) -> None:
        try:
            if export_format in (LIST_CSV, LIST_JSONL):
                # A copy: live refresh edits the view's list while the thread reads it.
                listed = list(rows if rows is not None else self.store.view.rows)
                render: Callable[[], str] = partial(render_list, export_format, listed)
            else:
                assert job_id is not None
                if detail is None or detail.result is None:
                    detail = await self.client.get_job(job_id)
                render = partial(render_job, export_format, detail, job_id)
            # Rendering and writing 100k rows takes most of a second: not on the event loop.
            written = await asyncio.to_thread(
                lambda: write_atomic(path, render(), overwrite=overwrite)
            )
        except ReductoError as exc:
            self.notify(f"Export failed: {exc.message}", severity="error", timeout=10)
            return
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"Export failed, nothing written: {reason}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {written}")

    # ------------------------------------------------------------------ help

    def key_display(self, command: Command) -> str:
        """The key(s) in force for ``command``, after ``[keys]`` in the config."""
        rebound = self.settings.keys.get(command.id)
        if rebound:
            return " ".join(
                self.get_key_display(Binding(k.strip(), command.action)) for k in rebound.split(",")
            )
        return self.get_key_display(
            Binding(command.key, command.action, key_display=command.key_display)
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette lists the actions that apply here, with their keys."""
        yield from super().get_system_commands(screen)
        for command in COMMANDS:
            if command.id != "quit" and self._enabled(command, screen):
                yield SystemCommand(
                    f"{command.label} ({self.key_display(command)})",
                    command.description,
                    partial(self.call_later, self.run_action, command.action),
                )

    def action_help(self) -> None:
        rows = [
            (
                self.key_display(c),
                c.description
                + (" (off: read-only)" if When.WRITE in c.when and self.settings.read_only else ""),
                c.id,
            )
            for c in COMMANDS
        ]
        rows += [
            ("↑↓ j k", "Move", ""),
            ("pgup pgdn", "Page", ""),
            ("home end g G", "First / last", ""),
            ("tab shift+tab", "Next / previous tab (in the detail)", ""),
        ]
        self.push_screen(HelpScreen(rows))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Unexpected error: {event.worker.error}", severity="error")
