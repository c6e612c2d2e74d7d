"""The insight aggregates against numbers worked out by hand from a fixed demo seed, and the
incremental updates against a rebuild from scratch."""

from __future__ import annotations

import json
import random

import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.details import DetailFetcher
from reducto_tui.core.insight import Insight, LiveInsight
from reducto_tui.core.store import JobStore
from reducto_tui.demo.simulator import FAILURES, Simulator
from tests.conftest import FROZEN, FakeClock, in_process_client


@pytest.fixture
def small(clock: FakeClock) -> Simulator:
    # 16 jobs of seed 7 at FROZEN: 4 queued, 3 running, 6 completed, 1 failed, 2 cancelled.
    return Simulator(jobs=16, seed=7, clock=clock, arrival_interval=0)


async def load(client: ReductoClient, store: JobStore) -> None:
    page = await client.list_jobs(limit=500)
    store.add_page(page.jobs, page.next_cursor)


async def test_numbers_match_the_hand_count(small: Simulator, clock: FakeClock) -> None:
    store = JobStore(clock=clock)
    async with in_process_client(small) as client:
        await load(client, store)
    n = Insight.of(store.view.rows, store.stuck).numbers(clock())

    assert n.jobs == 16
    assert n.counts == {
        "queued": 4,
        "running": 3,
        "completed": 6,
        "failed": 1,
        "cancelled": 2,
        "unknown": 0,
    }
    # Completed pages: 12 + 1 + 12 + 8 + 6 + 35.
    assert n.pages == 74
    # Durations (s) of the finished jobs per type; nearest-rank percentiles.
    by_type = {lat.type: lat for lat in n.latency}
    assert sorted(by_type) == ["Chart", "Extract", "Parse", "Pipeline"]
    parse = by_type["Parse"]  # 8.9, 19.63, 21.9
    assert (parse.jobs, parse.p50, parse.p90, parse.p99, parse.max) == (3, 19.63, 21.9, 21.9, 21.9)
    extract = by_type["Extract"]  # 13.97, 14.96
    assert (extract.p50, extract.p90, extract.max) == (13.97, 14.96, 14.96)
    assert by_type["Chart"].p50 == 22.12  # the failed one: its time counts too
    assert by_type["Parse"].waits == 0  # nobody saw a job leave the queue
    # Open pages: queued 8 + 1 + 1 + 150, running 20 + 20 + 35.
    assert (n.open_jobs, n.open_pages) == (7, 235)
    # FROZEN is a minute boundary: the window is the 9 minutes before it. In it finished
    # 5 completed jobs (39 pages), the failed one and both cancelled ones.
    assert n.pages_per_minute == round(39 / 9, 3)
    assert n.jobs_per_minute == round(8 / 9, 3)
    assert n.drain_seconds == pytest.approx(60 * 235 / round(39 / 9, 3))
    # 150 minutes from the oldest finish to now: 5-minute buckets, 31 of them.
    assert n.bucket_seconds == 300
    assert len(n.buckets) == 31
    assert n.buckets[0].completed == 1 and n.buckets[0].pages == 35
    assert sum(b.completed for b in n.buckets) == 6
    assert sum(b.cancelled for b in n.buckets) == 2
    assert sum(b.pages for b in n.buckets) == 74
    # The list says nothing of reasons or credits.
    assert (n.failures, n.failures_unknown) == ([], 1)
    assert (n.credits, n.credits_known) == (0.0, 0)
    assert n.stuck == 0


