"""How the jobs in view are going, kept up to date one row at a time.

Over the rows of a selection (the list's current filter): jobs finished per time bucket by
outcome, pages and credits per bucket and in total, duration and queue-wait percentiles per
job type, the top failure codes, throughput now and the time to drain the queue at that rate.

Each row's share (its *contribution*) is remembered, so a changed row is taken out and put
back in O(log n) (a binary search in its type's sorted durations, a few counter updates)
instead of recounting the selection; :meth:`Insight.numbers` then reads the aggregates in
time proportional to the minutes and types seen, not the rows.

What the API does not say is estimated or left unknown: a job's finish time is its creation
plus its queue wait (when the app saw it leave the queue) plus its duration; credits and
failure codes are known only for jobs whose ``GET /job`` answer arrived (the list carries
neither); queue waits only for jobs seen leaving the queue.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reducto_tui.api.status import StatusKind
from reducto_tui.core.rows import JobRow, Snapshot, snapshot
from reducto_tui.core.store import Changes, JobStore, JobView
from reducto_tui.core.stuck import StuckWatch, percentile

#: Bucket sizes the timeline picks from (seconds): the smallest that fits the span.
BUCKET_SIZES = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400)
MAX_BUCKETS = 48
#: Finish times up to this far past now still count as clock skew on the timeline.
FUTURE_SKEW_MINUTES = 60
#: Throughput "now" is measured over this many recent minutes.
RATE_MINUTES = 10
TOP_FAILURES = 8
#: Percentiles drawn per type.
PERCENTILES = (50, 90, 99)

_COMPLETED, _FAILED, _CANCELLED = 0, 1, 2
_OUTCOME = {StatusKind.COMPLETED: _COMPLETED, StatusKind.FAILED: _FAILED}
_OUTCOME[StatusKind.CANCELLED] = _CANCELLED
_OPEN = (StatusKind.QUEUED, StatusKind.RUNNING)
#: Per minute: completed, failed, cancelled, pages, credits.
_SLOTS = 5
_PAGES, _CREDITS = 3, 4


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class _Parts:
    outcome: int | None
    minute: int | None
    duration: float | None
    queue: float | None
    pages: int
    credits: float | None
    failure: tuple[str, str] | None
    open_pages: int


def _parts(share: Snapshot) -> _Parts:
    """The aggregates' view of a snapshot (the slow, general path; :meth:`Insight.of` inlines
    the common case of a row with no detail-only fields)."""
    kind, _, created, duration, pages, rare = share
    rare = rare or (None,) * 6
    queue, credits = _finite(rare[5]), _finite(rare[3])
    outcome = _OUTCOME.get(kind)
    duration = _finite(duration) if outcome is not None and outcome != _CANCELLED else None
    minute = failure = None
    if outcome is not None and created is not None:
        minute = int((created + (queue or 0.0) + (duration or 0.0)) // 60)
    if outcome == _FAILED:
        reason = rare[1] or ""
        failure = (rare[4] or reason, reason)
    return _Parts(
        outcome=outcome,
        minute=minute,
        duration=duration,
        queue=queue,
        pages=(pages or 0) if outcome == _COMPLETED else 0,
        credits=credits,
        failure=failure,
        open_pages=(pages or 0) if kind in _OPEN else 0,
    )


@dataclass(frozen=True, slots=True)
class Bucket:
    start: float
    completed: int
    failed: int
    cancelled: int
    pages: int
    credits: float


@dataclass(frozen=True, slots=True)
class Latency:
    type: str
    jobs: int
    p50: float | None
    p90: float | None
    p99: float | None
    max: float | None
    #: Queue wait percentiles over the jobs whose wait is known (``waits`` of them).
    waits: int
    wait_p50: float | None
    wait_p90: float | None


@dataclass(frozen=True, slots=True)
class FailureGroup:
    #: The error code (``TIMEOUT``) or, without one, the reason text; "" when unknown.
    key: str
    count: int
    #: The commonest reason text in the group (server text: clean it before showing).
    reason: str

    @property
    def filter_term(self) -> str:
        """A filter term that selects this group's jobs (``reason:`` matches code or text)."""
        if not self.key:
            return "status:failed"
        text = self.key.replace('"', " ").strip()
        quoted = f'"{text}"' if any(c.isspace() for c in text) else text
        return f"status:failed reason:{quoted}"


