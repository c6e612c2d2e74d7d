"""Acting on jobs: cancel and delete (asked first, never in read-only mode), marks, copy."""

from __future__ import annotations

from textual import on, work
from textual.notifications import SeverityLevel

from reducto_tui.api.errors import ReductoError
from reducto_tui.core import actions
from reducto_tui.core.rows import JobRow
from reducto_tui.render.text import clean, sentence
from reducto_tui.ui import targets as tg
from reducto_tui.ui.archived import live_targets
from reducto_tui.ui.main.base import MainBase
from reducto_tui.ui.main.messages import ActionDone, JobChanged
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.delete import DeleteScreen


class JobActions(MainBase):
    def _read_only(self, verb: str) -> bool:
        if self.settings.read_only:
            self.notify(f"Read-only mode: {verb} is disabled.", severity="warning")
            return True
        return False

    def _warn(self, message: str) -> None:
        self.notify(message, severity="warning")

    def action_cancel(self) -> None:
        if self._read_only("cancel"):
            return
        targets = live_targets(self.targets(), "cancel", self._warn)
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

        self.app.push_screen(screen, confirmed)

    @work(group="actions", exit_on_error=False)
    async def run_cancel(self, rows: list[JobRow]) -> None:
        report, _changes = await actions.cancel_jobs(
            self.client, self.store, rows, on_change=self._job_changed
        )
        self.post_message(ActionDone(report, timeout=8))

    def action_delete(self) -> None:
        if self._read_only("delete"):
            return
        targets = live_targets(self.targets(), "delete", self._warn)
        if not targets.rows and not targets.hidden:
            return
        body = tg.delete_body(targets.rows)
        include = tg.hidden_note(body, targets.hidden, "delete")
        screen = DeleteScreen(body, include=include)

        def confirmed(answer: tuple[bool, bool] | None) -> None:
            rows = targets.rows + (targets.hidden if screen.included else [])
            if answer and answer[0] and rows:
                self.run_delete(rows, answer[1])

        self.app.push_screen(screen, confirmed)

    @work(group="actions", exit_on_error=False)
    async def run_delete(self, rows: list[JobRow], include_persisted: bool) -> None:
        report = await actions.delete_jobs(
            self.client,
            self.store,
            rows,
            include_persisted=include_persisted,
            on_change=self._job_changed,
        )
        self.post_message(ActionDone(report))

    def _job_changed(self, row: JobRow) -> None:
        self.post_message(JobChanged(row.job_id))

    @on(JobChanged)
    def _repaint_job(self, message: JobChanged) -> None:
        self.table.refresh_job(message.job_id)

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        report = message.report
        self.store.unmark(report.done)
        self.repaint()
        severity: SeverityLevel = "error" if report.failed else "information"
        self.notify(sentence(report.summary()), severity=severity, timeout=message.timeout)

    # ------------------------------------------------------------------ marks

    def action_mark(self) -> None:
        row = self.table.highlighted
        if row is not None and self.app.focused is self.table:
            self.store.toggle_mark(row.job_id)
            self.table.action_cursor(1)
            self.table.refresh()
            self.store_changed()

    def action_mark_all(self) -> None:
        self.store.toggle_mark_all_in_view()
        self.table.refresh()
        self.store_changed()

    # ------------------------------------------------------------------ copy

    def action_copy_id(self) -> None:
        row = self.focus_row()
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
        self.app.copy_to_clipboard(row.job_id)
        self.notify(f"Copied job id {shown} (needs a terminal with OSC 52 clipboard support).")

    def action_copy_json(self) -> None:
        try:
            text = self.detail.raw_json() if self.open_job else None
        except ReductoError as exc:  # JSON nested too deeply to write
            self.notify(exc.message, severity="error")
            return
        if text is None:
            self.notify("Open a job (enter) to copy its result JSON.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(text):,} characters of JSON (terminal must support OSC 52).")