async def test_details_bring_failure_codes_and_credits(sim: Simulator, clock: FakeClock) -> None:
    store = JobStore(clock=clock)
    async with in_process_client(sim) as client:
        await load(client, store)
        live = LiveInsight(store)
        failed = [r for r in store.rows if r.kind.value == "failed"]
        # Older than four hours: billed in credits (newer jobs report quantities only).
        old = [r for r in store.rows if r.created and r.created < FROZEN - 4 * 3600]
        fetched = failed + [r for r in old if r.kind.value == "completed"][:20]
        for row in fetched:
            store.update_detail(row.job_id, await client.get_job(row.job_id))
    n = live.numbers()
    codes: dict[str, int] = {}
    for row in failed:
        job = sim.by_id[row.job_id]
        assert job.failure is not None
        codes[job.failure.name] = codes.get(job.failure.name, 0) + 1
    expected = sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:8]
    assert [(f.key, f.count) for f in n.failures] == expected
    top = n.failures[0]
    assert top.filter_term == f"status:failed reason:{top.key}"
    assert top.reason == next(f.message for f in FAILURES if f.name == top.key)
    assert n.failures_unknown == 0
    # Credits: what each job's usage.credits said, summed.
    credited = [r for r in fetched if r.credits is not None]
    assert n.credits_known == len(credited) >= 15
    assert n.credits == pytest.approx(sum(r.credits or 0 for r in credited))
    assert n.as_dict() == Insight.of(store.view.rows, store.stuck).numbers(clock()).as_dict()
    # The grammar's new terms select by what the details said.
    store.view.set_filter(top.filter_term)
    assert len(store.view.rows) == top.count
    store.view.set_filter("credits>0")
    assert {r.job_id for r in store.view.rows} == {r.job_id for r in credited if r.credits}


async def test_live_updates_equal_a_rebuild(clock: FakeClock) -> None:
    sim = Simulator(jobs=400, seed=3, clock=clock, arrival_interval=4)
    store = JobStore(clock=clock)
    rng = random.Random(5)
    async with in_process_client(sim) as client:
        await load(client, store)
        store.view.set_filter("-type:chart")
        live = LiveInsight(store)
        for _ in range(12):
            clock.advance(rng.uniform(2, 40))
            page = await client.list_jobs(limit=100)
            store.merge_first_page(page.jobs)
            for row in rng.sample(store.rows, 5):
                store.update_detail(row.job_id, await client.get_job(row.job_id))
            assert (
                live.numbers().as_dict() == Insight.of(store.view.rows).numbers(clock()).as_dict()
            )
    live.close()
    assert live not in store.watchers


def test_queue_wait_is_measured_when_a_job_is_seen_leaving_the_queue(clock: FakeClock) -> None:
    from tests.unit.test_filters_store import job

    store = JobStore(clock=clock)
    store.add_page([job("q1", "Pending", age=30, duration=None)], None)
    live = LiveInsight(store)
    clock.advance(10)
    store.merge_first_page([job("q1", "InProgress", age=30, duration=None)])
    assert store.by_id["q1"].queue_wait == 40
    clock.advance(20)
    store.merge_first_page([job("q1", "Completed", age=30, duration=15.0)])
    lat = live.numbers().latency[0]
    assert (lat.type, lat.p50, lat.waits, lat.wait_p50) == ("Parse", 15.0, 1, 40)


def test_a_job_dated_9999_does_not_move_the_timeline(clock: FakeClock) -> None:
    # A hostile server's 9999-12-31 job put every bucket of `jobs stats` in the year 9999.
    from tests.unit.test_filters_store import job

    store = JobStore(clock=clock)
    far = clock() - 253402300000.0  # created_at 9999-12-31: a negative age
    store.add_page([job("now", age=600), job("far", age=far)], None)
    numbers = LiveInsight(store).numbers()
    assert numbers.buckets, numbers
    assert numbers.buckets[-1].start <= clock()
    assert sum(b.completed for b in numbers.buckets) == 1  # the job that finished today


def test_a_new_filter_makes_the_live_aggregates_stale_and_they_let_go(clock: FakeClock) -> None:
    from tests.unit.test_filters_store import job

    store = JobStore(clock=clock)
    store.add_page([job("a"), job("b", "Failed")], None)
    live = LiveInsight(store)
    assert not live.stale and live in store.watchers
    store.view.set_filter("status:failed")
    assert live.stale
    store.merge_first_page([job("a", duration=99.0)])  # the next change: it lets go
    assert live not in store.watchers


