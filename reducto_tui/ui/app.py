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
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError
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
from reducto_tui.render.text import clean
from reducto_tui.ui.cadence import Throttle
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.screens.help import HelpScreen
from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.header import HeaderBar, header_text
from reducto_tui.ui.widgets.job_table import JobTable

#: Terminals at least this wide show the detail beside the table.
WIDE = 140
QUICK_STATUS = ("", "queued", "running", "completed", "failed", "cancelled")


def stylesheet() -> Path:
    """styles/app.tcss, from the wheel (package data) or the source tree."""
    packaged = resources.files("reducto_tui").joinpath("styles/app.tcss")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "styles" / "app.tcss"


class ReductoApp(App[None]):
    TITLE = "reducto-tui"
    CSS_PATH = str(stylesheet())
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter", key_display="/"),
        Binding("escape", "escape", "Clear/back", id="escape"),
        Binding("enter", "open", "Open", id="open"),
        Binding("space", "mark", "Mark", id="mark"),
        Binding("ctrl+a", "mark_all", "Mark all", show=False, id="mark_all"),
        Binding("c", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+d", "delete", "Delete", show=False, id="delete"),
        Binding("e", "export", "Export", id="export"),
        Binding("ctrl+s", "export_list", "Save list", show=False, id="export_list"),
        Binding("y", "copy_id", "Copy ID", show=False, id="copy_id"),
        Binding("Y", "copy_json", "Copy JSON", show=False, id="copy_json"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("s", "sort_next", "Sort", id="sort"),
        Binding("S", "sort_flip", "Sort ↕", show=False, id="sort_flip"),
        Binding("n", "next_page", "Next page", show=False, id="next_page"),
        Binding("a", "load_all", "Load all", id="load_all"),
        *(
            Binding(
                str(n),
                f"quick_status({n})",
                f"Only {QUICK_STATUS[n] or 'all'}",
                show=False,
                id=f"quick_{n}",
            )
            for n in range(6)
        ),
        Binding("ctrl+f", "find", "Find in JSON", show=False, id="find"),
        Binding("u", "fetch_url", "Fetch URL result", show=False, id="fetch_url"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

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
        self.detail = DetailPane(self.client, id="detail")
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
        """Toasts often quote the server (file names, reasons): never read them as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.filter_box
        with Horizontal(id="main"):
            yield self.table
        yield self.status_line
        yield self.load_bar
        yield Footer()

    def on_mount(self) -> None:
        self.filter_box.display = False
        self.load_bar.display = False
        self.table.focus()
        self.load_first_page()
        self.set_interval(1.0, self._tick)
        self._update_chrome()

    async def on_unmount(self) -> None:
        await self.client.aclose()

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
        else:
            text.append(f"all {loaded} loaded")
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
        loader = self.poller.loader
        keep: list[str | None] = [None]

        def fetched() -> None:  # after the await, before rows arrive: the row to keep
            keep[0] = self.table.current.job_id if self.table.current else None

        if cursor is None:  # no automatic retry while this one is still on its way
            self.poller.next_due = self.poller.clock() + max(self.poller.interval, 5.0)
            outcome = await loader.first_page(fetched)
        else:
            outcome = await loader.next_page(fetched)
        return self._apply_pages(outcome, keep[0], repaint)

    def _apply_pages(self, outcome: PageOutcome, keep: str | None, repaint: bool = True) -> bool:
        if outcome.error is not None:
            exc = outcome.error
            self.load_error = exc.message
            self.notify(f"{exc.message} {exc.hint}".strip(), severity="error", timeout=8)
            self._update_chrome()
            return False
        self.load_error = outcome.problem
        # Before the repaint, so the header says "updated" with the page, not a tick later.
        self.last_updated = self.clock()
        self._apply(outcome.changes, keep, repaint)
        if repaint:
            keep_loaded_jobs_out_of_gc()
        return True

    @work(exclusive=True, group="pages", exit_on_error=False)
    async def load_all(self) -> None:
        self.loading_all = True
        self.load_bar.display = True
        # Repaint a few times a second, not per page (200 pages for 100k jobs).
        paint = Throttle()

        keep: list[str | None] = [None]

        def fetched() -> None:  # after the await, before rows arrive: the row to keep
            keep[0] = self.table.current.job_id if self.table.current else None

        def on_page(outcome: PageOutcome) -> None:
            if outcome.error is None:
                self._apply_pages(outcome, keep[0], repaint=False)
                if paint.ready():
                    self._show_loaded()

        try:
            # core.loader stops on a repeating cursor or endless empty pages.
            total = await self.poller.loader.load_all(lambda: self.loading_all, on_page, fetched)
            if total.error is not None:
                self._apply_pages(total, keep[0], repaint=False)
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
            self.table.refresh_rows(
                keep_job=self.table.current.job_id if self.table.current else None
            )
            self._update_chrome()

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        keep = self.table.current.job_id if self.table.current else None
        self.poller.visible = self.table.visible_ids()
        changes = await self.poller.poll_once()
        if not self.poller.failures:
            self.last_updated = self.clock()
        self._apply(changes, keep)

    def _apply(self, changes: Changes, keep: str | None, repaint: bool = True) -> None:
        # Unless rows arrived above the cursor's (a sort other than newest first), a deferred
        # repaint shows the same screen: the table draws from the live view anyway.
        if repaint or (keep is not None and self.store.view.index_of(keep) != self.table.cursor):
            with self.batch_update():
                self.table.refresh_rows(keep_job=keep)
                self._update_chrome()
        self._notify_finished(changes.finished)

    def _notify_finished(self, rows: list[JobRow]) -> None:
        for row in rows:
            if row.job_id in self.store.marks or row.job_id == self.open_job:
                severity: SeverityLevel = (
                    "error" if row.kind is StatusKind.FAILED else "information"
                )
                self.notify(
                    f"Job {row.job_id[:8]} ({clean(row.source, True)[:40]}) is {clean(row.status, True)}.",
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

    @on(DetailPane.Updated)
    def _detail_updated(self, event: DetailPane.Updated) -> None:
        changes = self.store.update_detail(event.job_id, event.detail)
        if changes:
            self.table.refresh_rows(
                keep_job=self.table.current.job_id if self.table.current else None
            )
            self._notify_finished(changes.finished)

    # ------------------------------------------------------------------ filter & sort

    def action_filter(self) -> None:
        box = self.filter_box
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        keep = self.table.current.job_id if self.table.current else None
        self.store.view.set_filter(event.value)
        self.table.refresh_rows(keep_job=keep)
        self._update_chrome()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_escape(self) -> None:
        if self.loading_all:
            self.loading_all = False
            self.notify("Stopped loading pages.")
            return
        if self.open_job:
            self._close_detail()
            return
        box = self.filter_box
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
        keep = self.table.current.job_id if self.table.current else None
        self.store.view.set_sort(column, descending)
        self.table.refresh_rows(keep_job=keep)
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
        if not self.poller.running:
            self.poll()
        if self.open_job:
            self.detail.retry()

    def action_pause(self) -> None:
        paused = self.poller.toggle_pause()
        self.notify("Live refresh paused." if paused else "Live refresh resumed.")
        self._update_chrome()

    # ------------------------------------------------------------------ marks

    def action_mark(self) -> None:
        row = self.table.current
        if row is not None:
            self.store.toggle_mark(row.job_id)
            self.table.action_cursor(1)
            self.table.refresh()
            self._update_chrome()

    def action_mark_all(self) -> None:
        self.store.toggle_mark_all_in_view()
        self.table.refresh()
        self._update_chrome()

    def _targets(self) -> list[JobRow]:
        if self.store.marks:
            return self.store.marked_rows()
        row = self._current_row()
        return [row] if row is not None else []

    def _current_row(self) -> JobRow | None:
        if self.open_job:
            return self.store.by_id.get(self.open_job)
        return self.table.current

    # ------------------------------------------------------------------ detail

    def action_open(self) -> None:
        row = self.table.current
        if row is None:
            return
        self.open_job = row.job_id
        self.poller.followed = {row.job_id}
        if self.size.width >= WIDE:
            main = self.query_one("#main", Horizontal)
            self.detail.open(row.job_id)
            if self.detail.parent is None:
                main.mount(self.detail)
        else:
            self.detail.open(row.job_id)
            self.push_screen(DetailScreen(self.detail), callback=lambda _: self._detail_closed())

    def _close_detail(self) -> None:
        if isinstance(self.screen, DetailScreen):
            self.screen.dismiss(None)
            return
        if self.detail.parent is not None:
            self.detail.remove()
        self._detail_closed()

    def _detail_closed(self) -> None:
        self.open_job = None
        self.detail.job_id = None
        self.poller.followed = set()
        self.detail = DetailPane(self.client, id="detail")
        self.table.focus()

    def action_find(self) -> None:
        if self.open_job:
            self.detail.action_find()

    def action_fetch_url(self) -> None:
        if self.open_job:
            self.detail.action_fetch_url()

    # ------------------------------------------------------------------ copy

    def action_copy_id(self) -> None:
        row = self._current_row()
        if row is None:
            return
        self.copy_to_clipboard(row.job_id)
        self.notify(f"Copied job id {row.job_id} (needs a terminal with OSC 52 clipboard support).")

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
        if not targets:
            return
        send, skip = actions.split_cancellable(targets)
        if not send:
            self.notify(
                f"Nothing to cancel: {len(skip)} job(s) already finished.", severity="warning"
            )
            return
        hidden = {r.job_id for r in self.store.hidden_marks()} if self.store.marks else set()
        body = Text()
        body.append(f"Cancel {len(send)} job(s)?\n\n", style="bold")
        for row in send[:12]:
            mark = " (hidden by filter)" if row.job_id in hidden else ""
            body.append(
                f"  {row.job_id[:8]}  {clean(row.status, True):<11} {clean(row.source, True)[:40]}{mark}\n"
            )
        if len(send) > 12:
            body.append(f"  … and {len(send) - 12} more\n")
        if skip:
            body.append(f"\nSkipped, already finished: {len(skip)}\n", style="dim")
        if hidden:
            body.append(
                f"\nWarning: {len(hidden)} marked job(s) are hidden by the filter.\n",
                style="bold yellow",
            )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_cancel(targets)

        self.push_screen(ConfirmScreen("Cancel jobs", body, yes="Cancel jobs"), confirmed)

    @work(group="actions", exit_on_error=False)
    async def run_cancel(self, rows: list[JobRow]) -> None:
        report, _changes = await actions.cancel_jobs(
            self.client, self.store, rows, on_change=lambda r: self.table.refresh_job(r.job_id)
        )
        self.store.marks.difference_update(report.done)
        self.table.refresh_rows(keep_job=self.table.current.job_id if self.table.current else None)
        self._update_chrome()
        severity: SeverityLevel = "error" if report.failed else "information"
        self.notify(report.summary().capitalize(), severity=severity, timeout=8)

    def action_delete(self) -> None:
        if self._read_only():
            return
        targets = self._targets()
        if not targets:
            return
        body = Text(f"Delete the stored data of {len(targets)} job(s):\n", style="bold")
        for row in targets[:10]:
            body.append(f"  {row.job_id[:8]}  {clean(row.source, True)[:50]}\n", style="")
        if len(targets) > 10:
            body.append(f"  … and {len(targets) - 10} more\n")

        def confirmed(answer: tuple[bool, bool] | None) -> None:
            if answer and answer[0]:
                self.run_delete(targets, answer[1])

        self.push_screen(DeleteScreen(body), confirmed)

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
            report.summary().capitalize(), severity="error" if report.failed else "information"
        )

    # ------------------------------------------------------------------ export

    def action_export(self) -> None:
        if self.store.marks:
            rows = self.store.marked_rows()
            self._ask_export(f"{len(rows)} marked jobs", [LIST_CSV, LIST_JSONL], None, rows)
            return
        row = self._current_row()
        if row is None:
            return
        detail = self.detail.detail if self.open_job == row.job_id else None
        formats = [*formats_for(detail), LIST_CSV, LIST_JSONL]
        self._ask_export(f"job {row.job_id[:8]} (or the filtered list)", formats, row.job_id, None)

    def action_export_list(self) -> None:
        rows = list(self.store.view.rows)
        self._ask_export(f"the job list ({len(rows):,} jobs)", [LIST_CSV, LIST_JSONL], None, rows)

    def _ask_export(
        self, what: str, formats: list[ExportFormat], job_id: str | None, rows: list[JobRow] | None
    ) -> None:
        def chosen(answer: tuple[ExportFormat, Path] | None) -> None:
            if answer is None:
                return
            export_format, path = answer
            if path.exists():

                def overwrite(yes: bool | None) -> None:
                    if yes:
                        self.run_export(export_format, path, job_id, rows, True)

                self.push_screen(
                    ConfirmScreen(
                        "File exists", Text(f"{path} exists. Overwrite it?"), yes="Overwrite"
                    ),
                    overwrite,
                )
            else:
                self.run_export(export_format, path, job_id, rows, False)

        self.push_screen(ExportScreen(what, formats, self.settings.export_dir, job_id), chosen)

    @work(group="export", exit_on_error=False)
    async def run_export(
        self,
        export_format: ExportFormat,
        path: Path,
        job_id: str | None,
        rows: list[JobRow] | None,
        overwrite: bool,
    ) -> None:
        try:
            if export_format in (LIST_CSV, LIST_JSONL):
                # A copy: live refresh edits the view's list while the thread reads it.
                listed = list(rows if rows is not None else self.store.view.rows)
                render: Callable[[], str] = partial(render_list, export_format, listed)
            else:
                assert job_id is not None
                detail = self.detail.detail if self.open_job == job_id else None
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

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette lists every action of the app, with its key."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("quit",):
                yield SystemCommand(
                    f"{binding.description} ({binding.key_display or binding.key})",
                    f"Runs '{binding.action}'",
                    partial(self.call_later, self.run_action, binding.action),
                )

    def action_help(self) -> None:
        rows = [
            (b.key_display or b.key, b.description, b.id or "")
            for b in self.BINDINGS
            if isinstance(b, Binding)
        ]
        rows += [
            ("↑↓ j k", "Move", ""),
            ("pgup pgdn", "Page", ""),
            ("home end g G", "First / last", ""),
        ]
        self.push_screen(HelpScreen(rows))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Unexpected error: {event.worker.error}", severity="error")