@dataclass(frozen=True)
class InsightNumbers:
    """One reading of the aggregates: what the view draws, the CLI prints, exports write."""

    now: float
    jobs: int
    counts: dict[str, int]
    bucket_seconds: int
    buckets: list[Bucket]
    pages: int
    credits: float
    credits_known: int
    latency: list[Latency]
    failures: list[FailureGroup]
    failures_unknown: int
    pages_per_minute: float
    jobs_per_minute: float
    open_jobs: int
    open_pages: int
    #: Seconds to finish the open jobs at the current rate; None when nothing is moving.
    drain_seconds: float | None
    stuck: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now,
            "jobs": self.jobs,
            "counts": dict(self.counts),
            "bucket_seconds": self.bucket_seconds,
            "buckets": [
                {
                    "start": b.start,
                    "completed": b.completed,
                    "failed": b.failed,
                    "cancelled": b.cancelled,
                    "pages": b.pages,
                    "credits": b.credits,
                }
                for b in self.buckets
            ],
            "pages": self.pages,
            "credits": self.credits,
            "credits_known": self.credits_known,
            "latency": [
                {
                    "type": lat.type,
                    "jobs": lat.jobs,
                    "p50": lat.p50,
                    "p90": lat.p90,
                    "p99": lat.p99,
                    "max": lat.max,
                    "queue_waits": lat.waits,
                    "queue_wait_p50": lat.wait_p50,
                    "queue_wait_p90": lat.wait_p90,
                }
                for lat in self.latency
            ],
            "failures": [
                {"key": f.key, "count": f.count, "reason": f.reason} for f in self.failures
            ],
            "failures_unknown": self.failures_unknown,
            "pages_per_minute": self.pages_per_minute,
            "jobs_per_minute": self.jobs_per_minute,
            "open_jobs": self.open_jobs,
            "open_pages": self.open_pages,
            "drain_seconds": self.drain_seconds,
            "stuck": self.stuck,
        }


