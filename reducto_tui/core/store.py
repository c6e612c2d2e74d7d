"""Every loaded job by id, plus the view the table shows (filter + sort) and the marks."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reducto_tui.api.models import JobDetail, SingleJob
from reducto_tui.api.status import FINISHED, StatusKind
from reducto_tui.core.filters import Filter, compile_filter
from reducto_tui.core.rows import JobRow, merge_row, row_from_job

_KIND_ORDER = {kind: n for n, kind in enumerate(StatusKind)}
_LOW = float("-inf")

SORT_KEYS: dict[str, Callable[[JobRow], Any]] = {
    "created": lambda r: r.created if r.created is not None else _LOW,
    "status": lambda r: (_KIND_ORDER[r.kind], r.status),
    "type": lambda r: r.type,
    "id": lambda r: r.job_id,
    "source": lambda r: r.source.lower(),
    "pages": lambda r: r.num_pages if r.num_pages is not None else (r.total_pages or -1),
    "duration": lambda r: r.duration if r.duration is not None else -1.0,
}
SORT_COLUMNS = tuple(SORT_KEYS)


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


class JobStore:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.by_id: dict[str, JobRow] = {}
        self.rows: list[JobRow] = []
        self.marks: set[str] = set()
        self.counts: Counter[StatusKind] = Counter()
        #: Completions per minute (epoch minute -> count), for the header's sparkline.
        self.completions: Counter[int] = Counter()
        self.next_cursor: str | None = None
        self.pages_loaded = 0
        self.skipped = 0
        self.view = JobView(self)

    # ------------------------------------------------------------------ loading

    @property
    def more_available(self) -> bool:
        return self.pages_loaded == 0 or self.next_cursor is not None

    def add_page(
        self, jobs: Iterable[SingleJob], next_cursor: str | None, skipped: int = 0
    ) -> Changes:
        """A page reached by following the cursor: new jobs go below the loaded ones."""
        changes = self.upsert(jobs)
        self.next_cursor = next_cursor
        self.pages_loaded += 1
        self.skipped += skipped
        return changes

    def merge_first_page(self, jobs: Iterable[SingleJob]) -> Changes:
        """A fresh first page: jobs not seen before are newer and go to the top."""
        changes = self.upsert(jobs, at_top=True)
        if not self.pages_loaded:
            self.pages_loaded = 1
        return changes

    def upsert(self, jobs: Iterable[SingleJob], at_top: bool = False) -> Changes:
        changes = Changes()
        for job in jobs:
            self._upsert_one(row_from_job(job, job.job_id), changes)
        if changes.added:
            if at_top:
                base = min((r.order for r in self.rows), default=0)
                for n, row in enumerate(reversed(changes.added)):
                    row.order = base - 1 - n
                self.rows[:0] = changes.added
            else:
                base = self.rows[-1].order + 1 if self.rows else 0
                for n, row in enumerate(changes.added):
                    row.order = base + n
                self.rows.extend(changes.added)
        self.view.apply(changes)
        return changes

    def update_detail(self, job_id: str, detail: JobDetail) -> Changes:
        changes = Changes()
        self._upsert_one(row_from_job(detail, job_id), changes)
        if changes.added:
            changes.added[0].order = self.rows[-1].order + 1 if self.rows else 0
            self.rows.extend(changes.added)
        self.view.apply(changes)
        return changes

    def _upsert_one(self, fresh: JobRow, changes: Changes) -> None:
        row = self.by_id.get(fresh.job_id)
        if row is None:
            self.by_id[fresh.job_id] = fresh
            self.counts[fresh.kind] += 1
            self._count_completion(fresh)
            changes.added.append(fresh)
            return
        before = row.kind
        if row.local and fresh.status != row.status:
            row.local = None
        if merge_row(row, fresh):
            changes.changed.append(row)
            if before != row.kind:
                self.counts[before] -= 1
                self.counts[row.kind] += 1
                if row.kind in FINISHED:
                    changes.finished.append(row)
                    self._count_completion(row, now=True)

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
            row.local = state
            row.version += 1
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
        if not self.marks:
            return []
        return [r for r in self.rows if r.job_id in self.marks]

    def hidden_marks(self) -> list[JobRow]:
        """Marked jobs the current filter hides: an action must still name them."""
        visible = self.view.ids()
        return [r for r in self.marked_rows() if r.job_id not in visible]

    def sparkline(self, minutes: int = 30) -> list[int]:
        now_minute = int(self.clock() // 60)
        return [self.completions.get(m, 0) for m in range(now_minute - minutes + 1, now_minute + 1)]


class JobView:
    """The store's rows as the table shows them: filtered, then sorted.

    All rows are kept sorted once (``_sorted``); a filter is then one linear scan of that
    list, so typing never re-sorts, and pages arriving in order are appended, not sorted.
    """

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self.filter = Filter()
        self.sort_column = "created"
        self.descending = True
        self.rows: list[JobRow] = []
        self._sorted: list[JobRow] | None = None
        self._ids: set[str] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def ids(self) -> set[str]:
        if self._ids is None:
            self._ids = {r.job_id for r in self.rows}
        return self._ids

    def index_of(self, job_id: str) -> int | None:
        for n, row in enumerate(self.rows):
            if row.job_id == job_id:
                return n
        return None

    def set_filter(self, text: str) -> Filter:
        new = compile_filter(text, self.store.clock())
        previous = self.filter
        self.filter = new
        if new.narrows(previous) and not previous.empty:
            self.rows = new.apply(self.rows)  # refine: sorted order is kept
            self._ids = None
        else:
            self.rebuild()
        return new

    def set_sort(self, column: str, descending: bool) -> None:
        if column not in SORT_KEYS:
            raise ValueError(f"unknown sort column {column!r}")
        self.sort_column = column
        self.descending = descending
        self._sorted = None
        self.rebuild()

    def rebuild(self) -> None:
        # Age terms are relative to "now", so recompile to keep them true as time passes.
        if self.filter.text:
            self.filter = compile_filter(self.filter.text, self.store.clock())
        self.rows = self.filter.apply(self._all_sorted())
        self._ids = None

    def apply(self, changes: Changes) -> None:
        if not changes:
            return
        if changes.changed and self.sort_column not in ("created", "id"):
            self._sorted = None  # a changed value may move a row
        elif changes.added and self._sorted is not None:
            self._insert(changes.added)
        self.rebuild()

    def _key(self) -> Callable[[JobRow], Any]:
        return SORT_KEYS[self.sort_column]

    def _all_sorted(self) -> list[JobRow]:
        if self._sorted is None:
            # Python's sort is stable even with reverse=True, and the store keeps the API's
            # order, so ties keep it.
            self._sorted = sorted(self.store.rows, key=self._key(), reverse=self.descending)
        return self._sorted

    def _insert(self, added: list[JobRow]) -> None:
        assert self._sorted is not None
        key = self._key()
        chunk = sorted(added, key=key, reverse=self.descending)
        if not self._sorted:
            self._sorted = chunk
            return

        def before(a: JobRow, b: JobRow) -> bool:  # may ``a`` come before ``b``?
            return bool(key(a) >= key(b)) if self.descending else bool(key(a) <= key(b))

        if before(self._sorted[-1], chunk[0]):  # the usual case: the next page, older jobs
            self._sorted.extend(chunk)
        elif before(chunk[-1], self._sorted[0]):  # a refresh: newer jobs on top
            self._sorted[:0] = chunk
        else:
            self._sorted = None
