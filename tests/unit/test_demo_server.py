"""The simulator speaks the Jobs API: shapes, status codes, faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import httpx
import pytest

from reducto_tui.demo import server
from reducto_tui.demo.server import Extras, Faults, create_app
from reducto_tui.demo.simulator import HOSTILE_SOURCE, SimJob, Simulator
from tests.conftest import FakeClock


def http(
    sim: Simulator, faults: Faults | None = None, extras: Extras | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(sim, faults, extras)), base_url="http://demo"
    )


@pytest.mark.parametrize(
    ("limit", "kind"),
    [("0", "greater_than_equal"), ("501", "less_than_equal"), ("x", "int_parsing")],
)
async def test_limit_out_of_range_is_422_in_fastapi_shape(
    sim: Simulator, limit: str, kind: str
) -> None:
    async with http(sim) as c:
        r = await c.get("/jobs", params={"limit": limit})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", "limit"] and detail["type"] == kind and detail["msg"]


async def test_bad_cursor_is_422_and_last_page_has_null_cursor(sim: Simulator) -> None:
    async with http(sim) as c:
        assert (await c.get("/jobs", params={"cursor": "garbage!"})).status_code == 422
        r = await c.get("/jobs", params={"limit": 500})
    assert len(r.json()["jobs"]) == 300 and r.json()["next_cursor"] is None


async def lifecycle(
    clock: FakeClock, extras: Extras | None = None
) -> tuple[list[str], list[float | None], dict[str, Any], str]:
    """A created job's GET /job statuses (deduplicated) and progress values until it ends."""
    sim = Simulator(jobs=5, seed=1, clock=clock, arrival_interval=0)
    async with http(sim, extras=extras) as c:
        created = (await c.post("/parse_async", json={"input": "https://x/doc.pdf"})).json()
        job_id = created["job_id"]
        seen: list[str] = []
        progress: list[float | None] = []
        for _ in range(400):
            body = (await c.get(f"/job/{job_id}")).json()
            if not seen or seen[-1] != body["status"]:
                seen.append(body["status"])
            progress.append(body["progress"])
            if body["status"] in ("Completed", "Failed"):
                break
            clock.advance(0.5)
    return seen, progress, body, sim.by_id[job_id].outcome


async def test_job_lifecycle_reads_as_the_spec_says(clock: FakeClock) -> None:
    seen, progress, body, outcome = await lifecycle(clock)
    assert seen[0] in ("Pending", "Idle") and seen[-1] == outcome
    assert set(seen[1:-1]) <= {"Pending"}, "running reads as Pending on GET /job"
    running = [p for p in progress if p is not None]
    assert progress[0] is None and running and running == sorted(running)
    assert 0 <= running[0] < 50 and running[-1] == 100.0 and progress[-1] is None
    if outcome == "Failed":
        assert body["reason"] and body["error"]["name"] and body["error"]["code"]
    else:
        assert body["result"]["response_type"] == "parse"


async def test_extended_statuses_are_opt_in(clock: FakeClock) -> None:
    seen, _, _, outcome = await lifecycle(clock, Extras(extended_statuses=True))
    assert seen[0] in ("Pending", "Idle") and seen[1:] == ["InProgress", "Completing", outcome]


async def test_cancel_rules_and_missing_input(sim: Simulator) -> None:
    async with http(sim) as c:
        assert (await c.post("/extract_async", json={"nothing": 1})).status_code == 422
        done = next(j for j in sim.jobs if j.status(sim.clock()) == "Completed")
        r = await c.post(f"/cancel/{done.job_id}")
        assert r.status_code == 400 and "already Completed" in r.json()["detail"]
        assert (await c.post("/cancel/unknown")).status_code == 404
        assert (await c.get("/job/unknown")).json() == {"detail": "Job not found"}


