"""The demo server's real answers validate against Reducto's v1.12.20 OpenAPI spec.

Every job state the simulator makes is reached (queued, idle, running, completing, completed
of every type, failed, cancelled, deleting, deleted, unknown), for several seeds, and each
answer is checked against the schema the spec declares for that path, method and status.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from reducto_tui.demo.server import DELETE_CLEANUP_S, Extras, create_app
from reducto_tui.demo.simulator import JOB_TYPES, Simulator
from tests.conftest import FakeClock
from tests.spec.openapi import check_component, check_request, check_response

LIST_STATUSES = {"Pending", "Idle", "InProgress", "Completing", "Completed", "Failed", "Cancelled"}
DETAIL_STATUSES = {"Pending", "Idle", "Completed", "Failed"}
ASYNC_KINDS = ("parse", "extract", "split", "classify", "edit", "pipeline")


class Checked:
    """An in-process client that validates every answer it gets against the spec."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.problems: list[str] = []

    async def call(self, method: str, url: str, spec_path: str, **kw: Any) -> httpx.Response:
        r = await self.http.request(method, url, **kw)
        declared = r.status_code in (200, 202, 422)
        if declared:
            for problem in check_response(spec_path, method, r.status_code, r.json()):
                self.problems.append(f"{method} {url} -> {r.status_code} {problem}")
        else:
            # 4xx outside the spec's list: the body's ``error`` is the spec's ErrorDetail.
            body = r.json()
            assert isinstance(body, dict) and isinstance(body.get("detail"), str), body
            if "error" in body:
                for problem in check_component("ErrorDetail", body["error"]):
                    self.problems.append(f"{method} {url} -> {r.status_code} error {problem}")
        return r

    async def job(self, job_id: str) -> httpx.Response:
        return await self.call("GET", f"/job/{job_id}", "/job/{job_id}")

    async def list_all(self, limit: int, exclude_configs: bool) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": limit, "exclude_configs": exclude_configs}
        while True:
            r = await self.call("GET", "/jobs", "/jobs", params=params)
            assert r.status_code == 200
            jobs += r.json()["jobs"]
            if not r.json()["next_cursor"]:
                return jobs
            params["cursor"] = r.json()["next_cursor"]


@asynccontextmanager
async def checked(sim: Simulator, extras: Extras | None = None) -> AsyncIterator[Checked]:
    transport = httpx.ASGITransport(app=create_app(sim, extras=extras))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
        yield Checked(http)


@pytest.mark.parametrize("seed", range(4))
async def test_every_list_page_and_every_job_validates(seed: int) -> None:
    clock = FakeClock()
    sim = Simulator(jobs=160, seed=seed, clock=clock, arrival_interval=0)
    list_seen: set[str] = set()
    detail_seen: set[str] = set()
    completed_types: set[str] = set()
    async with checked(sim) as api:
        for exclude in (True, False):
            listed = await api.list_all(limit=37, exclude_configs=exclude)
            assert len(listed) == 160
            list_seen |= {j["status"] for j in listed}
        for job in sim.jobs:
            r = await api.job(job.job_id)
            assert r.status_code == 200
            body = r.json()
            detail_seen.add(body["status"])
            internal = job.status(clock())
            if internal == "Completed":
                completed_types.add(job.type)
                assert body["result"] is not None
            if internal == "Cancelled":
                assert body["status"] == "Failed" and body["error"]["name"] == "JOB_CANCELLED"
            if internal in ("InProgress", "Completing"):
                assert body["status"] == "Pending" and 0 <= body["progress"] <= 100
        assert not api.problems, "\n".join(api.problems[:20])
    assert detail_seen <= DETAIL_STATUSES
    assert {"Completed", "Failed"} <= detail_seen
    assert {"Completed", "Failed", "Cancelled"} <= list_seen <= LIST_STATUSES
    assert completed_types >= {"Parse", "Extract", "Split"}


