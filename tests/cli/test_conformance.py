"""The official reductoai SDK, pointed at the demo server on loopback, understands it."""

from __future__ import annotations

import json

import pytest

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
