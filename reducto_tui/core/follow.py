"""How often the open detail asks for its job again.

Polite whatever the server does: never sooner than ``interval`` (2 s by default, 1 s at the
least) after the last answer, slower while nothing changes (up to 5 s, so a running job still
looks live), much slower after transient errors (honouring ``Retry-After``), and not at all
after an error that asking again cannot fix (404, 409/410, 401/403, a malformed answer).
"""

from __future__ import annotations

import math

from reducto_tui.api.errors import RateLimitError, ReductoError

#: The shortest gap between two requests for the same job, whatever the settings say.
MIN_INTERVAL = 1.0
DEFAULT_INTERVAL = 2.0
#: While the job does not change, the gap grows by this factor up to ``IDLE_CEILING``.
IDLE_GROWTH = 1.5
IDLE_CEILING = 5.0
ERROR_CEILING = 60.0


class FollowPace:
    """The gap before the next request, given how the last one went."""

    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = max(MIN_INTERVAL, interval) if math.isfinite(interval) else DEFAULT_INTERVAL
        self.gap = self.interval
        self.failures = 0

    def answered(self, changed: bool) -> float:
        self.failures = 0
        if changed:
            self.gap = self.interval
        else:
            self.gap = min(max(self.interval, IDLE_CEILING), self.gap * IDLE_GROWTH)
        return self.gap

    def failed(self, exc: ReductoError) -> float | None:
        """The wait before trying again, or ``None`` when following should stop."""
        if not exc.retryable:
            return None
        self.failures += 1
        wait = min(ERROR_CEILING, self.interval * 2**self.failures)
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            asked = exc.retry_after if math.isfinite(exc.retry_after) else ERROR_CEILING
            wait = max(wait, min(asked, ERROR_CEILING * 5))
        self.gap = max(self.interval, wait)
        return self.gap
