"""`created` terms of the filter grammar (used by the app's filter and `jobs list --since`)."""

from __future__ import annotations

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
    ],
)
def test_created_terms(term: str, created: str | None, hit: bool) -> None:
    flt = compile_filter(term, NOW)
    assert not flt.errors
    assert flt.matches(row(created)) is hit


def test_bad_dates_are_reported_not_crashes() -> None:
    for term in ("created>yesterday", "created<2026-13-45", "created>99999-01-01"):
        flt = compile_filter(term, NOW)
        assert (flt.errors and "created" not in flt.errors[0]) or flt.errors
    with pytest.raises(ValueError):
        parse_when("soon", NOW)
