"""The job view stays equal to a from-scratch filter + sort through any sequence of updates,
while a single change only touches that row (no re-sort, no re-filter of the others)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reducto_tui.api.models import JobDetail, SingleJob
from reducto_tui.core import store as store_module
from reducto_tui.core.filters import compile_filter
from reducto_tui.core.store import SORT_COLUMNS, SORT_KEYS, JobStore
from tests.conftest import FROZEN, FakeClock

IDS = [f"job-{n:02d}" for n in range(14)] + ["JOB-Upper"]
STATUSES = [
    "Pending",
    "Idle",
    "InProgress",
    "Completed",
    "Failed",
    "Cancelled",
    "Teleporting",
    None,
]
FILTERS = [
    "",
    "j",
    "job",
    "job-0",
    "invoice",
    "status:failed",
    "status:running",
    "status:unknown",
    "status:fail",
    "-status:completed",
    "type:ex",
    "pages>2",
    "duration<=5",
    "age<1h",
    "upper",
    '"b.pdf"',
    "-job-1 pages<4",
]


def _job_fields() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "job_id": st.sampled_from(IDS),
            "status": st.sampled_from(STATUSES),
            "type": st.sampled_from(["Parse", "Extract", "Split", None]),
            # Few distinct values, so sorts are full of ties.
            "created_at": st.sampled_from([None, 10, 600, 4000]).map(
                lambda age: (
                    None if age is None else datetime.fromtimestamp(FROZEN - age, UTC).isoformat()
                )
            ),
            "num_pages": st.sampled_from([None, 1, 3, 3, 40]),
            "total_pages": st.sampled_from([None, 2, 3]),
            "duration": st.sampled_from([None, 1.0, 5.0, 12.5]),
            "source": st.sampled_from(["a.pdf", "Invoice B.PDF", "reducto://x/b.pdf", "", None]),
        }
    )


_page = st.lists(_job_fields(), max_size=6)
_op = st.one_of(
    st.tuples(st.just("add_page"), _page),
    st.tuples(st.just("merge_first_page"), _page),
    st.tuples(
        st.just("update_detail"),
        _job_fields().map(lambda f: {**f, "progress": 40.0, "reason": "Invoice unreadable"}),
    ),
    st.tuples(st.just("set_filter"), st.sampled_from(FILTERS)),
    st.tuples(st.just("set_sort"), st.tuples(st.sampled_from(SORT_COLUMNS), st.booleans())),
)


def expected(store: JobStore) -> list[str]:
    """The view computed from scratch: a stable sort of every row, then the filter."""
    view = store.view
    ordered = sorted(store.rows, key=SORT_KEYS[view.sort_column], reverse=view.descending)
    keep = compile_filter(view.filter.text, store.clock())
    return [r.job_id for r in ordered if keep.matches(r)]


def run(store: JobStore, op: str, arg: Any) -> None:
    if op == "add_page":
        store.add_page([SingleJob.model_validate(j) for j in arg], next_cursor="more")
    elif op == "merge_first_page":
        store.merge_first_page([SingleJob.model_validate(j) for j in arg])
    elif op == "update_detail":
        store.update_detail(arg["job_id"], JobDetail.model_validate(arg))
    elif op == "set_filter":
        store.view.set_filter(arg)
    else:
        store.view.set_sort(*arg)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_op, max_size=25))
def test_view_equals_a_fresh_filter_and_sort(ops: list[tuple[str, Any]]) -> None:
    store = JobStore(clock=FakeClock())
    for op, arg in ops:
        run(store, op, arg)
        view = store.view
        assert [r.job_id for r in view.rows] == expected(store), (op, arg)
        for n, row in enumerate(view.rows):
            assert view.index_of(row.job_id) == n
        assert view.ids() == {r.job_id for r in view.rows}
        hidden = {r.job_id for r in store.rows} - view.ids()
        assert all(view.index_of(job_id) is None for job_id in hidden)


def _page_of(n: int, statuses: list[str], start: int = 0) -> list[SingleJob]:
    return [
        SingleJob.model_validate(
            {
                "job_id": f"id-{start + i:05d}",
                "status": statuses[i % len(statuses)],
                "type": "Parse",
                "created_at": datetime.fromtimestamp(FROZEN - start - i, UTC).isoformat(),
                "num_pages": i % 7,
            }
        )
        for i in range(n)
    ]


def test_ties_keep_arrival_order_through_moves() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page(_page_of(30, ["Completed", "Failed", "Pending"]), next_cursor=None)
    store.view.set_sort("status", descending=False)
    # id-00004 (Failed) completes: it joins the completed rows at its arrival position.
    store.update_detail("id-00004", JobDetail.model_validate({"status": "Completed"}))
    completed = [r.job_id for r in store.view.rows if r.status == "Completed"]
    assert completed == sorted(completed)
    assert "id-00004" in completed and completed.index("id-00004") == 2


def test_one_change_does_not_resort_or_refilter_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sorted by status and filtered, one job changing costs a few key computations and
    one filter test, not one per row (the old view re-sorted and re-filtered all 3,000)."""
    calls = {"key": 0}
    status_key = SORT_KEYS["status"]

    def counting_key(row: Any) -> Any:
        calls["key"] += 1
        return status_key(row)

    monkeypatch.setitem(SORT_KEYS, "status", counting_key)
    store = JobStore(clock=FakeClock())
    for page in range(6):
        store.add_page(
            _page_of(500, ["Completed", "Failed", "Pending"], page * 500), next_cursor="x"
        )
    store.view.set_sort("status", descending=True)
    store.view.set_filter("pages>2")
    tested = {"rows": 0}
    matches = store.view.filter.matches

    def counting_matches(row: Any) -> bool:
        tested["rows"] += 1
        return matches(row)

    monkeypatch.setattr(store.view.filter, "matches", counting_matches)
    monkeypatch.setattr(store_module, "compile_filter", lambda text, now: store.view.filter)
    calls["key"] = 0
    store.update_detail("id-01234", JobDetail.model_validate({"status": "Cancelled"}))
    assert calls["key"] <= 2
    assert tested["rows"] <= 1
    assert [r.job_id for r in store.view.rows] == expected(store)


