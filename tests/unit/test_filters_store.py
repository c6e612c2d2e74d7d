"""Filter grammar, sort, merge and marks of the job store."""

from __future__ import annotations

import pytest

from reducto_tui.api.models import SingleJob
from reducto_tui.api.status import StatusKind
from reducto_tui.core.filter_text import with_status, with_terms
from reducto_tui.core.filters import compile_filter, parse_duration
from reducto_tui.core.rows import row_from_job
from reducto_tui.core.store import JobStore
from tests.conftest import FROZEN, FakeClock


def job(
    job_id: str,
    status: str = "Completed",
    type_: str = "Parse",
    age: float = 60,
    pages: int | None = 3,
    source: str = "reducto://x/invoice.pdf",
    duration: float | None = 12.0,
) -> SingleJob:
    from datetime import UTC, datetime

    created = datetime.fromtimestamp(FROZEN - age, UTC).isoformat()
    return SingleJob.model_validate(
        {
            "job_id": job_id,
            "status": status,
            "type": type_,
            "created_at": created,
            "num_pages": pages,
            "total_pages": pages,
            "duration": duration,
            "source": source,
        }
    )


@pytest.fixture
def store() -> JobStore:
    s = JobStore(clock=FakeClock())
    s.add_page(
        [
            job("a1", "Completed", "Parse", age=30, pages=25, source="reducto://x/Q3 report.pdf"),
            job("b2", "Failed", "Extract", age=600, pages=2, source="https://h/invoice.pdf"),
            job("c3", "InProgress", "Split", age=4000, pages=None, duration=None),
            job("d4", "pending", "Parse", age=90000, pages=40, source="contract.docx"),
            job("e5", "Teleporting", "Hologram", age=10, pages=1),
        ],
        next_cursor="next",
    )
    return s


def ids(store: JobStore) -> list[str]:
    return [r.job_id for r in store.view.rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["e5", "a1", "b2", "c3", "d4"]),
        ("invoice", ["e5", "b2", "c3"]),
        ('"q3 report"', ["a1"]),
        ("status:failed", ["b2"]),
        ("status:queued", ["d4"]),
        ("status:running", ["c3"]),
        ("status:unknown", ["e5"]),
        ("status:teleport", ["e5"]),
        ("type:parse", ["a1", "d4"]),
        ("pages>20", ["a1", "d4"]),
        ("pages<=2", ["e5", "b2"]),
        ("age<1h", ["e5", "a1", "b2"]),
        ("age>1d", ["d4"]),
        ("duration>=12", ["e5", "a1", "b2", "d4"]),
        ("-status:completed type:parse", ["d4"]),
        ("-invoice", ["a1", "d4"]),
        ("id:c3", ["c3"]),
        ("source:docx", ["d4"]),
    ],
)
def test_filter_grammar(store: JobStore, text: str, expected: list[str]) -> None:
    result = store.view.set_filter(text)
    assert result.errors == []
    assert ids(store) == expected


def test_bad_terms_are_reported_and_ignored(store: JobStore) -> None:
    result = store.view.set_filter("pages>lots age<soon status:")
    assert len(result.errors) == 3 and "not a page count" in result.errors[0]
    assert len(store.view) == 5


def test_typing_refines_then_widens(store: JobStore) -> None:
    for text in ("i", "in", "inv", "invo"):
        store.view.set_filter(text)
    assert ids(store) == ["e5", "b2", "c3"]
    store.view.set_filter("inv")  # backspace widens again
    assert ids(store) == ["e5", "b2", "c3"]
    store.view.set_filter("")
    assert len(store.view) == 5


def test_a_new_word_of_the_same_length_is_a_new_search_not_a_refinement(
    store: JobStore,
) -> None:
    store.view.set_filter("invoice")
    assert ids(store) == ["e5", "b2", "c3"]
    store.view.set_filter("report")  # not a longer "invoice": the Q3 report must show
    assert ids(store) == ["a1"]
    store.view.set_filter("report q3")  # adding a word does refine
    assert ids(store) == ["a1"]
    store.view.set_filter("repo q3")  # a shorter first word widens again
    assert ids(store) == ["a1"]
    store.view.set_filter("status:failed")
    store.view.set_filter("invoice")  # leaving a field term is a new search
    assert ids(store) == ["e5", "b2", "c3"]


def test_sort_any_column_both_ways(store: JobStore) -> None:
    store.view.set_sort("pages", descending=True)
    assert ids(store)[:2] == ["d4", "a1"]
    store.view.set_sort("status", descending=False)
    assert [r.kind for r in store.view.rows][:2] == [StatusKind.QUEUED, StatusKind.RUNNING]
    store.view.set_sort("created", descending=False)
    assert ids(store) == ["d4", "c3", "b2", "a1", "e5"]
    with pytest.raises(ValueError):
        store.view.set_sort("nope", True)


def test_first_page_merge_adds_on_top_and_updates_in_place(store: JobStore) -> None:
    store.toggle_mark("c3")
    changes = store.merge_first_page(
        [job("z9", "Pending", age=1), job("c3", "Completed", "Split", age=4000)]
    )
    assert [r.job_id for r in changes.added] == ["z9"]
    assert [r.job_id for r in changes.changed] == ["c3"]
    assert [r.job_id for r in changes.finished] == ["c3"]
    assert ids(store)[0] == "z9"
    assert store.next_cursor == "next" and "c3" in store.marks
    assert store.counts[StatusKind.RUNNING] == 0 and store.counts[StatusKind.COMPLETED] == 2


def test_marks_hidden_by_filter_are_still_named(store: JobStore) -> None:
    store.toggle_mark("a1")
    store.toggle_mark("b2")
    store.view.set_filter("status:failed")
    assert [r.job_id for r in store.hidden_marks()] == ["a1"]
    assert {r.job_id for r in store.marked_rows()} == {"a1", "b2"}


