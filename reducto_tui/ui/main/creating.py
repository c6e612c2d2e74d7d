"""Making jobs from the main screen: re-run the jobs in focus (R) and submit files (u).

Both refuse in read-only mode, like cancel. A new job is brought in at once and followed:
the list is refreshed, the cursor moves to it and its detail opens (its summary says which
job it re-runs)."""

from __future__ import annotations

from typing import Any

from textual import work

from reducto_tui.core.rerun import Lineage, RerunResult
from reducto_tui.render.text import clean
from reducto_tui.ui.main.detail_layout import DetailLayout
from reducto_tui.ui.main.messages import Polled
from reducto_tui.ui.screens.rerun import RerunScreen
from reducto_tui.ui.screens.submit import SubmitOutcome, SubmitScreen


class Creating(DetailLayout):
    #: The config the last submit sent ("the last one used" next time).
    last_config: dict[str, Any] | None = None

    @property
    def lineage(self) -> Lineage:
        found = getattr(self.app, "lineage", None)
        if not isinstance(found, Lineage):
            found = Lineage()
            setattr(self.app, "lineage", found)  # noqa: B010  # the detail pane reads it there
        return found

    def _refused(self, what: str) -> bool:
        if self.settings.read_only:
            self.notify(f"Read-only mode: {what} is disabled.", severity="warning")
            return True
        return False

    def action_rerun(self) -> None:
        if self._refused("re-run"):
            return
        targets = self.targets()
        if not targets.rows and not targets.hidden:
            return
        screen = RerunScreen(
            targets.rows,
            self.client,
            hidden=targets.hidden,
            lineage=self.lineage,
            clock=self.clock,
        )
        self.app.push_screen(screen, self._reran)

    def _reran(self, results: list[RerunResult] | None) -> None:
        if not results:
            return
        made = [r.new_id for r in results if r.new_id]
        failed = len(results) - len(made)
        text = f"Re-ran {len(made)} job(s)" + (
            f"; {failed} failed (see the dialog)." if failed else "."
        )
        self.notify(text, severity="error" if failed else "information")
        if made:
            self.follow_new(made[-1])

    def action_submit(self) -> None:
        if self._refused("submit"):
            return
        row = self.focus_row()
        screen = SubmitScreen(
            self.client, last_config=self.last_config, job_id=row.job_id if row else None
        )
        self.app.push_screen(screen, self._submitted)

    def _submitted(self, outcome: SubmitOutcome | None) -> None:
        if outcome is None or not outcome.results:
            return
        made = [r.job_id for r in outcome.results if r.job_id]
        if made:
            self.last_config = outcome.config
        for r in outcome.results:
            if r.error is not None:
                self.notify(f"{clean(r.file, True)}: {r.error}", severity="error", timeout=10)
        self.notify(f"Submitted {len(made)} of {len(outcome.results)} file(s).")
        if made:
            self.follow_new(made[-1])

    @work(group="follow-new", exit_on_error=False)
    async def follow_new(self, job_id: str) -> None:
        """Bring the new job into the list now, highlight it and open its detail."""
        self.poller.refresh_now()
        changes = await self.poller.poll_once()
        self.post_message(Polled(changes, ok=not self.poller.failures))
        self.call_later(self._go_to, job_id)

    def _go_to(self, job_id: str) -> None:
        index = self.store.view.index_of(job_id)
        if index is None:
            self.notify(
                f"Job {clean(job_id[:8], True)} was created; the filter hides it.",
                severity="warning",
            )
            return
        self.table.set_cursor(index)
        self.show_detail(job_id, focus=False)