async def test_require_key_rate_limit_and_errors(sim: Simulator) -> None:
    async with http(sim, Faults(require_key="sekrit")) as c:
        assert (await c.get("/jobs")).status_code == 401
        assert (await c.get("/jobs", headers={"Authorization": "Bearer sekrit"})).status_code == 200
    async with http(sim, Faults(rate_limit=2)) as c:
        codes = [(await c.get("/jobs", params={"limit": 1})).status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and 429 in codes[2:]
        r = await c.get("/jobs")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    async with http(sim, Faults(error_rate=1.0)) as c:
        assert (await c.get("/jobs")).status_code in (500, 502, 503)


def test_deterministic_for_a_seed_and_hostile_name_present(clock: FakeClock) -> None:
    a = Simulator(jobs=50, seed=5, clock=clock)
    b = Simulator(jobs=50, seed=5, clock=clock)
    assert [j.job_id for j in a.jobs] == [j.job_id for j in b.jobs]
    assert a.result(a.jobs[3]) == b.result(b.jobs[3])
    assert any(j.source == HOSTILE_SOURCE for j in a.jobs)


def test_new_jobs_arrive_over_time(clock: FakeClock) -> None:
    sim = Simulator(jobs=10, seed=2, clock=clock, arrival_interval=5)
    clock.advance(300)
    sim.advance()
    assert 30 < len(sim.jobs) - 10 < 100


async def test_timeout_is_ignored_unless_long_poll_is_on(sim: Simulator) -> None:
    """v1.12.20 has no ``?timeout=``: the demo answers at once unless ``--long-poll``."""
    queued = sim.create("Parse", {"input": "https://x/q.pdf"})
    url = f"/job/{queued.job_id}"
    async with http(sim) as c:
        started = time.monotonic()
        r = await c.get(url, params={"timeout": "10"})
        assert r.status_code == 200 and time.monotonic() - started < 5
        assert (await c.get(url, params={"timeout": "soon"})).status_code == 200
    async with http(sim, extras=Extras(long_poll=True)) as c:
        assert (await c.get(url, params={"timeout": "soon"})).status_code == 422
        # The clock is frozen, so only the cancel below can end the wait before 10 s.
        waiting = asyncio.create_task(c.get(url, params={"timeout": "10"}))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        assert (await c.post(f"/cancel/{queued.job_id}")).status_code == 200
        body = (await asyncio.wait_for(waiting, 5)).json()
    assert body["status"] == "Failed" and body["error"]["name"] == "JOB_CANCELLED"


def completed_results(sim: Simulator, type_: str) -> list[tuple[SimJob, dict[str, Any]]]:
    now = sim.clock()
    return [
        (j, sim.result(j)) for j in sim.jobs if j.type == type_ and j.status(now) == "Completed"
    ]


def test_usage_in_both_pricing_shapes_with_batch_tier(clock: FakeClock) -> None:
    sim = Simulator(jobs=600, seed=3, clock=clock, arrival_interval=0)
    parses = completed_results(sim, "Parse")
    old = [r["usage"] for j, r in parses if j.created < sim.pricing_cutover]
    new = [r["usage"] for j, r in parses if j.created >= sim.pricing_cutover]
    assert old and new
    for usage in old:
        assert usage["credits"] == sum(usage["credit_breakdown"].values())
        assert "usage_breakdown" not in usage
        pages = usage.get("page_billing_breakdown")
        if pages is not None:  # per-page features agree with the totals
            assert len(pages) == usage["num_pages"] == usage["credit_breakdown"]["page"]
            complex_pages = sum("complex" in f for f in pages.values())
            assert complex_pages == usage["credit_breakdown"]["complex"]
    for usage in new:
        # The newer pricing omits the credit fields and reports raw quantities.
        assert "credits" not in usage and "credit_breakdown" not in usage
        assert usage["usage_breakdown"]["parse_model"] in ("R-1", "Legacy")
    tiers = [u["usage_breakdown"]["tier"] for u in new]
    assert 0 < tiers.count("Batch") < len(tiers)
    batch_configs = [json.loads(j.raw_config)["queue_priority"] for j, _ in parses if j.batch]
    assert batch_configs and set(batch_configs) == {"batch"}
    models = {
        "Split": "split_model",
        "Edit": "edit_model",
        "Extract": "extract_model",
        "Classify": "classify_model",
    }
    for type_, key in models.items():
        results = completed_results(sim, type_)
        assert any("credits" in r["usage"] for j, r in results if not j.new_pricing)
        assert all(key in r["usage"]["usage_breakdown"] for j, r in results if j.new_pricing)


def test_a_few_failure_codes_recur_and_fit_their_job_types(clock: FakeClock) -> None:
    sim = Simulator(jobs=3000, seed=4, clock=clock, arrival_interval=0)
    failed = [j for j in sim.jobs if j.status(clock()) == "Failed"]
    names = Counter(j.failure.name for j in failed if j.failure)
    assert len(names) >= 5 and sum(n for _, n in names.most_common(3)) > len(failed) / 2
    for job in failed[:200]:
        error = sim.detail(job)["error"]
        assert job.failure is not None and error["name"] == job.failure.name
        assert error["message"] and error["code"] >= 400
    by_type = {(j.type, j.failure.name) for j in failed if j.failure}
    assert {t for t, name in by_type if name == "FORM_FILL_FAILED"} == {"Edit"}
    assert {t for t, name in by_type if name == "INVALID_SCHEMA"} <= {"Extract", "Pipeline"}


def test_some_jobs_are_stuck_far_longer_than_usual(clock: FakeClock) -> None:
    sim = Simulator(jobs=2000, seed=6, clock=clock, arrival_interval=0)
    now = clock()
    active = [j for j in sim.jobs if j.status(now) in ("Pending", "Idle", "InProgress")]
    stuck = [j for j in active if now - j.created > 20 * 60]
    assert 1 <= len(stuck) <= len(sim.jobs) * 0.03
    typical = sorted(j.queue_s + j.run_s for j in sim.jobs if not j.batch)
    assert typical[len(typical) // 2] < 120, "a usual job takes about a minute"


async def test_upload_limit_presigned_put_and_delete(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "MAX_UPLOAD_BYTES", 1000)
    async with http(sim) as c:
        big = await c.post("/upload", files={"file": ("big.pdf", b"x" * 1001)})
        assert big.status_code == 413 and big.json()["error"]["name"] == "DOCUMENT_TOO_LARGE"
        small = (await c.post("/upload", files={"file": ("a/b\\c.pdf", b"x" * 10)})).json()
        assert small["file_id"].endswith("/c.pdf") and small["presigned_url"] is None
        # No file in the request: the bytes go to the presigned URL, as for big files.
        bare = (await c.post("/upload", params={"extension": ".png"})).json()
        assert bare["file_id"].endswith("upload.png")
        put_path = bare["presigned_url"].removeprefix("http://demo")
        assert (await c.put(put_path, content=b"y" * 1001)).status_code == 413
        assert (await c.put(put_path, content=b"y" * 500)).status_code == 200
        assert sim.uploads[bare["file_id"]].size == 500
        assert (await c.put("/_demo/uploads/nope", content=b"y")).status_code == 404
        assert (await c.delete(f"/upload/{small['file_id']}")).status_code == 200
        assert (await c.delete(f"/upload/{small['file_id']}")).status_code == 404