async def test_created_jobs_validate_through_their_whole_life() -> None:
    """Jobs of every async kind, watched second by second from creation to the end."""
    clock = FakeClock()
    sim = Simulator(jobs=20, seed=9, clock=clock, arrival_interval=0)
    list_seen: set[str] = set()
    detail_seen: set[str] = set()
    async with checked(sim) as api:
        ids = []
        for n in range(3):
            for kind in ASYNC_KINDS:
                body = {**GOOD_BODIES[kind], "async": {"metadata": {"n": n}}}
                r = await api.call("POST", f"/{kind}_async", f"/{kind}_async", json=body)
                assert r.status_code == 200
                ids.append(r.json()["job_id"])
        finished: set[str] = set()
        for _ in range(400):
            for job_id in ids:
                if job_id in finished:
                    continue
                body = (await api.job(job_id)).json()
                detail_seen.add(body["status"])
                list_seen.add(sim.by_id[job_id].status(clock()))
                if body["status"] in ("Completed", "Failed"):
                    finished.add(job_id)
            listed = (await api.call("GET", "/jobs", "/jobs", params={"limit": 30})).json()
            list_seen |= {j["status"] for j in listed["jobs"]}
            if len(finished) == len(ids):
                break
            clock.advance(1.0)
        assert finished == set(ids), "every created job finishes"
        assert not api.problems, "\n".join(api.problems[:20])
    assert {"Pending", "InProgress", "Completing", "Completed"} <= list_seen
    assert detail_seen <= DETAIL_STATUSES


async def test_every_type_completes_and_validates() -> None:
    """Look for a completed job of each of the seven types across seeds."""
    clock = FakeClock()
    found: dict[str, int] = {}
    for seed in range(20):
        sim = Simulator(jobs=60, seed=seed, clock=clock, arrival_interval=0)
        async with checked(sim) as api:
            for job in sim.jobs:
                if job.status(clock()) == "Completed" and found.get(job.type, 0) < 3:
                    body = (await api.job(job.job_id)).json()
                    assert body["result"]["job_id"] == job.job_id or job.type == "Pipeline"
                    found[job.type] = found.get(job.type, 0) + 1
            assert not api.problems, "\n".join(api.problems[:20])
        if len(found) == len(set(JOB_TYPES)) and min(found.values()) >= 3:
            break
    assert set(found) == set(JOB_TYPES)


async def test_cancel_delete_unknown_and_version_validate(sim: Simulator, clock: FakeClock) -> None:
    async with checked(sim) as api:
        created = await api.call(
            "POST", "/extract_async", "/extract_async", json={"input": "https://x/a.pdf"}
        )
        job_id = created.json()["job_id"]
        r = await api.call("POST", f"/cancel/{job_id}", "/cancel/{job_id}")
        assert r.status_code == 200
        body = (await api.job(job_id)).json()
        assert body["status"] == "Failed" and body["error"]["name"] == "JOB_CANCELLED"
        listed = await api.list_all(limit=500, exclude_configs=True)
        assert next(j for j in listed if j["job_id"] == job_id)["status"] == "Cancelled"
        again = await api.call("POST", f"/cancel/{job_id}", "/cancel/{job_id}")
        assert again.status_code == 400 and again.json()["error"]["name"] == "JOB_STATE_ERROR"

        gone = sim.jobs[5].job_id
        r = await api.call(
            "DELETE", f"/job/{gone}", "/job/{job_id}", params={"include_persisted": "true"}
        )
        assert r.status_code == 202 and r.json() == {"job_id": gone}
        r = await api.job(gone)
        assert r.status_code == 409 and r.json()["error"]["name"] == "JOB_DELETION_IN_PROGRESS"
        clock.advance(DELETE_CLEANUP_S + 0.1)
        r = await api.job(gone)
        assert r.status_code == 410 and r.json()["error"]["name"] == "JOB_DELETED"
        assert (await api.call("POST", f"/cancel/{gone}", "/cancel/{job_id}")).status_code == 410

        assert (await api.job("no-such-job")).status_code == 404
        r = await api.call("DELETE", "/job/no-such-job", "/job/{job_id}")
        assert r.status_code == 404

        version = await api.call("GET", "/version", "/version")
        assert version.status_code == 200 and isinstance(version.json(), str)
        assert not api.problems, "\n".join(api.problems)


@pytest.mark.parametrize(
    ("method", "url", "spec_path", "kw", "loc"),
    [
        ("GET", "/jobs", "/jobs", {"params": {"limit": "0"}}, ["query", "limit"]),
        ("GET", "/jobs", "/jobs", {"params": {"limit": "501"}}, ["query", "limit"]),
        ("GET", "/jobs", "/jobs", {"params": {"limit": "ten"}}, ["query", "limit"]),
        ("GET", "/jobs", "/jobs", {"params": {"cursor": "garbage!"}}, ["query", "cursor"]),
        ("GET", "/jobs", "/jobs", {"params": {"exclude_configs": "maybe"}}, None),
        ("DELETE", "/job/x", "/job/{job_id}", {"params": {"include_persisted": "?"}}, None),
        ("POST", "/parse_async", "/parse_async", {"json": {"nothing": 1}}, ["body", "input"]),
        ("POST", "/split_async", "/split_async", {"content": b"{not json"}, None),
    ],
)
async def test_bad_input_is_422_in_the_spec_shape(
    sim: Simulator,
    method: str,
    url: str,
    spec_path: str,
    kw: dict[str, Any],
    loc: list[str] | None,
) -> None:
    async with checked(sim) as api:
        r = await api.call(method, url, spec_path, **kw)
        assert r.status_code == 422
        assert not api.problems, api.problems
        if loc is not None:
            assert r.json()["detail"][0]["loc"] == loc


