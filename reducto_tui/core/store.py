"""Every loaded job by id, plus the view the table shows (filter + sort) and the marks."""

from __future__ import annotations

import operator
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from reducto_tui.api.listing import Listed, ListedJob
from reducto_tui.api.models import JobDetail
from reducto_tui.api.status import FINISHED, StatusKind
from reducto_tui.core.filters import Filter, compile_filter
from reducto_tui.core.rows import (
    JobRow,
    Snapshot,
    counted_kind,
    file_name,
    merge_row,
    row_from_job,
    row_from_listed,
    snapshot,
)
from reducto_tui.core.stuck import StuckWatch

_KIND_ORDER = {kind: n for n, kind in enumerate(StatusKind)}
_LOW = float("-inf")
#: One shared key tuple per (state, status) pair: 100k rows sorted by status hold ~6 tuples.
_STATUS_KEYS: dict[tuple[int, str], tuple[int, str]] = {}


def _status_key(row: JobRow) -> tuple[int, str]:
    key = (_KIND_ORDER[row.kind], row.status)
    return _STATUS_KEYS.setdefault(key, key)


def _number(value: float | None, missing: float) -> float:
    # NaN compares false both ways and would break the binary searches: treat it as missing.
    return value if value is not None and value == value else missing


SORT_KEYS: dict[str, Callable[[JobRow], Any]] = {
    "created": lambda r: _number(r.created, _LOW),
    "status": _status_key,
    "type": lambda r: r.type,
    "id": lambda r: r.job_id,
    "source": lambda r: file_name(r.source).lower(),  # the name the table shows
    "pages": lambda r: r.num_pages if r.num_pages is not None else (r.total_pages or -1),
    "duration": lambda r: _number(r.duration, -1.0),
}
SORT_COLUMNS = tuple(SORT_KEYS)
#: Local states of a job the server no longer has (deleted here or by another client, or
#: expired): the row stays to say so, but the counts per status leave it out.
GONE = frozenset({"deleted", "expired"})


def _header_kind(row: JobRow) -> StatusKind | None:
    """The state ``row`` counts as in the header's totals (None: not counted)."""
    return None if row.local in GONE else counted_kind(row)


@dataclass
class Changes:
    added: list[JobRow] = field(default_factory=list)
    changed: list[JobRow] = field(default_factory=list)
    #: Rows that moved from unfinished to finished in this update.
    finished: list[JobRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed)

    def extend(self, other: Changes) -> None:
        self.added += other.added
        self.changed += other.changed
        self.finished += other.finished


class Watcher(Protocol):
    """Follows changes as they land (the insight aggregates): ``changed`` for each row a
    merge changed, with its fields from before, then ``applied`` once the view has them."""

    def changed(self, row: JobRow, before: Snapshot) -> None: ...

    def applied(self, changes: Changes) -> None: ...


class JobStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.by_id: dict[str, JobRow] = {}
        self.rows: list[JobRow] = []
        self.marks: set[str] = set()
        #: Jobs per state, as the header shows them (rows of ``GONE`` jobs left out).
        self.counts: Counter[StatusKind] = Counter()
        #: Completions per minute (epoch minute -> count), for the header's sparkline.
        self.completions: Counter[int] = Counter()
        self.next_cursor: str | None = None
        self.pages_loaded = 0
        self.skipped = 0
        #: Open jobs and each type's durations, for "stuck?" (header, filter, insight).
        self.stuck = StuckWatch()
        self.watchers: list[Watcher] = []
        self.view = JobView(self)

    # ------------------------------------------------------------------ loading

    @property
    def more_available(self) -> bool:
        return self.pages_loaded == 0 or self.next_cursor is not None

    def add_page(
        self, jobs: Iterable[Listed], next_cursor: str | None, skipped: int = 0
    ) -> Changes:
        """A page reached by following the cursor: new jobs go below the loaded ones."""
        changes = self.upsert(jobs)
        self.next_cursor = next_cursor
        self.pages_loaded += 1
        self.skipped += skipped
        return changes

    def merge_first_page(self, jobs: Iterable[Listed]) -> Changes:
        """A fresh first page: jobs not seen before are newer and go to the top."""
        changes = self.upsert(jobs, at_top=True)
        if not self.pages_loaded:
            self.pages_loaded = 1
        return changes

    def upsert(self, jobs: Iterable[Listed], at_top: bool = False) -> Changes:
        changes = Changes()
        by_id, added = self.by_id, changes.added
        for job in jobs:
            if type(job) is ListedJob:
                fresh = row_from_listed(job)
            else:
                fresh = row_from_job(job, job.job_id)
            if fresh.job_id in by_id:
                self._upsert_one(fresh, changes)
            else:  # what _upsert_one does for a new job, counted per page below
                by_id[fresh.job_id] = fresh
                added.append(fresh)
        self.counts.update(row.kind for row in added)
        self.stuck.track_new(added)
        self.completions.update(
            int((row.created + (row.duration or 0)) // 60)
            for row in added
            if row.kind is StatusKind.COMPLETED and row.created is not None
        )
        if changes.added:
            if at_top:
                base = self.rows[0].order if self.rows else 0  # rows keep arrival order
                for n, row in enumerate(reversed(changes.added)):
                    row.order = base - 1 - n
                self.rows[:0] = changes.added
            else:
                base = self.rows[-1].order + 1 if self.rows else 0
                for n, row in enumerate(changes.added):
                    row.order = base + n
                self.rows.extend(changes.added)
        self._apply(changes)
        return changes

    def _apply(self, changes: Changes) -> None:
        if changes:
            self.stuck.touch()
        self.view.apply(changes)
        if changes:
            for watcher in self.watchers:
                watcher.applied(changes)

    def add_archived(self, rows: list[JobRow]) -> Changes:
        """Rows from the archive (``archived`` set) below the loaded ones; a job the API
        returned stays as the API said, an archived one takes the newer answer."""
        changes = Changes()
        base = self.rows[-1].order + 1 if self.rows else 0
        for row in rows:
            known = self.by_id.get(row.job_id)
            if known is not None:
                if known.archived:
                    self._upsert_one(row, changes)
                continue
            row.order = base + len(changes.added)
            self.by_id[row.job_id] = row
            counted = counted_kind(row)
            if counted is not None:
                self.counts[counted] += 1
            changes.added.append(row)
        self.rows.extend(changes.added)
        self._apply(changes)
        return changes

    def update_detail(
        self,
        job_id: str,
        detail: JobDetail,
        archived: bool = False,
        credits: float | None = None,
    ) -> Changes:
        """``detail`` from ``GET /job``; ``archived``: read from the archive, not the API;
        ``credits`` when read apart from it (a caller that skipped validating the result
        keeps only its usage)."""
        changes = Changes()
        fresh = row_from_job(detail, job_id)
        fresh.archived = archived
        if credits is not None:
            fresh.credits = credits
        self._upsert_one(fresh, changes)
        if changes.added:
            changes.added[0].order = self.rows[-1].order + 1 if self.rows else 0
            self.rows.extend(changes.added)
        self._apply(changes)
        return changes

    def _upsert_one(self, fresh: JobRow, changes: Changes) -> None:
        row = self.by_id.get(fresh.job_id)
        if row is None:
            self.by_id[fresh.job_id] = fresh
            counted = counted_kind(fresh)
            if counted is not None:
                self.counts[counted] += 1
            self._count_completion(fresh)
            self.stuck.track(fresh)
            changes.added.append(fresh)
            return
        before = row.kind
        counted_before = _header_kind(row)
        if row.local and fresh.status != row.status:
            row.local = None
        old = snapshot(row) if self.watchers else None
        archived = row.archived and not fresh.archived
        if archived:
            row.archived = False  # the API has it again
        if merge_row(row, fresh) or archived:
            changes.changed.append(row)
            if old is not None:
                for watcher in self.watchers:
                    watcher.changed(row, old)
            if before != row.kind or archived:
                self.stuck.track(row, was_finished=before in FINISHED)
            if before != row.kind:
                if before is StatusKind.QUEUED:
                    self._saw_leave_queue(row)
                if row.kind in FINISHED:
                    changes.finished.append(row)
                    self._count_completion(row, now=True)
        self._recount(row, counted_before)

    def _recount(self, row: JobRow, before: StatusKind | None) -> None:
        """Move ``row`` in the header's counts from ``before`` to the state it counts as now."""
        now = _header_kind(row)
        if before is not now:
            if before is not None:
                self.counts[before] -= 1
            if now is not None:
                self.counts[now] += 1

    def _saw_leave_queue(self, row: JobRow) -> None:
        """The API never says when a job left the queue: when we see it go, the wait is about
        now - created (less its run time if it finished in between), to a poll interval."""
        if row.created is None:
            return
        wait = self.clock() - row.created
        if row.kind in FINISHED and row.duration is not None:
            wait -= row.duration
        if 0 <= wait < float("inf"):
            row.queue_wait = wait

    def _count_completion(self, row: JobRow, now: bool = False) -> None:
        if row.kind != StatusKind.COMPLETED:
            return
        if now:
            when = self.clock()
        elif row.created is not None:
            when = row.created + (row.duration or 0)
        else:
            return
        self.completions[int(when // 60)] += 1

    def set_local(self, job_id: str, state: str | None) -> JobRow | None:
        row = self.by_id.get(job_id)
        if row is not None:
            before = _header_kind(row)
            row.local = state
            self.stuck.touch()
            self._recount(row, before)
        return row

    # ------------------------------------------------------------------ marks

    def toggle_mark(self, job_id: str) -> bool:
        if job_id in self.marks:
            self.marks.discard(job_id)
            return False
        self.marks.add(job_id)
        return True

    def marked_rows(self) -> list[JobRow]:
        """Marked jobs in list order (a set's order would change from run to run)."""
        # From the marks, not a scan of every row: the status line asks on every update.
        rows = (self.by_id.get(job_id) for job_id in self.marks)
        return sorted((r for r in rows if r is not None), key=lambda r: r.order)

    def toggle_mark_all_in_view(self) -> bool:
        """Mark every row the view shows, or, when all of them are marked already, unmark
        them (marks on hidden rows stay as they are). True if the rows are now marked."""
        ids = self.view.ids()
        if ids and ids <= self.marks:
            self.marks.difference_update(ids)
            return False
        self.marks.update(ids)
        return bool(ids)

    def unmark(self, job_ids: Iterable[str]) -> None:
        """Drop the marks of jobs an action is done with."""
        self.marks.difference_update(job_ids)

    def prune_marks(self) -> set[str]:
        """Drop marks whose job is gone (not loaded any more, or deleted); returns them."""
        gone = {
            job_id
            for job_id in self.marks
            if (row := self.by_id.get(job_id)) is None or row.local == "deleted"
        }
        self.marks.difference_update(gone)
        return gone

    def visible_marks(self) -> list[JobRow]:
        """Marked jobs the current filter shows, in the view's order."""
        if not self.marks:
            return []
        return [r for r in self.view.rows if r.job_id in self.marks]

    def hidden_marks(self) -> list[JobRow]:
        """Marked jobs the current filter hides: an action must still name them."""
        return [r for r in self.marked_rows() if not self.view.contains(r)]

    def sparkline(self, minutes: int = 30) -> list[int]:
        now_minute = int(self.clock() // 60)
        return [self.completions.get(m, 0) for m in range(now_minute - minutes + 1, now_minute + 1)]


class JobView:
    """The store's rows as the table shows them: filtered, then sorted.

    Every row carries its key for the current sort (``row.key``, computed once per sort or
    change) and its arrival ``order``, the tie-breaker. ``_sorted`` holds every row in view
    order; ``rows`` is the filtered subsequence (the same list when there is no filter). So
    a job that changes is found by binary search on its old key, moved by binary search on
    its new one, and only that row is tested against the filter: O(log n) comparisons (and
    one pointer memmove) whatever the sort. A page appends, or merges with one sort of two
    runs when the sort column is not arrival order; typing refines the previous result.

    A filter over more than ``SYNC_ROWS`` rows is scanned in chunks (issue 14: one pass over
    a million rows takes most of a second): the first chunk at once, so the top of the
    result shows with the keystroke, the rest by ``scan_step`` (the table runs it between
    frames). Matches are appended in view order, so what is shown is always the start of
    the final result. ``shown`` and ``len()`` are what is there so far; ``rows``, ``ids()``
    and ``contains()`` finish the scan first, so actions and exports get the whole result.
    """

    #: Recent filter results kept for backspacing (dropped on any data change).
    CACHE = 8
    #: ... and for this long at most, so terms relative to now ("age<1h") stay true.
    CACHE_SECONDS = 5.0
    #: Fewer added rows than this are inserted one by one; more are merged in one sort.
    INSORT_MAX = 32
    #: Filters over at most this many rows are applied in one go.
    SYNC_ROWS = 40_000
    #: Rows tested per scan step (about 10 ms of the slowest terms on a busy core).
    CHUNK = 10_000
    #: ... and with the keystroke itself: enough for a screenful of most filters, the rest
    #: follows between frames (issue 14: the keystroke's own work is what the user waits on).
    FIRST_CHUNK = 2_500

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self.filter = Filter()
        self.sort_column = "created"
        self.descending = True
        self._keyf: Callable[[JobRow], Any] = SORT_KEYS["created"]
        self._sorted: list[JobRow] = []
        self._rows: list[JobRow] = self._sorted
        #: An unfinished filter pass: (the rows it goes through, how far it got).
        self._scan: tuple[list[JobRow], int] | None = None
        #: The scan's list is its own (copied before a change edits it: it may be the
        #: sorted list or a cached result).
        self._scan_owned = False
        self._ids: set[str] | None = None
        self._cache: dict[str, tuple[float, list[JobRow]]] = {}
        self._listeners: list[Callable[[], None]] = []
        #: Goes up whenever ``rows`` is chosen anew (filter, sort, rebuild) rather than
        #: edited by changes: what follows the view in place knows when to start over.
        self.generation = 0

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` right after ``rows`` changed (replaced or edited in place), so a
        screen can keep its cursor on the same job at that moment, not after a later await."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> list[JobRow]:
        """The whole result (a filter scan still running is finished first)."""
        self.finish_scan()
        return self._rows

    @property
    def shown(self) -> list[JobRow]:
        """The result so far: what a screen draws while a scan runs."""
        return self._rows

    @property
    def filtered(self) -> bool:
        return self._rows is not self._sorted

    @property
    def scanning(self) -> bool:
        return self._scan is not None

    def ids(self) -> set[str]:
        if self._ids is None:
            self._ids = {r.job_id for r in self.rows}
        return self._ids

    def index_of(self, job_id: str) -> int | None:
        """Where ``job_id`` is among the rows shown so far (None: not there, or not yet)."""
        row = self.store.by_id.get(job_id)
        return None if row is None else _find(self._rows, row, self.descending)

    def contains(self, row: JobRow) -> bool:
        return _find(self.rows, row, self.descending) is not None

    # ------------------------------------------------------------------ chunked filtering

    def _start_scan(self, source: list[JobRow]) -> None:
        if len(source) <= self.SYNC_ROWS:
            self._scan = None
            self._rows = self.filter.apply(source)
            return
        self._rows = []
        self._scan = (source, 0)
        self._scan_owned = False
        self.scan_step(min(self.FIRST_CHUNK, self.CHUNK))

    def scan_step(self, rows: int | None = None) -> bool:
        """Test the next chunk of rows (``CHUNK`` unless told) against the filter; True
        while rows are left."""
        if self._scan is None:
            return False
        source, done = self._scan
        end = done + (rows or self.CHUNK)
        self._rows.extend(self.filter.apply(source[done:end]))
        self._ids = None
        if end >= len(source):
            self._scan = None
            return False
        self._scan = (source, end)
        return True

    def finish_scan(self) -> None:
        while self.scan_step():
            pass

    def _unscanned(self) -> list[JobRow]:
        """The result so far plus the rows the scan has not reached: every row a narrower
        filter can keep, in view order."""
        if self._scan is None:
            return self._rows
        source, done = self._scan
        return self._rows + source[done:]

    # ------------------------------------------------------------------ filter & sort

    def set_filter(self, text: str) -> Filter:
        new = compile_filter(text, self.store.clock(), self.store.stuck)
        previous, previous_rows = self.filter, self._unscanned()
        complete = self._scan is None
        self.filter = new
        self._scan = None
        if self.filtered and previous.text and complete:
            self._remember(previous.text, previous_rows)
        if new.empty:
            self._rows = self._sorted
        elif self._cached(text) is not None:
            self._rows = self._cache.pop(text)[1]
        elif new.narrows(previous) and not previous.empty:
            self._start_scan(previous_rows)  # refine: sorted order is kept
        else:
            self._start_scan(self._sorted)
        self._ids = None
        self.generation += 1
        self._changed()
        return new

    def _cached(self, text: str) -> list[JobRow] | None:
        # Age terms ("age<1h") are relative to now: an old result may no longer hold.
        hit = self._cache.get(text)
        if hit is None or self.store.clock() - hit[0] > self.CACHE_SECONDS:
            return None
        return hit[1]

    def _remember(self, text: str, rows: list[JobRow]) -> None:
        self._cache.pop(text, None)
        self._cache[text] = (self.store.clock(), rows)
        while len(self._cache) > self.CACHE:
            del self._cache[next(iter(self._cache))]

    def set_sort(self, column: str, descending: bool) -> None:
        if column not in SORT_KEYS:
            raise ValueError(f"unknown sort column {column!r}")
        self.sort_column = column
        self.descending = descending
        self._keyf = key = SORT_KEYS[column]
        rows = self.store.rows
        for row in rows:
            row.key = key(row)
        # Python's sort is stable even with reverse=True, and the store keeps arrival order,
        # so ties stay in arrival order: the same rule ``_before`` applies.
        self._sorted = sorted(rows, key=_KEY, reverse=descending)
        self.rebuild()

    def rebuild(self) -> None:
        # Age terms are relative to "now", so recompile to keep them true as time passes.
        if self.filter.text:
            self.filter = compile_filter(self.filter.text, self.store.clock(), self.store.stuck)
        self._cache.clear()
        self._scan = None
        if self.filter.empty:
            self._rows = self._sorted
        else:
            self._start_scan(self._sorted)
        self._ids = None
        self.generation += 1
        self._changed()

    # ------------------------------------------------------------------ changes

    def apply(self, changes: Changes) -> None:
        if not changes:
            return
        # An unfinished pass goes on: a changed row is tested now if the pass has gone
        # past its place, else it waits in the pass's list (issue 14: finishing the pass
        # on every polled change took most of a second at 1M rows, mid-keystroke).
        self._cache.clear()
        self._ids = None
        added = changes.added
        new = set(added)
        for row in dict.fromkeys(changes.changed):  # once each, first-seen order
            if row not in new:
                self._move(row)
        if added:
            self._add(added)
        self._changed()

    def _move(self, row: JobRow) -> None:
        """``row`` changed in place; ``row.key`` is still the key it is filed under."""
        desc = self.descending
        at = _find(self._rows, row, desc) if self.filtered else None
        self._unscan(row)
        key = self._keyf(row)
        if key != row.key:
            index = _find(self._sorted, row, desc)
            if index is None:  # cannot happen while the invariants hold; recover anyway
                row.key = key
                self.set_sort(self.sort_column, desc)
                return
            del self._sorted[index]
            row.key = key
            self._sorted.insert(_bisect(self._sorted, row, desc), row)
        if self.filtered:
            if at is not None:
                del self._rows[at]
            self._place(row)

    def _unscan(self, row: JobRow) -> None:
        """Take ``row`` (still filed under its old key) out of an unfinished pass's list."""
        if self._scan is None:
            return
        source, done = self._scan
        index = _find(source, row, self.descending)
        if index is None:
            return
        source = self._own_scan()
        del source[index]
        self._scan = (source, done - 1 if index < done else done)

    def _own_scan(self) -> list[JobRow]:
        """The unfinished pass's list, copied first if it is not its own yet."""
        assert self._scan is not None
        source, done = self._scan
        if not self._scan_owned:
            source, self._scan_owned = list(source), True
            self._scan = (source, done)
        return source

    def _place(self, row: JobRow) -> None:
        """Put a changed or new row where the filtered result wants it: tested now, or,
        while a pass has not reached its place, in the pass's list."""
        desc = self.descending
        if self._scan is not None:
            source, done = self._scan
            if done < len(source) and not _before(row, source[done], desc):
                source = self._own_scan()
                source.insert(_bisect(source, row, desc), row)
                return
        if self.filter.matches(row):
            self._rows.insert(_bisect(self._rows, row, desc), row)

    def _add(self, added: list[JobRow]) -> None:
        key = self._keyf
        for row in added:
            row.key = key(row)
        chunk = sorted(added, key=_KEY, reverse=self.descending)
        if self._scan is not None and self._scan[0] is self._sorted:
            self._own_scan()  # the pass's list must not grow with the merge below
        _merge(self._sorted, chunk, self.descending, self.INSORT_MAX)
        if self.filtered and self._scan is not None:
            for row in chunk:
                self._place(row)
        elif self.filtered:
            _merge(self._rows, self.filter.apply(chunk), self.descending, self.INSORT_MAX)


#: The big sorts read the precomputed key at C speed.
_KEY = operator.attrgetter("key")


def _before(a: JobRow, b: JobRow, descending: bool) -> bool:
    """Does ``a`` come strictly before ``b`` in the view? Ties go by arrival order."""
    if a.key == b.key:
        return a.order < b.order
    return bool(a.key > b.key) if descending else bool(a.key < b.key)


def _bisect(rows: list[JobRow], row: JobRow, descending: bool) -> int:
    """Where ``row`` goes in ``rows`` (sorted by key then order): after all that precede it."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        if _before(row, rows[mid], descending):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _find(rows: list[JobRow], row: JobRow, descending: bool) -> int | None:
    """The index of ``row`` in ``rows``, found by its current ``key`` and ``order``."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        other = rows[mid]
        if other is row:
            return mid
        if _before(other, row, descending):
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(rows) and rows[lo] is row else None


def _merge(rows: list[JobRow], chunk: list[JobRow], descending: bool, insort_max: int) -> None:
    """Merge the sorted ``chunk`` into the sorted ``rows`` in place (keeping the list)."""
    if not chunk:
        return
    if not rows or not _before(chunk[0], rows[-1], descending):
        rows.extend(chunk)  # the usual case: the next page of older jobs
    elif _before(chunk[-1], rows[0], descending):
        rows[:0] = chunk  # a refresh: newer jobs on top
    elif len(chunk) <= insort_max:
        for row in chunk:
            rows.insert(_bisect(rows, row, descending), row)
    else:
        # One stable sort of two sorted runs (about len(rows) comparisons). Stability breaks
        # ties by position, so the run with the lower arrival orders goes first.
        runs = chunk + rows if chunk[0].order < rows[0].order else rows + chunk
        rows[:] = sorted(runs, key=_KEY, reverse=descending)
