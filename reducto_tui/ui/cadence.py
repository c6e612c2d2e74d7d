"""How often the screen repaints while pages stream in.

Loading all 100,000 jobs arrives as 200 pages in about a second; repainting the table and
the chrome after each one cost more than the loading itself. While loading, the app
repaints when a :class:`Throttle` says so (a few times a second) and once at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Seconds between repaints while loading pages: twice a second still reads as live, and
#: a full repaint (layout, header, table) costs tens of ms on a busy 2-core machine.
LOADING_REPAINT = 0.5
#: ... and while a live refresh round applies its results: a round asks every open job
#: (a thousand and more at 100k jobs) and each answer is a change; painting each one (the
#: table, the header, the status line) kept the event loop busy for the whole round.
LIVE_REPAINT = 0.25


class Throttle:
    """``ready()`` is true at most once per ``interval`` seconds (and on the first call)."""

    def __init__(
        self, interval: float = LOADING_REPAINT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self.clock = clock
        self._last: float | None = None

    def ready(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True