async def test_the_validator_rejects_what_the_spec_forbids(sim: Simulator) -> None:
    """Guards the checks above: the old demo's answers fail them."""
    assert check_response("/job/{job_id}", "get", 200, {"status": "InProgress"})
    assert check_response("/job/{job_id}", "get", 200, {"status": "Cancelled"})
    assert check_response("/version", "get", 200, {"version": "demo"})
    assert check_response("/jobs", "get", 200, {"jobs": [{"job_id": "x", "status": "Pending"}]})
    job: dict[str, object] = {"job_id": "x", "status": "Pending", "type": "Parse"}
    job |= {"raw_config": "", "source": None}
    job |= {"num_pages": 1, "total_pages": 1, "duration": None, "bucket": None}
    assert not check_response(
        "/jobs", "get", 200, {"jobs": [{**job, "created_at": "2026-03-01T12:00:00Z"}]}
    )
    assert check_response("/jobs", "get", 200, {"jobs": [{**job, "created_at": "yesterday"}]})
    assert check_response("/jobs", "get", 200, {"jobs": [{**job, "created_at": "2026-03-01"}]})
    assert check_component("ErrorDetail", {"code": 499, "name": "CANCELLED", "message": "x"})
    # The older statuses on GET /job are an opt-in extra, and that extra leaves the spec.
    running = next(j for j in sim.jobs if j.status(sim.clock()) == "InProgress")
    async with checked(sim, Extras(extended_statuses=True)) as api:
        await api.job(running.job_id)
        assert api.problems and "InProgress" in api.problems[0]


@pytest.mark.parametrize("seed", range(3))
def test_every_jobs_raw_config_is_a_valid_request_for_its_kind(seed: int) -> None:
    """Re-running a job sends its raw_config back to its kind's *_async path."""
    sim = Simulator(jobs=200, seed=seed, clock=FakeClock(), arrival_interval=0)
    checked_types = set()
    for job in sim.jobs:
        if job.type == "Chart":  # v1.12.20 has no /chart_async
            continue
        path = f"/{job.type.lower()}_async"
        assert not check_request(path, "post", json.loads(job.raw_config)), job.raw_config
        checked_types.add(job.type)
    assert checked_types == set(JOB_TYPES) - {"Chart"}


