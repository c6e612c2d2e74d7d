"""`created` terms of the filter grammar (used by the app's filter and `jobs list --since`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from reducto_tui.api.status import StatusKind
from reducto_tui.core.filters import compile_filter, parse_when
from reducto_tui.core.rows import JobRow

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC).timestamp()


def row(created: str | None) -> JobRow:
    ts = datetime.fromisoformat(created).timestamp() if created else None
    return JobRow("j", "Completed", StatusKind.COMPLETED, "Parse", "", ts, 1, 1, 1.0)


@pytest.mark.parametrize(
    ("term", "created", "hit"),
    [
        ("created>2026-11-24", "2026-11-24T23:59:59+00:00", False),  # > a day: after it
        ("created>2026-11-24", "2026-11-25T00:00:00+00:00", True),
        ("created>=2026-11-24", "2026-11-24T00:00:00+00:00", True),
        ("created<2026-11-24", "2026-11-23T23:59:59+00:00", True),
        ("created<2026-11-24", "2026-11-24T00:00:00+00:00", False),
        ("created<=2026-11-24", "2026-11-24T23:59:59+00:00", True),
        ("created=2026-11-24", "2026-11-24T12:00:00+00:00", True),
        ("created=2026-11-24", "2026-11-25T00:00:00+00:00", False),
        ("created>2026-11-25T11:00", "2026-11-25T11:30:00+00:00", True),  # no zone: UTC
        ("created>2026-11-25T11:00+01:00", "2026-11-25T10:30:00+00:00", True),
        ("created>2h", "2026-11-25T10:30:00+00:00", True),  # within the last two hours
        ("created>2h", "2026-11-25T09:30:00+00:00", False),
        ("created<1d", "2026-11-24T11:00:00+00:00", True),
        ("-created>1d", "2026-11-24T11:00:00+00:00", True),
        ("created>1d", None, False),
        # Exact edges: > and < leave the moment out, >= and <= take it in.
        ("created>2h", "2026-11-25T10:00:00+00:00", False),
        ("created>=2h", "2026-11-25T10:30:00+00:00", True),
        ("created>=2h", "2026-11-25T09:30:00+00:00", False),
        ("created<=2h", "2026-11-25T10:00:00+00:00", True),
        ("created<2h", "2026-11-25T10:00:00+00:00", False),
        ("created<2h", "2026-11-25T09:59:59+00:00", True),
        ("created=2h", "2026-11-25T10:00:00+00:00", True),
        ("created<=2026-11-24", "2026-11-25T00:00:00+00:00", False),
        ("created<=2026-11-24", "2026-11-20T00:00:00+00:00", True),
        ("created<=2026-11-25T11:00", "2026-11-25T11:00:00+00:00", True),
        ("created<=2026-11-25T11:00", "2026-11-25T11:00:01+00:00", False),
        ("created>2026-11-25T11:00", "2026-11-25T11:00:00+00:00", False),
        ("created=2026-11-24", "2026-11-24T00:00:00+00:00", True),
        ("created=2026-11-24", "2026-11-23T12:00:00+00:00", False),
        ("created=2026-11-25T11:00", "2026-11-25T11:00:00+00:00", True),
        ("created=2026-11-25T11:00", "2026-11-25T11:00:01+00:00", False),
        # A zone written as Z (any case: the filter box is case-blind).
        ("created>=2026-11-25T11:00Z", "2026-11-25T11:00:00+00:00", True),
        ("created<2026-11-25t11:00z", "2026-11-25T11:00:00+00:00", False),
    ],
)
def test_created_terms(term: str, created: str | None, hit: bool) -> None:
    flt = compile_filter(term, NOW)
    assert not flt.errors
    assert flt.matches(row(created)) is hit


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45", "99999-01-01", "2026-11-25T25:00"])
def test_bad_dates_are_reported_with_examples_not_crashes(value: str) -> None:
    flt = compile_filter(f"created>{value} type:parse", NOW)
    assert flt.errors == [
        f"'{value.lower()}' is not a date, time or age (try 2026-11-24, 2026-11-24T15:00Z, 3h, 2d)"
    ]
    assert len(flt.predicates) == 1, "the rest of the filter still applies"
    with pytest.raises(ValueError, match="is not a date"):
        parse_when("soon", NOW)


def test_a_bare_date_is_a_utc_day_wherever_the_user_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        start, end = parse_when("2026-11-24", NOW)
        naive = parse_when("2026-11-24T10:00", NOW)
        hits = [
            compile_filter("created=2026-11-24", NOW).matches(row(t))
            for t in (
                "2026-11-24T00:00:00+00:00",
                "2026-11-24T23:59:59+00:00",
                "2026-11-25T01:00:00+00:00",
            )
        ]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert start == datetime(2026, 11, 24, tzinfo=UTC).timestamp() and end - start == 86400
    assert hits == [True, True, False]
    assert naive[0] == datetime(2026, 11, 24, 10, tzinfo=UTC).timestamp(), "no zone means UTC"
