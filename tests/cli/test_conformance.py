"""The official reductoai SDK, pointed at the demo server on loopback, understands it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import JobCreator, with_input
from reducto_tui.core.rerun import RerunPlan, fetch_plan, send_plans
from reducto_tui.demo.runner import BackgroundServer
from reducto_tui.demo.server import DEMO_VERSION

reducto = pytest.importorskip("reducto")


async def test_official_sdk_speaks_to_the_demo_server() -> None:
    with BackgroundServer(jobs=120, seed=3, arrival_interval=0) as server:
        sdk = reducto.AsyncReducto(api_key="demo", base_url=server.url, max_retries=0)
        ids = []
        cursor = None
        while True:
            page = (
                await sdk.job.get_all(limit=50, cursor=cursor)
                if cursor
                else await sdk.job.get_all(limit=50)
            )
            ids += [j.job_id for j in page.jobs]
            cursor = page.next_cursor
            if not cursor:
                break
        assert len(ids) == len(set(ids)) == 120
        now = server.simulator.clock()
        seen = set()
        for job in server.simulator.jobs:
            if job.status(now) == "Completed" and job.type not in seen:
                got = await sdk.job.get(job.job_id)
                assert got.status == "Completed" and got.result is not None
                seen.add(job.type)
        assert {"Parse", "Extract", "Split", "Classify", "Edit", "Pipeline"} <= seen
        created = await sdk.parse.run_job(input="https://example.com/doc.pdf")
        assert created.job_id in server.simulator.by_id
        await sdk.job.cancel(created.job_id)
        # v1.12.20 (and the SDK's own model) has no Cancelled on GET /job.
        cancelled = await sdk.job.get(created.job_id)
        assert cancelled.status == "Failed"
        assert cancelled.error is not None and cancelled.error.name == "JOB_CANCELLED"
        # /version is a JSON string; the SDK hands back the body as it came.
        assert json.loads(await sdk.api_version()) == DEMO_VERSION
        await sdk.close()


async def test_official_sdk_uploads_and_creates_every_kind_of_job() -> None:
    with BackgroundServer(jobs=5, seed=8, arrival_interval=0) as server:
        sim = server.simulator
        sdk = reducto.AsyncReducto(api_key="demo", base_url=server.url, max_retries=0)
        upload = await sdk.upload(
            file=("claims batch.pdf", b"%PDF-1.7 " * 40_000, "application/pdf")
        )
        assert upload.file_id.startswith("reducto://") and upload.file_id in sim.uploads
        parsed = await sdk.parse.run_job(input=upload.file_id, queue_priority="batch")
        job = sim.by_id[parsed.job_id]
        assert job.type == "Parse" and job.source == upload.file_id and job.batch
        assert job.num_pages == sim.uploads[upload.file_id].pages > 1
        got = await sdk.job.get(parsed.job_id)
        assert got.status in ("Pending", "Idle")
        doc = upload.file_id
        created = [
            (await sdk.extract.run_job(input=doc, instructions={"schema": {"type": "object"}})),
            (
                await sdk.split.run_job(
                    input=doc, split_description=[{"name": "Claim", "description": "One claim"}]
                )
            ),
            (await sdk.classify.run_job(input=doc)),
            (await sdk.edit.run_job(document_url=doc, edit_instructions="Sign it.")),
            (await sdk.pipeline.run_job(input=doc, pipeline_id="pl_claims")),
        ]
        types = [sim.by_id[c.job_id].type for c in created]
        assert types == ["Extract", "Split", "Classify", "Edit", "Pipeline"]
        listed = await sdk.job.get_all(limit=20)
        assert {c.job_id for c in created} <= {j.job_id for j in listed.jobs}
        with pytest.raises(reducto.UnprocessableEntityError):
            await sdk.split.run_job(input=doc, split_description=[{"name": "no description"}])
        await sdk.close()


async def test_a_job_the_sdk_made_is_rerun_by_us_and_read_back_by_the_sdk(tmp_path: Path) -> None:
    """Our upload (hand-built multipart, and presigned) and re-run speak the SDK's API."""
    with BackgroundServer(jobs=5, seed=9, arrival_interval=0) as server:
        sim = server.simulator
        sdk = reducto.AsyncReducto(api_key="demo", base_url=server.url, max_retries=0)
        bare = await sdk.upload(extension="pdf")  # no file: the presigned way
        assert bare.presigned_url and bare.file_id.endswith(".pdf")
        made = await sdk.parse.run_job(input=bare.file_id, queue_priority="batch")
        async with ReductoClient("demo", server.url) as client:
            plan = await fetch_plan(client, made.job_id)
            assert plan.endpoint == "POST /parse_async"
            assert plan.body == {"input": bare.file_id, "queue_priority": "batch"}
            creator = JobCreator(client, presign_above=1000)
            doc = tmp_path / "scan.pdf"
            doc.write_bytes(b"%PDF-1.7 " * 1000)
            uploaded = await creator.upload(doc)
            assert uploaded.presigned and sim.uploads[uploaded.file_id].size == 9000
            [result] = await send_plans(creator, [with_input_plan(plan, uploaded.file_id)])
        assert result.new_id is not None
        again = await sdk.job.get(result.new_id)
        assert again.status in ("Pending", "Idle")
        assert sim.by_id[result.new_id].source == uploaded.file_id
        await sdk.close()


def with_input_plan(plan: RerunPlan, document: str) -> RerunPlan:
    assert plan.kind is not None and plan.body is not None
    return replace(plan, body=with_input(plan.kind, plan.body, document))