@dataclass
class Insight:
    """The aggregates over a selection of rows. Build with :meth:`of`; then :meth:`remove`
    a row's old share (from its fields before it changed) and :meth:`add` it as it is now.
    Nothing is kept per row (100k snapshots would cost more to build than the aggregates),
    except the open rows, for the stuck count."""

    stuck: StuckWatch = field(default_factory=StuckWatch)
    jobs: int = 0
    _minutes: dict[int, list[float]] = field(default_factory=dict)
    _durations: dict[str, list[float]] = field(default_factory=dict)
    _waits: dict[str, list[float]] = field(default_factory=dict)
    _counts: Counter[StatusKind] = field(default_factory=Counter)
    _failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    _open: dict[str, JobRow] = field(default_factory=dict)
    _pages: int = 0
    _credits: float = 0.0
    _credits_known: int = 0
    _open_pages: int = 0

    @classmethod
    def of(cls, rows: Iterable[JobRow], stuck: StuckWatch | None = None) -> Insight:
        """The aggregates over ``rows``: one pass, inlined for rows that carry none of the
        detail-only fields (nearly all of them), the general path for the rest."""
        insight = cls(stuck=stuck or StuckWatch())
        minutes = insight._minutes
        durations = insight._durations
        open_rows = insight._open
        # Enum members hash in Python code: compare by identity, count in plain ints.
        queued, running = StatusKind.QUEUED, StatusKind.RUNNING
        completed, failed, cancelled = StatusKind.COMPLETED, StatusKind.FAILED, StatusKind.CANCELLED
        n_queued = n_running = n_done = n_failed = n_cancelled = n_other = 0
        pages_done = open_pages = 0
        slow: list[JobRow] = []
        for row in rows:
            if row.rare is not None:
                slow.append(row)
                continue
            kind = row.kind
            if kind is completed:
                n_done += 1
                outcome = _COMPLETED
            elif kind is failed:
                n_failed += 1
                outcome = _FAILED
            elif kind is cancelled:
                n_cancelled += 1
                outcome = _CANCELLED
            else:
                if (kind is queued or kind is running) and not row.archived:
                    if kind is queued:
                        n_queued += 1
                    else:
                        n_running += 1
                    open_rows[row.job_id] = row
                    pages = row.num_pages if row.num_pages is not None else row.total_pages
                    open_pages += pages or 0
                else:
                    n_other += 1
                continue
            duration = row.duration
            if outcome == _CANCELLED or duration is None:
                duration = 0.0
            else:
                values = durations.get(row.type)
                if values is None:
                    values = durations[row.type] = []
                values.append(duration)
            pages = 0
            if outcome == _COMPLETED:
                pages = row.num_pages if row.num_pages is not None else row.total_pages
                pages_done += pages or 0
            created = row.created
            if created is None:
                continue
            minute = int((created + duration) // 60)
            slot = minutes.get(minute)
            if slot is None:
                slot = minutes[minute] = [0.0] * _SLOTS
            slot[outcome] += 1
            if pages:
                slot[_PAGES] += pages
        counted = {
            queued: n_queued,
            running: n_running,
            completed: n_done,
            failed: n_failed,
            cancelled: n_cancelled,
            StatusKind.UNKNOWN: n_other,
        }
        insight.jobs = sum(counted.values())
        insight._counts.update({k: n for k, n in counted.items() if n})
        insight._pages = pages_done
        insight._open_pages = open_pages
        if n_failed:
            insight._failures[("", "")] = n_failed
        for row in slow:
            insight.add(row, sort=False)
        for values in (*durations.values(), *insight._waits.values()):
            values.sort()
        return insight

    def __len__(self) -> int:
        return self.jobs

    def add(self, row: JobRow, sort: bool = True) -> None:
        """``row`` joins the selection (``sort=False`` only while building)."""
        share = snapshot(row)
        parts = _parts(share)
        self._apply(share[0], parts, 1)
        for value, lists in ((parts.duration, self._durations), (parts.queue, self._waits)):
            if value is not None:
                values = lists.setdefault(row.type, [])
                insort(values, value) if sort else values.append(value)
        if row.kind in _OPEN and not row.archived:
            self._open[row.job_id] = row

    def remove(self, job_id: str, before: Snapshot) -> None:
        """Take back the share of a row that had the fields ``before`` when it was added."""
        parts = _parts(before)
        self._apply(before[0], parts, -1)
        if parts.duration is not None:
            _take(self._durations, before[1], parts.duration)
        if parts.queue is not None:
            _take(self._waits, before[1], parts.queue)
        self._open.pop(job_id, None)

    # ------------------------------------------------------------------ bookkeeping

    def _apply(self, kind: StatusKind, parts: _Parts, sign: int) -> None:
        self.jobs += sign
        self._counts[kind] += sign
        self._pages += sign * parts.pages
        self._open_pages += sign * parts.open_pages
        if parts.credits is not None:
            self._credits += sign * parts.credits
            self._credits_known += sign
        if parts.failure is not None:
            self._failures[parts.failure] += sign
            if not self._failures[parts.failure]:
                del self._failures[parts.failure]
        if parts.minute is None or parts.outcome is None:
            return
        slot = self._minutes.get(parts.minute)
        if slot is None:
            slot = self._minutes[parts.minute] = [0.0] * _SLOTS
        slot[parts.outcome] += sign
        slot[_PAGES] += sign * parts.pages
        if parts.credits is not None:
            slot[_CREDITS] += sign * parts.credits
        if not any(slot[:3]):
            del self._minutes[parts.minute]

    # ------------------------------------------------------------------ reading

    def numbers(self, now: float) -> InsightNumbers:
        size, buckets = self._buckets(now)
        rate_pages, rate_jobs = self._rates(now)
        open_jobs = self._counts[StatusKind.QUEUED] + self._counts[StatusKind.RUNNING]
        drain: float | None = None
        if open_jobs == 0:
            drain = 0.0
        elif self._open_pages and rate_pages > 0:
            drain = 60 * self._open_pages / rate_pages
        elif rate_jobs > 0:
            drain = 60 * open_jobs / rate_jobs
        return InsightNumbers(
            now=now,
            jobs=self.jobs,
            counts={kind.value: self._counts[kind] for kind in StatusKind},
            bucket_seconds=size,
            buckets=buckets,
            pages=self._pages,
            credits=round(self._credits, 6) if self._credits_known else 0.0,
            credits_known=self._credits_known,
            latency=self._latency(),
            failures=self._top_failures(),
            failures_unknown=sum(n for (key, _), n in self._failures.items() if not key),
            pages_per_minute=rate_pages,
            jobs_per_minute=rate_jobs,
            open_jobs=open_jobs,
            open_pages=self._open_pages,
            drain_seconds=drain,
            stuck=sum(1 for r in self._open.values() if self.stuck.is_stuck(r, now)),
        )

    def _buckets(self, now: float) -> tuple[int, list[Bucket]]:
        if not self._minutes:
            return BUCKET_SIZES[0], []
        first = min(self._minutes) * 60
        # The timeline ends now: a finish time far in the future is a bad date (a hostile or
        # skewed server's 9999-12-31 moved every bucket to the year 9999), not a later bucket.
        limit = int(now // 60) + FUTURE_SKEW_MINUTES
        latest = max((m for m in self._minutes if m <= limit), default=int(now // 60))
        end = max(now, (latest + 1) * 60)
        span = end - first
        size = next((s for s in BUCKET_SIZES if span / s <= MAX_BUCKETS), BUCKET_SIZES[-1])
        # Buckets are aligned to their size (whole hours, days in UTC), the last holds "now".
        last = int(end // size)
        count = min(MAX_BUCKETS, last - int(first // size) + 1)
        start = last - count + 1
        sums = [[0.0] * _SLOTS for _ in range(count)]
        for minute, slot in self._minutes.items():
            index = int(minute * 60 // size) - start
            if 0 <= index < count:
                target = sums[index]
                for i in range(_SLOTS):
                    target[i] += slot[i]
        return size, [
            Bucket(
                start=float((start + i) * size),
                completed=int(s[0]),
                failed=int(s[1]),
                cancelled=int(s[2]),
                pages=int(s[_PAGES]),
                credits=round(s[_CREDITS], 6),
            )
            for i, s in enumerate(sums)
        ]

    def _rates(self, now: float) -> tuple[float, float]:
        """Pages and jobs finished per minute over the last ``RATE_MINUTES`` minutes."""
        last = int(now // 60)
        first = last - RATE_MINUTES + 1
        pages = jobs = 0.0
        for minute in range(first, last + 1):
            slot = self._minutes.get(minute)
            if slot is not None:
                pages += slot[_PAGES]
                jobs += slot[0] + slot[1] + slot[2]
        elapsed = max(1.0, (now - first * 60) / 60)
        return round(pages / elapsed, 3), round(jobs / elapsed, 3)

    def _latency(self) -> list[Latency]:
        out = []
        for job_type in sorted(set(self._durations) | set(self._waits)):
            values = self._durations.get(job_type, [])
            waits = self._waits.get(job_type, [])
            if not values and not waits:
                continue
            out.append(
                Latency(
                    type=job_type,
                    jobs=len(values),
                    p50=percentile(values, 50),
                    p90=percentile(values, 90),
                    p99=percentile(values, 99),
                    max=values[-1] if values else None,
                    waits=len(waits),
                    wait_p50=percentile(waits, 50),
                    wait_p90=percentile(waits, 90),
                )
            )
        return out

    def _top_failures(self) -> list[FailureGroup]:
        groups: Counter[str] = Counter()
        texts: dict[str, Counter[str]] = {}
        for (key, reason), n in self._failures.items():
            if not key:
                continue
            groups[key] += n
            texts.setdefault(key, Counter())[reason] += n
        # Ties go by name, so the order is the same on every run.
        ranked = sorted(groups.items(), key=lambda item: (-item[1], item[0]))[:TOP_FAILURES]
        return [
            FailureGroup(key=key, count=n, reason=texts[key].most_common(1)[0][0])
            for key, n in ranked
        ]


def _take(lists: dict[str, list[float]], job_type: str, value: float) -> None:
    values = lists[job_type]
    index = bisect_left(values, value)
    if index < len(values) and values[index] == value:
        del values[index]
    if not values:
        del lists[job_type]


class LiveInsight:
    """An :class:`Insight` over a store's view that follows the store as polls land: each
    changed row's old share comes out (if the view held it) and its new one goes in (if the
    view holds it now). Detach with :meth:`close` when nobody looks any more."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self.view: JobView = store.view
        self.generation = store.view.generation
        self.insight = Insight.of(store.view.rows, store.stuck)
        self._pending: dict[str, tuple[JobRow, Snapshot | None]] = {}
        store.watchers.append(self)

    @property
    def stale(self) -> bool:
        """The view chose its rows anew (another filter, a re-sort): start over."""
        return self.view.generation != self.generation

    def close(self) -> None:
        if self in self.store.watchers:
            self.store.watchers.remove(self)

    def numbers(self, now: float | None = None) -> InsightNumbers:
        return self.insight.numbers(self.store.clock() if now is None else now)

    def changed(self, row: JobRow, before: Snapshot) -> None:
        if self.stale:
            self.close()  # nobody can use these numbers any more: stop paying for them
            return
        if row.job_id in self._pending:
            return  # changed twice in one update: the first "before" is the one filed
        # The view has not moved the row yet: its key and place are still the old ones.
        self._pending[row.job_id] = (row, before if self.view.contains(row) else None)

    def applied(self, changes: Changes) -> None:
        pending, self._pending = self._pending, {}
        if self.stale:
            self.close()
            return
        insight, view = self.insight, self.view
        for job_id, (row, before) in pending.items():
            if before is not None:
                insight.remove(job_id, before)
            if view.contains(row):
                insight.add(row)
        for row in changes.added:
            if row.job_id not in pending and view.contains(row):
                insight.add(row)
