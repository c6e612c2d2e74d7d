"""The client against the demo server in-process, and against httpx handlers for each failure."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reducto_tui.api.client import ReductoClient, retry_after_seconds
from reducto_tui.api.errors import (
    AuthError,
    BadResponseError,
    ConflictError,
    JobDeletedError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    ResultLinkExpiredError,
    ResultTooLargeError,
    ServerError,
    TimeoutError_,
)
from reducto_tui.api.models import ParseResponse, UrlResult
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client, result_url

KEY = "test-key-SECRET"


def handler_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[ReductoClient, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = ReductoClient(
        KEY, "http://api.test", transport=httpx.MockTransport(handler), sleep=sleep, **kwargs
    )
    return client, slept


async def test_lists_every_page_newest_first_without_duplicates(
    client: ReductoClient, sim: Simulator
) -> None:
    ids: list[str] = []
    created: list[str] = []
    async for page in client.iter_pages(limit=70):
        ids += [j.job_id for j in page.jobs]
        created += [j.created_at or "" for j in page.jobs]
    assert len(ids) == len(set(ids)) == len(sim.jobs)
    assert created == sorted(created, reverse=True)


async def test_exclude_configs_drops_raw_config(client: ReductoClient) -> None:
    with_cfg = await client.list_jobs(limit=5, exclude_configs=False)
    without = await client.list_jobs(limit=5, exclude_configs=True)
    assert all(j.raw_config for j in with_cfg.jobs)
    assert not any(j.raw_config for j in without.jobs)


async def test_get_job_of_each_type_and_cancel(
    client: ReductoClient, sim: Simulator, clock: FakeClock
) -> None:
    seen = set()
    for job in sim.jobs:
        if job.status(clock()) == "Completed" and job.type not in seen:
            detail = await client.get_job(job.job_id)
            assert detail.result is not None and type(detail.result).__name__ != "UnknownResult"
            seen.add(job.type)
    assert seen == {"Parse", "Extract", "Split", "Classify", "Edit", "Pipeline", "Chart"}
    pending = sim.create("Parse", {"input": "https://x/a.pdf"})
    await client.cancel_job(pending.job_id)
    # v1.12.20's GET /job has no Cancelled: a cancelled job reads Failed + JOB_CANCELLED.
    cancelled = await client.get_job(pending.job_id)
    assert cancelled.status == "Failed"
    assert cancelled.error is not None and cancelled.error.name == "JOB_CANCELLED"
    with pytest.raises(ConflictError, match="already Cancelled"):
        await client.cancel_job(pending.job_id)


async def test_delete_answers_409_then_410(
    client: ReductoClient, sim: Simulator, clock: FakeClock
) -> None:
    job = sim.jobs[-1]
    await client.delete_job(job.job_id, include_persisted=True)
    with pytest.raises(JobDeletedError) as deleting:
        await client.get_job(job.job_id)
    assert not deleting.value.gone and deleting.value.status_code == 409
    clock.advance(10)
    with pytest.raises(JobDeletedError) as gone:
        await client.get_job(job.job_id)
    assert gone.value.gone and "has been deleted" in gone.value.message


async def test_unknown_job_says_jobs_expire(client: ReductoClient) -> None:
    with pytest.raises(NotFoundError) as err:
        await client.get_job("no-such-job")
    assert "12 hours" in str(err.value)


async def test_create_job_and_url_result_fetch(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        job_id = await client.create_job("parse", {"input": "https://x/big.pdf"})
        assert job_id in sim.by_id
        big = next(
            j
            for j in sim.jobs
            if j.type == "Parse" and j.num_pages >= 120 and j.status(sim.clock()) == "Completed"
        )
        detail = await client.get_job(big.job_id)
        assert isinstance(detail.result, ParseResponse) and isinstance(
            detail.result.result, UrlResult
        )
        data = await client.fetch_url_result(detail.result.result.url)
        assert len(data["chunks"]) > 10
        expired = re.sub(r"expires=\d+", "expires=1", detail.result.result.url)
        with pytest.raises(ResultLinkExpiredError, match="expired"):
            await client.fetch_url_result(expired)
    async with in_process_client(sim, max_result_bytes=1000) as small:
        fresh = await small.get_job(big.job_id)
        with pytest.raises(ResultTooLargeError, match="larger than the 1000 bytes download cap"):
            await small.fetch_url_result(result_url(fresh))


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (401, AuthError, "REDUCTO_API_KEY"),
        (403, AuthError, "not allowed"),
        (404, NotFoundError, "12 hours"),
        (410, JobDeletedError, "deleted"),
        (422, RequestValidationError, "limit: Input should be less than or equal to 500"),
    ],
)
async def test_http_errors_become_clear_messages(status: int, error: type, words: str) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        body = {
            "detail": [
                {
                    "loc": ["query", "limit"],
                    "msg": "Input should be less than or equal to 500",
                    "type": "x",
                }
            ]
        }
        return httpx.Response(status, json=body if status == 422 else {"detail": "nope"})

    client, _ = handler_client(handler)
    with pytest.raises(error) as err:
        await client.get_job("abc")
    assert words in str(err.value)
    assert len(calls) == 1, "4xx other than 408/429 must not be retried"
    assert KEY not in str(err.value) and KEY not in repr(client)


async def test_429_honours_retry_after_then_succeeds() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow down"}),
        httpx.Response(200, json={"jobs": [], "next_cursor": None}),
    ]
    client, slept = handler_client(lambda r: answers.pop(0))
    page = await client.list_jobs()
    assert page.jobs == [] and slept == [7.0]


async def test_long_retry_after_is_raised_for_the_ui_to_show() -> None:
    client, slept = handler_client(
        lambda r: httpx.Response(429, headers={"Retry-After": "600"}, json={}), retry_after_cap=60
    )
    with pytest.raises(RateLimitError) as err:
        await client.list_jobs()
    assert err.value.retry_after == 600 and slept == [] and "600" in err.value.message


async def test_5xx_is_retried_with_bounded_backoff_then_raised() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, text="<html>upstream down</html>")

    client, slept = handler_client(handler, max_retries=3)
    with pytest.raises(ServerError, match="HTTP 503"):
        await client.get_job("x")
    assert len(calls) == 4 and len(slept) == 3 and all(0 <= s <= 8 for s in slept)


async def test_cancel_is_not_retried_on_5xx() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(500, json={"detail": "boom"})

    client, _ = handler_client(handler)
    with pytest.raises(ServerError):
        await client.cancel_job("x")
    assert calls == ["POST"]


async def test_cancel_is_retried_after_a_429_since_the_server_did_not_act() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "3"}, json={"detail": "slow down"}),
        httpx.Response(200, json={"job_id": "x", "status": "Cancelled"}),
    ]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method + " " + request.url.path)
        return answers.pop(0)

    client, slept = handler_client(handler)
    assert await client.cancel_job("x") == {"job_id": "x", "status": "Cancelled"}
    assert calls == ["POST /cancel/x", "POST /cancel/x"] and slept == [3.0]


async def test_network_errors_and_timeouts() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client, slept = handler_client(refuse)
    with pytest.raises(NetworkError, match="Could not reach"):
        await client.list_jobs()
    assert len(slept) == 2

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, _ = handler_client(slow, max_retries=0)
    with pytest.raises(TimeoutError_, match="did not answer in time"):
        await client.get_job("x")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>login</html>", "not JSON"),
        (b'{"jobs": "nope"}', "no 'jobs' array"),
        (b"[1, 2]", "no 'jobs' array"),
    ],
)
async def test_malformed_answers_are_bad_responses(body: bytes, words: str) -> None:
    client, _ = handler_client(lambda r: httpx.Response(200, content=body))
    with pytest.raises(BadResponseError, match=words):
        await client.list_jobs()


async def test_unreadable_jobs_are_skipped_and_counted() -> None:
    body = {
        "jobs": [{"job_id": "ok", "status": "Mystery", "type": "New"}, {"status": "no id"}, 7],
        "next_cursor": 5,
    }
    client, _ = handler_client(lambda r: httpx.Response(200, json=body))
    page = await client.list_jobs()
    assert [j.job_id for j in page.jobs] == ["ok"] and page.skipped == 2
    assert page.jobs[0].status == "Mystery" and page.next_cursor is None


async def test_requests_carry_auth_user_id_and_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "Pending"})

    client, _ = handler_client(handler, user_id="u-1")
    await client.get_job("a b?c#d")
    request = seen[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-id"] == "u-1"
    assert request.headers["user-agent"].startswith("reducto-tui/")
    assert request.url.raw_path == b"/job/a%20b%3Fc%23d"


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10


async def test_get_job_never_long_polls(sim: Simulator) -> None:
    """The newest spec has no ``timeout``: one plain request, answered at once."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "Pending", "progress": 10})

    client, _ = handler_client(handler)
    assert "timeout" not in inspect.signature(client.get_job).parameters
    detail = await client.get_job("job-1")
    assert detail.status == "Pending" and len(seen) == 1
    assert seen[0].url.query == b""


async def test_an_answer_of_the_wrong_shape_says_what_was_expected() -> None:
    client, _ = handler_client(lambda r: httpx.Response(200, json={"nope": 1}))
    with pytest.raises(BadResponseError) as err:
        await client.create_job("parse", {"input": "https://x/a.pdf"})
    assert err.value.message == (
        "The server's answer does not look like a AsyncJobCreated: Field required."
    )
    slow, _ = handler_client(
        lambda r: httpx.Response(200, content=b'{"job_id": 1' + b"0" * 5000 + b"}")
    )
    with pytest.raises(BadResponseError) as big:
        await slow.create_job("parse", {"input": "https://x/a.pdf"})
    assert big.value.message.startswith(
        "The server's answer does not look like a AsyncJobCreated: "
    )
