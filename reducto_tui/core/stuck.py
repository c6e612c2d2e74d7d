"""Which unfinished jobs look stuck: queued or running far longer than their type takes.

A job is "stuck?" when its age (time since it was created: the API says nothing of when it
left the queue) passes its type's threshold: the configured ``limit`` when one is set, else
``FACTOR`` times the p90 of the finished jobs' durations of that type, never less than
``FLOOR`` (a busy batch queue holds jobs for minutes; that is not stuck).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from reducto_tui.api.status import FINISHED, StatusKind
from reducto_tui.core.rows import JobRow

#: Shortest age that can be stuck, whatever the p90 says (seconds).
FLOOR = 900.0
#: How many times its type's p90 duration a job may take before it looks stuck.
FACTOR = 5.0
_OPEN = (StatusKind.QUEUED, StatusKind.RUNNING)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of sorted ``values`` (the smallest value with at least p% of
    the values at or below it); ``None`` for no values."""
    if not values:
        return None
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


@dataclass
class P90:
    """The nearest-rank 90th percentile of values that keep coming, exact at every moment
    in O(log n) a value: a max-heap of the lowest ranks (negated) and a min-heap of the rest.
    (Sorting every value again for each redraw made loading a million jobs quadratic.)"""

    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        low, high = self.low, self.high
        if low and value > -low[0]:
            heapq.heappush(high, value)
        else:
            heapq.heappush(low, -value)
        rank = max(1, math.ceil(90 / 100 * (len(low) + len(high))))  # as percentile()
        while len(low) > rank:
            heapq.heappush(high, -heapq.heappop(low))
        while len(low) < rank:
            heapq.heappush(low, -heapq.heappop(high))

    @property
    def value(self) -> float | None:
        return -self.low[0] if self.low else None


@dataclass
class StuckWatch:
    """Kept by the store as rows arrive: every open job, and the p90 of each type's
    finished durations."""

    limit: float | None = None
    open: dict[str, JobRow] = field(default_factory=dict)
    _p90: dict[str, P90] = field(default_factory=dict)
    #: Bumped by every change a count depends on (``track``, ``touch``).
    _changes: int = 0
    #: The last count: (changes, limit), the span of times it holds for, the count.
    _counted: tuple[tuple[int, float | None], float, float, int] | None = None

    def touch(self) -> None:
        """Rows changed in a way ``track`` did not see (a local state, a created time)."""
        self._changes += 1

    def track(self, row: JobRow, was_finished: bool = False) -> None:
        """``row`` was added, or changed (``was_finished``: it was finished before)."""
        self._changes += 1
        if row.kind in _OPEN and not row.archived:
            self.open[row.job_id] = row
            return
        self.open.pop(row.job_id, None)
        duration = row.duration
        if (
            row.kind in FINISHED
            and not was_finished
            and duration is not None
            and math.isfinite(duration)
        ):
            self._p90.setdefault(row.type, P90()).add(duration)

    def track_new(self, rows: list[JobRow]) -> None:
        """:meth:`track` for rows the store did not hold before (a page of them)."""
        self._changes += 1
        open_, p90 = self.open, self._p90
        for row in rows:
            kind = row.kind
            if kind in _OPEN and not row.archived:
                open_[row.job_id] = row
                continue
            duration = row.duration
            if kind in FINISHED and duration is not None and math.isfinite(duration):
                (p90.get(row.type) or p90.setdefault(row.type, P90())).add(duration)

    def p90(self, job_type: str) -> float | None:
        values = self._p90.get(job_type)
        return values.value if values is not None else None

    def threshold(self, job_type: str) -> float:
        if self.limit:
            return self.limit
        p90 = self.p90(job_type)
        return FLOOR if p90 is None else max(FLOOR, FACTOR * p90)

    def is_stuck(self, row: JobRow, now: float) -> bool:
        created = row.created
        if created is None or not _may_be_stuck(row):
            return False
        return now - created > self.threshold(row.type)

    def stuck_rows(self, now: float) -> list[JobRow]:
        return [r for r in self.open.values() if self.is_stuck(r, now)]

    def count(self, now: float) -> int:
        """How many open jobs look stuck at ``now``. The header asks on every redraw (each
        keystroke in the filter): the count is kept with the span of times in which no
        job crosses its threshold, and recounted only outside it or after a change."""
        key = (self._changes, self.limit)
        memo = self._counted
        if memo is not None and memo[0] == key and memo[1] < now < memo[2]:
            return memo[3]
        n, since, until = 0, -math.inf, math.inf
        limits: dict[str, float] = {}  # one threshold per type, not one per open job
        for row in self.open.values():
            if not _may_be_stuck(row) or row.created is None:
                continue
            threshold = limits.get(row.type)
            if threshold is None:
                threshold = limits[row.type] = self.threshold(row.type)
            edge = row.created + threshold  # stuck once now passes it
            if now - row.created > threshold:  # as ``is_stuck`` says
                n += 1
                since = max(since, edge)
            else:
                until = min(until, edge)
        self._counted = (key, since, until, n)
        return n


def _may_be_stuck(row: JobRow) -> bool:
    """Open, with a known age, no action of ours under way, and not only in the archive."""
    return row.kind in _OPEN and row.created is not None and not row.local and not row.archived