def test_backspacing_reuses_a_result_only_while_age_terms_still_hold() -> None:
    clock = FakeClock()
    store = JobStore(clock=clock)
    store.add_page(_page_of(50, ["Completed"]), next_cursor=None)  # created 0-49 s ago
    view = store.view
    view.set_filter("age<30s")
    assert len(view) == 30
    view.set_filter("age<30")  # backspace
    view.set_filter("age<30s")  # retyped at once: the kept result is still true
    assert len(view) == 30
    view.set_filter("age<30")
    clock.advance(20)
    view.set_filter("age<30s")  # 20 s later only 10 jobs are that young
    assert [r.job_id for r in view.rows] == expected(store) and len(view) == 10


_scan_op = st.one_of(_op, st.tuples(st.just("scan_step"), st.none()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_scan_op, max_size=30))
def test_a_filter_scanned_in_chunks_shows_a_prefix_and_ends_equal(
    ops: list[tuple[str, Any]],
) -> None:
    """Issue 14: big views filter a chunk at a time. Whatever happens between the steps
    (keys refining or widening the filter, pages, polled changes, sorts), what is shown is
    the start of the true result, and finishing gives exactly the true result."""
    store = JobStore(clock=FakeClock())
    store.view.SYNC_ROWS = 2  # chunk from three rows up...
    store.view.CHUNK = 2  # ...two rows a step
    for op, arg in ops:
        if op == "scan_step":
            store.view.scan_step()
        else:
            run(store, op, arg)
        truth = expected(store)
        shown = [r.job_id for r in store.view.shown]
        assert shown == truth[: len(shown)], (op, arg)
        assert len(store.view) == len(shown)
        for n, job_id in enumerate(shown):
            assert store.view.index_of(job_id) == n
    assert [r.job_id for r in store.view.rows] == expected(store)  # rows finishes the scan
    assert not store.view.scanning


def test_a_long_filter_shows_its_first_chunk_at_once_and_the_rest_step_by_step() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page(_page_of(250, ["Completed", "Failed"]), None)
    store.view.SYNC_ROWS, store.view.CHUNK = 100, 60
    store.view.set_filter("status:failed")
    assert store.view.scanning and len(store.view) == 30  # failed rows among the first 60
    steps = 0
    while store.view.scan_step():
        steps += 1
    assert steps == 3 and not store.view.scanning
    assert [r.job_id for r in store.view.shown] == [f"id-{n:05d}" for n in range(1, 250, 2)]
    # A narrower filter typed mid-scan goes through the rows found so far plus the rest.
    store.view.set_filter("status:completed")
    store.view.set_filter("status:completed id-001")
    assert [r.job_id for r in store.view.rows] == [f"id-{n:05d}" for n in range(100, 200, 2)]


def test_a_polled_change_mid_scan_leaves_the_scan_to_its_steps() -> None:
    # Issue 14: at 1M rows, finishing the pass on every polled change froze the keystroke.
    store = JobStore(clock=FakeClock())
    store.add_page(_page_of(250, ["Completed", "Failed"]), None)
    store.view.SYNC_ROWS, store.view.CHUNK = 100, 60
    store.view.set_filter("status:failed")
    store.update_detail("id-00200", JobDetail.model_validate({"status": "Failed"}))
    store.update_detail("id-00003", JobDetail.model_validate({"status": "Completed"}))
    assert store.view.scanning, "the change did not finish the pass"
    assert len(store.view.shown) < 125
    while store.view.scan_step():
        pass
    failed = [f"id-{n:05d}" for n in range(1, 250, 2) if n != 3]
    assert [r.job_id for r in store.view.shown] == sorted([*failed, "id-00200"])
