"""What the main screen's workers report: a worker never touches the UI after an ``await``;
it posts one of these and the screen's handler applies it, in order, on the event loop."""

from __future__ import annotations

from textual.message import Message

from reducto_tui.core.actions import Report
from reducto_tui.core.loader import PageOutcome
from reducto_tui.core.store import Changes


class PageArrived(Message):
    """A page of the list is in the store (or failed to come)."""

    def __init__(self, outcome: PageOutcome, during_all: bool = False) -> None:
        super().__init__()
        self.outcome = outcome
        #: Part of "load all": the screen repaints on a cadence, not per page.
        self.during_all = during_all


class AllPagesDone(Message):
    """Loading every page stopped: done, stopped by the user, failed or cancelled (None)."""

    def __init__(self, total: PageOutcome | None) -> None:
        super().__init__()
        self.total = total


class Polled(Message):
    def __init__(self, changes: Changes, ok: bool) -> None:
        super().__init__()
        self.changes = changes
        #: The poll reached the server (the header's "updated" moves on).
        self.ok = ok


class JobChanged(Message):
    """One job's row changed while an action runs (cancelling, deleting)."""

    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id


class ActionDone(Message):
    """A cancel or delete finished; ``report`` says what happened to each job."""

    def __init__(self, report: Report, timeout: float | None = None) -> None:
        super().__init__()
        self.report = report
        self.timeout = timeout
