"""A job type's "stuck?" threshold: five times its p90, never under the floor, or the
configured limit; and the nearest-rank percentiles it is read from (core.stuck)."""

from __future__ import annotations

from reducto_tui.core.rows import row_from_job
from reducto_tui.core.stuck import FLOOR, StuckWatch, percentile
from tests.conftest import FROZEN
from tests.unit.test_filters_store import job


def test_a_types_threshold_is_five_times_its_p90_and_never_under_the_floor() -> None:
    watch = StuckWatch()
    for n in range(1, 11):  # Parse took 100 s … 1000 s: the p90 is 900 s
        watch.track(row_from_job(job(f"p{n}", duration=100.0 * n), f"p{n}"))
    watch.track(row_from_job(job("quick", type_="Split", duration=10.0), "quick"))
    assert watch.p90("Parse") == 900.0 and watch.threshold("Parse") == 4500.0
    assert watch.threshold("Split") == FLOOR, "5 x 10 s is under the floor"
    assert watch.threshold("Extract") == FLOOR, "no finished jobs of the type"
    rows = {
        name: row_from_job(job(name, "InProgress", type_=kind, age=age, duration=None), name)
        for name, kind, age in (
            ("parse-slow", "Parse", 4501.0),
            ("parse-fine", "Parse", 4499.0),
            ("split-slow", "Split", FLOOR + 1),
        )
    }
    for row in rows.values():
        watch.track(row)
    assert sorted(r.job_id for r in watch.stuck_rows(FROZEN)) == ["parse-slow", "split-slow"]
    assert watch.count(FROZEN) == 2
    # It finishes: no longer open, and its duration counts once, however often it is seen.
    done = row_from_job(job("parse-slow", duration=5000.0), "parse-slow")
    watch.track(done)
    watch.track(done, was_finished=True)
    assert watch.count(FROZEN) == 1 and watch.p90("Parse") == 1000.0
    assert watch.threshold("Parse") == 5000.0
    watch.track(row_from_job(job("odd", duration=float("inf")), "odd"))
    watch.track(row_from_job(job("unknown", duration=None), "unknown"))
    assert watch.p90("Parse") == 1000.0, "no usable duration: nothing added"


def test_a_configured_limit_replaces_the_thresholds() -> None:
    watch = StuckWatch(limit=60.0)
    watch.track(row_from_job(job("p", duration=1000.0), "p"))
    for name, age in (("over", 61.0), ("under", 59.0)):
        watch.track(row_from_job(job(name, "Pending", age=age, duration=None), name))
    assert watch.threshold("Parse") == 60.0
    assert [r.job_id for r in watch.stuck_rows(FROZEN)] == ["over"]


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    values = [1.0, 2.0, 3.0, 4.0]
    assert (percentile(values, 50), percentile(values, 51), percentile(values, 100)) == (
        2.0,
        3.0,
        4.0,
    )
    assert percentile(values, 0) == 1.0