def test_absurd_numbers_degrade_to_unknown(clock: FakeClock) -> None:
    from reducto_tui.render import insight as draw
    from tests.unit.test_filters_store import job

    store = JobStore(clock=clock)
    store.add_page([job("a", duration=1e300), job("b", duration=1e300)], None)
    for job_id in ("a", "b"):
        store.by_id[job_id].credits = 1e308  # as a detail would set it
    n = Insight.of(store.view.rows).numbers(clock())
    assert n.credits_known == 2
    lines = dict(draw.headline(n))
    assert lines["credits"].startswith("unknown")  # 2e308 is not a number any more
    assert draw.seconds(n.latency[0].p50) == "unknown"
    body = draw.safe_numbers(n)
    assert body["credits"] == float("inf")
    from reducto_tui.cli.jsonout import dumps

    assert '"credits": null' in dumps(body)


def test_unknown_reasons_are_split_into_not_asked_and_gone() -> None:
    """Issue 26, defect 3: a reason the API no longer keeps is never promised."""
    from dataclasses import replace

    from reducto_tui.core.details import Tally
    from reducto_tui.render import insight as draw

    empty = Insight.of(JobStore().view.rows).numbers(0.0)
    n = replace(empty, failures_unknown=5)
    assert draw.unknown_failures(n, 2) == [
        (3, "reason not asked yet"),
        (2, "reason gone: the API no longer keeps these jobs"),
    ]
    assert draw.unknown_failures(n, 9) == [(5, "reason gone: the API no longer keeps these jobs")]
    assert draw.safe_numbers(n, "type:parse", 9)["failures_gone"] == 5
    assert draw.details_words(Tally()) == "no job asked (GET /job)"
    assert draw.details_words(Tally(asked=25, read=4, gone=20)) == (
        "25 jobs asked (GET /job): 4 read, 20 no longer kept by the API, 1 not answered"
    )


async def test_the_numbers_as_exported_keep_their_names_and_values(
    small: Simulator, clock: FakeClock
) -> None:
    store = JobStore(clock=clock)
    async with in_process_client(small) as client:
        await load(client, store)
    n = Insight.of(store.view.rows, store.stuck).numbers(clock())
    d = n.as_dict()  # what `jobs stats --json` prints and the insight export writes
    assert list(d) == [
        "now", "jobs", "counts", "bucket_seconds", "buckets", "pages", "credits",
        "credits_known", "latency", "failures", "failures_unknown", "pages_per_minute",
        "jobs_per_minute", "open_jobs", "open_pages", "drain_seconds", "stuck",
    ]  # fmt: skip
    assert (d["now"], d["jobs"], d["counts"], d["pages"]) == (clock(), 16, n.counts, 74)
    assert (d["open_jobs"], d["open_pages"], d["stuck"]) == (7, 235, n.stuck)
    assert (d["bucket_seconds"], d["credits"], d["credits_known"]) == (
        n.bucket_seconds, n.credits, n.credits_known,
    )  # fmt: skip
    assert (d["pages_per_minute"], d["jobs_per_minute"], d["drain_seconds"]) == (
        n.pages_per_minute, n.jobs_per_minute, n.drain_seconds,
    )  # fmt: skip
    assert d["failures_unknown"] == n.failures_unknown
    assert d["buckets"] == [
        dict(zip(("start", "completed", "failed", "cancelled", "pages", "credits"),
                 (b.start, b.completed, b.failed, b.cancelled, b.pages, b.credits), strict=True))
        for b in n.buckets
    ]  # fmt: skip
    assert sum(b["completed"] for b in d["buckets"]) == n.counts["completed"] == 6
    parse = next(x for x in d["latency"] if x["type"] == "Parse")
    assert parse == {
        "type": "Parse", "jobs": 3, "p50": 19.63, "p90": 21.9, "p99": 21.9, "max": 21.9,
        "queue_waits": 0, "queue_wait_p50": None, "queue_wait_p90": None,
    }  # fmt: skip
    assert len(d["latency"]) == 4
    assert d["failures"] == [
        {"key": f.key, "count": f.count, "reason": f.reason} for f in n.failures
    ]
    assert sum(f["count"] for f in d["failures"]) + d["failures_unknown"] == 1


