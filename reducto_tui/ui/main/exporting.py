"""Export: the job(s) in focus or the filtered list, to a file the user picks (atomically)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual import work

from reducto_tui import export
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.models import JobDetail
from reducto_tui.core.rows import JobRow
from reducto_tui.export import LIST_CSV, LIST_JSONL, ExportFormat, formats_for
from reducto_tui.render.text import clean
from reducto_tui.ui.main.base import MainBase
from reducto_tui.ui.screens.export import ExportScreen, ask_overwrite


class Exporting(MainBase):
    def action_export(self) -> None:
        targets = self.targets()
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
        # Only a dialog follows, which reads nothing the await could have changed.
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
            ask_overwrite(
                self.app,
                path,
                partial(self.run_export, export_format, path, job_id, rows, detail),
            )

        self.app.push_screen(ExportScreen(what, formats, self.settings.export_dir, job_id), chosen)

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
                # In pieces: one 25 MB string would hold the GIL for whole frames.
                render: Callable[[], str | Iterable[str]] = partial(
                    export.render_list_chunks, export_format, listed
                )
            else:
                assert job_id is not None
                if detail is None or detail.result is None:
                    detail = await self.client.get_job(job_id)
                render = partial(export.render_job, export_format, detail, job_id)
            # Rendering and writing 100k rows takes most of a second: not on the event loop.
            written = await asyncio.to_thread(
                lambda: export.write_atomic(path, render(), overwrite=overwrite)
            )
        except ReductoError as exc:
            self.notify(f"Export failed: {exc.message}", severity="error", timeout=10)
            return
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"Export failed, nothing written: {reason}", severity="error", timeout=10)
            return
        self.notify(f"Wrote {written}")
