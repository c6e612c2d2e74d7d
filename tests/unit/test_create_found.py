"""Which job a POST that lost its answer is taken to have made (``JobCreator.find_landed``),
read from a job list shaped as Reducto may send it: sources as strings or objects, configs
that are missing, not JSON objects or hold the server's defaults, jobs of other types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import MATCH_WINDOW, JobCreator

SINCE = 1_790_000_000.0
DOC = "reducto://uploads/report.pdf"
BODY: dict[str, Any] = {"input": DOC, "options": {"ocr": "hi_res"}}


def job(job_id: str, *, kind: str = "Parse", source: Any = DOC, config: Any = BODY,
        age: float = 0.0) -> dict[str, Any]:  # fmt: skip
    return {
        "job_id": job_id,
        "status": "Completed",
        "type": kind,
        "created_at": datetime.fromtimestamp(SINCE - age, UTC).isoformat(),
        "source": source,
        "raw_config": None if config is None else json.dumps(config),
    }


def creator(jobs: list[dict[str, Any]]) -> tuple[JobCreator, list[httpx.Request]]:
    """A creator whose server lists ``jobs`` (newest first) and, as Reducto does, leaves
    out their configs unless asked for them with ``exclude_configs=false``."""
    asked: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        limit = int(request.url.params.get("limit", "100"))
        listed = jobs[:limit]
        if request.url.params.get("exclude_configs") != "false":
            listed = [{k: v for k, v in j.items() if k != "raw_config"} for j in listed]
        return httpx.Response(200, json={"jobs": listed, "next_cursor": None})

    client = ReductoClient("k-SECRET", "http://demo.test", transport=httpx.MockTransport(server))
    return JobCreator(client), asked


async def test_the_newest_job_only_this_post_could_have_made_is_taken() -> None:
    made, asked = creator(
        [
            job("already-ours"),
            job("an-extract", kind="Extract"),
            job("nothing-to-tell", source=None, config=None),
            job("other-document", source="reducto://uploads/other.pdf"),
            job("other-options", config={"input": DOC, "options": {"ocr": "fast"}}),
            job("config-not-an-object", config="input"),
            job("ours", source={"file_id": DOC}, config={**BODY, "priority": False}),
            job("older-match", age=MATCH_WINDOW + 5),
        ]
    )
    made.claimed.add("already-ours")
    assert await made.find_landed("parse", BODY, SINCE) == "ours"
    assert [r.url.params["exclude_configs"] for r in asked] == ["false"]


async def test_the_document_alone_or_the_config_alone_is_enough_to_tell() -> None:
    made, _ = creator([job("by-document", config=None)])
    assert await made.find_landed("parse", BODY, SINCE) == "by-document"
    made, _ = creator([job("by-config", source=None)])
    assert await made.find_landed("parse", BODY, SINCE) == "by-config"


async def test_a_job_from_before_the_post_is_not_taken_even_when_it_matches() -> None:
    made, _ = creator([job("too-old", age=MATCH_WINDOW + 1), job("older", age=MATCH_WINDOW + 9)])
    assert await made.find_landed("parse", BODY, SINCE) is None
    made, _ = creator([job("at-the-edge", age=MATCH_WINDOW)])
    assert await made.find_landed("parse", BODY, SINCE) == "at-the-edge"


async def test_an_edit_is_matched_by_its_document_url() -> None:
    body = {"document_url": DOC, "edit_instructions": "Sign on page 2"}
    made, _ = creator([job("an-edit", kind="Edit", config=body)])
    assert await made.find_landed("edit", body, SINCE) == "an-edit"