def test_durations_and_row_haystack() -> None:
    assert (
        parse_duration("90") == 90 and parse_duration("5m") == 300 and parse_duration("2h") == 7200
    )
    with pytest.raises(ValueError):
        parse_duration("forever")
    row = row_from_job(job("ID-1", "Failed", source="[b]X[/b]"), "ID-1")
    for word in ("[b]x[/b]", "failed", "id-1", "parse"):
        assert compile_filter(word, FROZEN).matches(row)
        assert compile_filter(word, FROZEN).apply([row]) == [row]
    assert not compile_filter("-failed", FROZEN).matches(row)


def test_mark_all_in_view_marks_then_unmarks_only_what_the_view_shows(store: JobStore) -> None:
    store.toggle_mark("d4")
    store.view.set_filter("status:completed")
    assert {r.job_id for r in store.view.rows} == {"a1"}
    assert store.toggle_mark_all_in_view() is True
    assert store.marks == {"a1", "d4"}
    assert [r.job_id for r in store.visible_marks()] == ["a1"]
    assert [r.job_id for r in store.hidden_marks()] == ["d4"]
    assert store.toggle_mark_all_in_view() is False
    assert store.marks == {"d4"}, "the hidden mark stays"
    store.view.set_filter("")
    store.toggle_mark("a1")
    assert store.toggle_mark_all_in_view() is True  # not all were marked: mark the rest
    assert store.marks == {r.job_id for r in store.rows}
    store.view.set_filter("nothing-matches-this")
    assert store.toggle_mark_all_in_view() is False and len(store.marks) == 5


def test_space_marks_then_unmarks_and_mark_all_undoes_itself(store: JobStore) -> None:
    assert store.toggle_mark("a1") is True and store.marks == {"a1"}
    assert store.toggle_mark("a1") is False and store.marks == set()
    store.view.set_filter("type:parse")
    assert store.toggle_mark_all_in_view() is True and store.marks == {"a1", "d4"}
    assert store.toggle_mark_all_in_view() is False and store.marks == set()


def test_marks_in_view_are_never_called_hidden_however_long_the_list() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page([job(f"j{n:03}", age=10 * n) for n in range(200)], next_cursor=None)
    picked = {"j003", "j077", "j150", "j199"}
    store.marks.update(picked)
    assert store.hidden_marks() == []
    assert {r.job_id for r in store.visible_marks()} == picked
    store.view.set_sort("created", descending=False)
    assert store.hidden_marks() == [] and len(store.visible_marks()) == 4
    store.view.set_filter("-j077")
    assert [r.job_id for r in store.hidden_marks()] == ["j077"]


def test_prune_marks_drops_jobs_that_vanished(store: JobStore) -> None:
    store.marks.update({"a1", "b2", "zz-unknown"})
    store.set_local("b2", "deleted")
    assert store.prune_marks() == {"b2", "zz-unknown"}
    assert store.marks == {"a1"}


@pytest.mark.parametrize(
    ("text", "state", "expected"),
    [
        ("", "failed", "status:failed"),
        ("invoice status:running", "failed", "invoice status:failed"),
        (
            '"q3  report" -status:failed type:parse',
            "queued",
            '"q3  report" type:parse status:queued',
        ),
        ("invoice Status:done status:x", "", "invoice"),
        ("invoice status:a:b", "failed", "invoice status:failed"),
        ("source:https://status:x", "failed", "source:https://status:x status:failed"),
        (
            '"status:not a term" pages>3',
            "cancelled",
            '"status:not a term" pages>3 status:cancelled',
        ),
    ],
)
def test_quick_status_keys_replace_the_status_term(text: str, state: str, expected: str) -> None:
    assert with_status(text, state) == expected
    compiled = compile_filter(with_status(text, state), FROZEN)
    assert not compiled.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "status:failed reason:TIMEOUT"),
        ("status:failed reason:TIMEOUT", "status:failed reason:TIMEOUT"),
        ("reason:timeout type:parse", "type:parse status:failed reason:TIMEOUT"),
        ("-status:completed pages>2", "pages>2 status:failed reason:TIMEOUT"),
        ('"reason:TIMEOUT" -reason:TIMEOUT', '"reason:TIMEOUT" -reason:TIMEOUT status:failed '
         "reason:TIMEOUT"),
    ],
)  # fmt: skip
def test_a_failure_groups_terms_are_added_once(text: str, expected: str) -> None:
    """Issue 26, defect 4: the insight view's number keys narrow the filter without
    repeating a term already typed (phrases and negations are other terms)."""
    assert with_terms(text, "status:failed reason:TIMEOUT") == expected


def test_sort_by_source_uses_the_file_name_the_table_shows() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page(
        [
            job("z", source="https://a/zebra.pdf"),
            job("b", source="reducto://0/beta.pdf"),
            job("a", source="https://z/alpha.pdf"),
        ],
        next_cursor=None,
    )
    store.view.set_sort("source", descending=False)
    assert ids(store) == ["a", "b", "z"]  # by file name, whatever the host or scheme


def test_view_listeners_see_every_new_rows_list(store: JobStore) -> None:
    seen: list[list[str]] = []
    store.view.subscribe(lambda: seen.append(ids(store)))
    store.view.set_filter("status:failed")
    store.view.set_filter("status:failed invoice")  # the refine shortcut
    store.view.set_sort("pages", descending=True)
    store.merge_first_page([job("z9", "Failed", age=1, source="https://h/invoice-2.pdf")])
    assert seen == [["b2"], ["b2"], ["b2"], ["z9", "b2"]]