@pytest.mark.parametrize(
    ("finished_pages", "open_pages", "drain"),
    [
        (3, None, 60 * 2 / round(1 / 9, 3)),  # open pages unknown: at the rate of jobs
        (None, 5, 60 * 2 / round(1 / 9, 3)),  # no pages finished lately: the same
        (3, 5, 60 * 10 / round(3 / 9, 3)),  # at the rate of pages
    ],
)
def test_the_time_to_drain_uses_pages_when_it_can_and_jobs_otherwise(
    clock: FakeClock, finished_pages: int | None, open_pages: int | None, drain: float
) -> None:
    from tests.unit.test_filters_store import job

    store = JobStore(clock=clock)
    store.add_page([job("done", age=120, pages=finished_pages)], None)
    idle = Insight.of(store.view.rows).numbers(clock())
    assert (idle.open_jobs, idle.drain_seconds) == (0, 0.0)
    store.add_page(
        [
            job("queued", "Pending", age=30, pages=open_pages, duration=None),
            job("running", "InProgress", age=30, pages=open_pages, duration=None),
        ],
        None,
    )
    n = Insight.of(store.view.rows).numbers(clock())
    assert n.jobs_per_minute == round(1 / 9, 3)
    assert n.open_jobs == 2 and n.drain_seconds == pytest.approx(drain)


def _reported_credits(body: dict[str, object]) -> float | None:
    """A job's credits as its ``GET /job`` JSON states them, read without our models: the
    older pricing's ``credits``, or a legacy-pipeline parse's ``legacy_parse_credits``."""
    result = body.get("result")
    usage = result.get("usage") if isinstance(result, dict) else None
    if not isinstance(usage, dict):
        return None
    if "credits" in usage:
        return float(usage["credits"])
    breakdown = usage.get("usage_breakdown") or {}
    if breakdown.get("parse_model") == "Legacy":
        return float(breakdown["legacy_parse_credits"])
    return None


async def test_credits_filter_compares_the_credits_of_either_pricing_shape(
    clock: FakeClock,
) -> None:
    # Seed 5, 120 jobs at FROZEN: 96 completed; 53 of them report ``credits`` (older
    # pricing), 4 are legacy-pipeline parses on the newer pricing (``legacy_parse_credits``)
    # and 39 report only quantities (R-1 parse, split, edit, extract, classify pages).
    sim = Simulator(jobs=120, seed=5, clock=clock, arrival_interval=0)
    store = JobStore(clock=clock)
    expected: dict[str, float | None] = {}
    legacy: set[str] = set()
    async with in_process_client(sim) as client:
        await load(client, store)
        await DetailFetcher(client, store).fetch(store.rows, limit=1000)
        for row in store.rows:
            if row.kind.value == "completed":
                body = json.loads(await client.get_job_raw(row.job_id))
                expected[row.job_id] = _reported_credits(body)
                if "legacy_parse_credits" in json.dumps(body):
                    legacy.add(row.job_id)
    assert (len(expected), len(legacy), sum(c is None for c in expected.values())) == (96, 4, 39)
    store.view.set_filter("credits>1")
    matched = {r.job_id for r in store.view.rows}
    assert matched == {j for j, c in expected.items() if c is not None and c > 1}
    assert len(matched) == 51 and legacy & matched, "legacy parses count in credits too"
    store.view.set_filter("credits>=0")
    assert {r.job_id for r in store.view.rows} == {j for j, c in expected.items() if c is not None}
    n = Insight.of(store.view.rows, store.stuck).numbers(clock())
    assert n.credits_known == 57
    assert n.credits == pytest.approx(sum(c for c in expected.values() if c is not None))