GOOD_BODIES: dict[str, dict[str, Any]] = {
    "parse": {"input": "https://x/a.pdf"},
    "extract": {"input": "https://x/a.pdf", "instructions": {"schema": {"type": "object"}}},
    "split": {"input": "https://x/a.pdf", "split_description": [{"name": "A", "description": "a"}]},
    "classify": {"input": "https://x/a.pdf"},
    "edit": {"document_url": "https://x/a.pdf", "edit_instructions": "Fill it in."},
    "pipeline": {"input": "https://x/a.pdf", "pipeline_id": "pl_1"},
}
#: Changes to a good body: some the spec accepts, most it refuses.
VARIANTS: list[tuple[str, Any]] = [
    ("input", ["https://x/a.pdf", "https://x/b.pdf"]),
    ("input", {"file_id": "reducto://abc/a.pdf", "presigned_url": None}),
    ("input", {"file_id": "reducto://abc/a.pdf"}),
    ("input", None),
    ("input", 42),
    ("input", ["https://x/a.pdf", 7]),
    ("input", {"presigned_url": "https://x"}),
    ("input", {"file_id": 5}),
    ("input", {"file_id": "reducto://abc/a.pdf", "presigned_url": 5}),
    ("document_url", {"file_id": "reducto://abc/a.pdf"}),
    ("document_url", ["https://x/a.pdf"]),
    ("document_url", 3),
    ("edit_instructions", 3),
    ("split_description", []),
    ("split_description", "invoices"),
    ("split_description", [{"name": "A"}]),
    ("split_description", [{"name": 1, "description": "a"}]),
    ("split_description", ["A"]),
    ("pipeline_id", 12),
    ("queue_priority", "batch"),
    ("queue_priority", "standard"),
    ("queue_priority", "urgent"),
    ("async", {"metadata": {"k": "v"}, "priority": True}),
    ("async", "yes"),
    ("async", {"priority": "maybe"}),
    ("async", {"webhook": 3}),
    ("async", {"webhook": None, "metadata": [1]}),
]
#: Each kind's own optional fields, right and wrong (the spec types every top-level field).
KIND_VARIANTS: dict[str, list[tuple[str, Any]]] = {
    "parse": [("settings", 3), ("settings", {}), ("enhance", 5), ("formatting", "x"),
              ("retrieval", []), ("spreadsheet", {"clustering": "fast"})],
    "extract": [("instructions", "text"), ("instructions", {"schema": {}}), ("parsing", 5),
                ("settings", 3)],
    "split": [("split_rules", 5), ("split_rules", "by invoice"), ("parsing", 5),
              ("split_description", [{"name": "a", "description": "b", "partition_key": 5}]),
              ("split_description", [{"name": "a", "description": "b", "partition_key": "k"}])],
    "classify": [("classification_schema", [{"category": "a"}]),
                 ("classification_schema", [{"category": "a", "criteria": ["x"]}]),
                 ("classification_schema", "x"),
                 ("classification_schema", [{"category": "a", "criteria": "x"}]),
                 ("classification_schema", [{"category": "a", "criteria": [1]}]),
                 ("model", "fast"), ("model", "accurate"), ("priority", "yes"),
                 ("priority", False), ("force_url_result", "x"), ("page_range", "x"),
                 ("page_range", None), ("page_range", [1, 2]), ("document_metadata", 5),
                 ("document_metadata", None), ("category_groups", {"a": "b"}),
                 ("category_groups", {"a": ["b"]})],
    "edit": [("priority", "yes"), ("edit_options", 5), ("form_schema", 5),
             ("form_schema", None), ("webhook", 5), ("webhook", {"mode": "x"}),
             ("webhook", {"mode": "direct", "url": "https://x"})],
    "pipeline": [("settings", 3), ("settings", {})],
}  # fmt: skip


def bodies_for(kind: str) -> list[Any]:
    good = GOOD_BODIES[kind]
    out: list[Any] = [good, [good], "text", {}]
    out += [{k: v for k, v in good.items() if k != field} for field in good]
    for field, value in VARIANTS:
        if field in good or field in ("queue_priority", "async"):
            out.append({**good, field: value})
    out += [{**good, field: value} for field, value in KIND_VARIANTS[kind]]
    return out


@pytest.mark.parametrize("kind", ASYNC_KINDS)
async def test_async_paths_accept_exactly_what_the_spec_accepts(kind: str) -> None:
    sim = Simulator(jobs=5, seed=1, clock=FakeClock(), arrival_interval=0)
    path = f"/{kind}_async"
    accepted = refused = 0
    async with checked(sim) as api:
        for body in bodies_for(kind):
            valid = not check_request(path, "post", body)
            r = await api.call("POST", path, path, json=body)
            assert r.status_code == (200 if valid else 422), (body, r.json())
            if valid:
                accepted += 1
                job = sim.by_id[r.json()["job_id"]]
                assert job.type.lower() == kind and json.loads(job.raw_config) == body
            else:
                refused += 1
        assert not api.problems, "\n".join(api.problems)
    assert accepted >= 3 and refused >= 5


async def test_upload_then_create_validates(sim: Simulator) -> None:
    async with checked(sim) as api:
        files = {"file": ("scan.pdf", b"%PDF-1.7 " * 5000, "application/pdf")}
        up = await api.call("POST", "/upload", "/upload", files=files)
        assert up.status_code == 200
        file_id = up.json()["file_id"]
        assert file_id.startswith("reducto://") and file_id.endswith("scan.pdf")
        for body in ({"input": file_id}, {"input": up.json()}):
            r = await api.call("POST", "/parse_async", "/parse_async", json=body)
            assert r.status_code == 200 and sim.by_id[r.json()["job_id"]].source == file_id
        bare = await api.call("POST", "/upload", "/upload", params={"extension": "docx"})
        assert bare.json()["presigned_url"] and bare.json()["file_id"].endswith(".docx")
        r = await api.call("DELETE", f"/upload/{file_id}", "/upload/{file_id}")
        assert r.status_code == 200 and r.json() == {"file_id": file_id}
        assert not api.problems, "\n".join(api.problems)
