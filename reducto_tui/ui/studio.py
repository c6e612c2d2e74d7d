"""``o``: open the job in focus in Reducto Studio, or show (and copy) its link when this
terminal has no browser to hand it to (over SSH, or a console without a display)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reducto_tui.api.errors import ReductoError
from reducto_tui.api.models import JobDetail
from reducto_tui.core.studio import can_open_browser, studio_link
from reducto_tui.render.text import clean

if TYPE_CHECKING:
    from reducto_tui.ui.app import ReductoApp


async def open_studio(app: ReductoApp, job_id: str, detail: JobDetail | None) -> None:
    """``detail`` when the job's answer is at hand; else it is asked for once."""
    if detail is None:
        try:
            detail = await app.client.get_job(job_id)
        except ReductoError as exc:
            app.notify(f"Could not read job {job_id[:8]}: {exc.message}", severity="error")
            return
    link = studio_link(detail, app.settings.api_key_value())
    if link is None:
        app.notify(
            f"Job {job_id[:8]} has no Studio link (completed parse and extract jobs have one).",
            severity="warning",
        )
        return
    if can_open_browser():
        app.open_url(link)
        app.notify(f"Opened in Reducto Studio: {link}", timeout=6)
        return
    app.copy_to_clipboard(link)
    app.notify(f"Studio link (copied; no browser here): {clean(link, True)}", timeout=20)
