"""Planning a re-run when ``GET /job`` says only what the spec promises (status and result,
no type or config): the type and config are looked up in the job list, a few pages deep."""

from __future__ import annotations

import json
from typing import Any

import httpx

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.rerun import CONFIG_PAGES, fetch_plan, plan_from

CONFIG = {"input": "https://x/a.pdf", "options": {"ocr": "hi_res"}}
CREATED = "2026-12-07T20:00:00+00:00"


def server(target_page: int | None, pages: int = 8) -> tuple[ReductoClient, list[httpx.URL]]:
    """A bare job endpoint, and a list of ``pages`` pages with the job on ``target_page``."""
    asked: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        if request.url.path.startswith("/job/"):
            return httpx.Response(200, json={"status": "Failed"})
        n = int(request.url.params.get("cursor") or 0)
        jobs: list[dict[str, Any]] = [
            {"job_id": f"other-{n}", "status": "Completed", "type": "Split"}
        ]
        if n == target_page:
            jobs.append({"job_id": "wanted", "status": "Failed", "type": "Parse",
                         "raw_config": json.dumps(CONFIG), "created_at": CREATED})  # fmt: skip
        nxt = str(n + 1) if n + 1 < pages else None
        return httpx.Response(200, json={"jobs": jobs, "next_cursor": nxt})

    return ReductoClient(
        "k-SECRET", "http://api.test", transport=httpx.MockTransport(answer)
    ), asked


async def test_the_type_and_config_are_found_in_the_job_list() -> None:
    client, asked = server(target_page=CONFIG_PAGES - 1)
    plan = await fetch_plan(client, "wanted")
    assert plan.ready and (plan.kind, plan.body) == ("parse", CONFIG)
    assert (plan.created_at, plan.status) == (CREATED, "Failed")
    lists = [u for u in asked if u.path == "/jobs"]
    assert len(lists) == CONFIG_PAGES
    assert all(u.params["limit"] == "500" and u.params["exclude_configs"] == "false" for u in lists)


async def test_the_list_is_read_only_a_few_pages_deep() -> None:
    client, asked = server(target_page=CONFIG_PAGES)
    plan = await fetch_plan(client, "wanted")
    assert not plan.ready and plan.status == "Failed"
    assert plan.problem == "A unknown job cannot be re-run: the API has no *_async path for it."
    assert len([u for u in asked if u.path == "/jobs"]) == CONFIG_PAGES


def test_plans_say_why_a_job_cannot_be_re_run() -> None:
    assert plan_from("a", "Parse", None, status="Completed").problem == (
        "The server did not send this job's config (raw_config)."
    )
    assert plan_from("b", "Parse", None, status="Completed").status == "Completed"
    assert plan_from("c", None, "{}").problem == (
        "A unknown job cannot be re-run: the API has no *_async path for it."
    )
    assert plan_from("d", "Chart", "{}").problem == (
        "A Chart job cannot be re-run: the API has no *_async path for it."
    )
