"""How archived jobs look and behave in the UI: the list's glyph, the detail's note, the
detail's fallback to the archive, and why cancel and delete leave them alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from rich.text import Text

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.rows import JobRow
from reducto_tui.ui import targets as tg

LOG = logging.getLogger(__name__)

#: In the list's first column (beside the mark): the job is shown from the archive.
ARCHIVED_GLYPH = "▤"
ARCHIVED_NOTE = Text(
    "From the archive: the API no longer has this job (Reducto keeps jobs 12 hours); "
    "its status is the last one seen.",
    style="yellow",
)

#: The Result tab of an archived completed job whose result was never fetched.
ARCHIVED_NO_RESULT = (
    "The archive holds no result for this job: none was fetched after it finished "
    "(--archive-results keeps the result of every job that completes while the app runs)."
)


async def archived_body(client: ReductoClient, job_id: str) -> bytes | None:
    """The job as the archive kept it, when the client has one (None: it does not)."""
    observer = client.observer
    if observer is None:
        return None
    try:
        return await asyncio.to_thread(observer.stored_body, job_id)
    except Exception as exc:  # a broken archive must not hide the API's own answer
        LOG.warning("archive read failed: %s", exc)
        return None


def live_targets(targets: tg.Targets, verb: str, notify: Callable[[str], None]) -> tg.Targets:
    """``targets`` without archived jobs (the API no longer has them: nothing to cancel or
    delete there), saying so when any were left out."""
    archived = [r for r in [*targets.rows, *targets.hidden] if r.archived]
    if not archived:
        return targets
    notify(
        f"{verb.capitalize()} is disabled for archived jobs: the API no longer has "
        f"{len(archived)} of them (shown from the archive only)."
    )

    def live(rows: list[JobRow]) -> list[JobRow]:
        return [r for r in rows if not r.archived]

    return tg.Targets(live(targets.rows), live(targets.hidden), targets.source)
