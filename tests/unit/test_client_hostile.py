"""The client against the hostile server on loopback: nothing holds it, grows it, or escapes it."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reducto_tui.api.client import MB, ReductoClient, retry_after_seconds
from reducto_tui.api.errors import (
    AuthError,
    BadResponseError,
    DeadlineError,
    InsecureConnectionError,
    InvalidRequestError,
    JobDeletedError,
    NetworkError,
    NotFoundError,
    ResponseTooLargeError,
    ResultTooLargeError,
    ServerError,
)
from reducto_tui.api.models import ParseResponse, UrlResult
from reducto_tui.demo.hostile import CASES, NASTY_IDS, HostileServer, create_app
from reducto_tui.demo.server import create_app as create_demo
from reducto_tui.demo.simulator import Simulator
from tests.conftest import result_url

KEY = "hostile-SECRET-key"
#: Old code hung forever on these servers; a test must fail rather than hang with it.
GUARD = 15.0


@pytest.fixture
def drip() -> Iterator[HostileServer]:
    with HostileServer(jobs_case="drip", drip_interval=0.2) as server:
        yield server


@pytest.fixture
def endless() -> Iterator[HostileServer]:
    with HostileServer(jobs_case="endless") as server:
        yield server


async def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(
    drip: HostileServer,
) -> None:
    ages: list[float] = []
    async with ReductoClient(KEY, drip.url, request_deadline=1.5, max_retries=2) as client:
        assert client.oldest_inflight_age() is None

        async def watch() -> None:
            while True:
                await asyncio.sleep(0.1)
                age = client.oldest_inflight_age()
                if age is not None:
                    ages.append(age)

        watcher = asyncio.create_task(watch())
        start = time.monotonic()
        with pytest.raises(DeadlineError, match="longer than 2 s"):
            await asyncio.wait_for(client.list_jobs(), GUARD)
        took = time.monotonic() - start
        watcher.cancel()
        assert 1.4 < took < 4, "one deadline, and a dripped-out request is not retried"
        # While it waited, the UI could say "waiting for the server (1 s)".
        assert ages and max(ages) > 1.0
        assert client.oldest_inflight_age() is None
        with pytest.raises(DeadlineError):
            await asyncio.wait_for(client.get_job("drip"), GUARD)


async def test_an_endless_job_list_stops_at_its_cap_with_memory_near_it(
    endless: HostileServer,
) -> None:
    cap = 2 * 1024 * 1024
    async with ReductoClient(KEY, endless.url, max_page_bytes=cap) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError, match="too large") as err:
                await asyncio.wait_for(client.list_jobs(), GUARD)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "2 MB" in err.value.message
    assert err.value.hint == "Raise max_page_mb / max_job_mb in the config if this is expected."
    assert peak < 4 * cap, f"peak {peak / 2**20:.1f} MB for a 2 MB cap"


async def test_an_endless_job_body_stops_at_its_own_cap(endless: HostileServer) -> None:
    async with ReductoClient(KEY, endless.url, max_job_bytes=1024 * 1024) as client:
        with pytest.raises(ResponseTooLargeError, match="1 MB cap"):
            await asyncio.wait_for(client.get_job("endless"), GUARD)
        # The cap is per kind of body: a good job on the same server still loads.
        assert (await client.get_job("good-1")).status == "Completed"


# ---------------------------------------------------------------- in-process hostile answers


def hostile_client(jobs_case: str = "normal", **kwargs: Any) -> ReductoClient:
    """The hostile app in-process: enough for every case whose body has an end."""
    transport = httpx.ASGITransport(app=create_app(jobs_case))
    return ReductoClient(KEY, "http://hostile.test", transport=transport, **kwargs)


@pytest.mark.parametrize(
    ("jobs_case", "words"),
    [("deep", "nested too deeply"), ("bad-gzip", "corrupt and cannot be decoded")],
)
async def test_unreadable_bodies_are_typed_errors(jobs_case: str, words: str) -> None:
    async with hostile_client(jobs_case) as client:
        with pytest.raises(BadResponseError, match=words):
            await client.list_jobs()
    async with hostile_client() as client:
        with pytest.raises(BadResponseError, match=words):
            await client.get_job(jobs_case)


async def test_a_5000_digit_number_degrades_only_its_field() -> None:
    async with hostile_client("huge-int") as client:
        page = await client.list_jobs()
        assert [j.job_id for j in page.jobs] == ["huge-int", "good-1", "good-2", "good-3"]
        assert page.jobs[0].num_pages is None and page.jobs[1].num_pages == 2
        detail = await client.get_job("huge-int")
        assert detail.status == "Completed" and detail.num_pages is None
        assert detail.duration == 3.5


async def test_the_hostile_list_keeps_every_job() -> None:
    async with hostile_client() as client:
        page = await client.list_jobs()
    ids = {j.job_id for j in page.jobs}
    assert {"good-1", "good-2", "good-3", *NASTY_IDS, *CASES} == ids and page.skipped == 0


@pytest.mark.parametrize(("job_id", "gone"), [("deleting", False), ("deleted", True)])
async def test_409_and_410_say_the_job_is_being_or_was_deleted(job_id: str, gone: bool) -> None:
    async with hostile_client() as client:
        with pytest.raises(JobDeletedError) as err:
            await client.get_job(job_id)
    assert err.value.gone is gone


@pytest.mark.parametrize("job_id", ["..", ".", "", "a/b", "/", "../jobs", "a\\b"])
async def test_ids_that_are_paths_are_refused_before_sending(job_id: str, sim: Simulator) -> None:
    sent: list[str] = []

    class Counting(httpx.ASGITransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(str(request.url))
            return await super().handle_async_request(request)

    async with ReductoClient(KEY, "http://demo.test", transport=Counting(create_demo(sim))) as c:
        for call in (c.get_job, c.cancel_job, c.delete_job):
            with pytest.raises(InvalidRequestError, match="Refusing to send the job id"):
                await call(job_id)
        assert sent == []
        weird = sim.jobs[0].job_id
        assert (await c.get_job(weird)).status  # ordinary ids still go through
        with pytest.raises(NotFoundError):
            await c.get_job("%2e%2e")  # percent signs are encoded, not decoded into dots
    assert sent[-1].endswith("/job/%252e%252e")


async def test_an_api_redirect_is_not_followed_with_the_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "https://elsewhere.example/jobs"})

    async with ReductoClient(KEY, "https://api.test", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(BadResponseError, match="redirected") as err:
            await c.list_jobs()
    assert len(seen) == 1 and "elsewhere.example" in err.value.hint


# ---------------------------------------------------------------- URL results


async def test_url_results_follow_a_few_redirects_under_the_same_rules() -> None:
    async with hostile_client() as client:
        detail = await client.get_job("redirect")
        assert isinstance(detail.result, ParseResponse)
        assert isinstance(detail.result.result, UrlResult)
        data = await client.fetch_url_result(detail.result.result.url)
        assert data["chunks"][0]["content"] == "hello"
        loop = await client.get_job("redirect-loop")
        with pytest.raises(BadResponseError, match="more than 5 times"):
            await client.fetch_url_result(result_url(loop))
        away = await client.get_job("redirect-http")
        with pytest.raises(InsecureConnectionError, match="must use https"):
            await client.fetch_url_result(result_url(away))


@pytest.mark.parametrize(
    "url",
    ["http://storage.example/r.json", "ftp://storage.example/r.json", "file:///etc/passwd"],
)
async def test_url_results_need_https(url: str) -> None:
    async with hostile_client() as client:
        with pytest.raises(InsecureConnectionError, match="https"):
            await client.fetch_url_result(url)


async def test_the_presigned_host_never_sees_the_key_or_user_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.test":
            return httpx.Response(200, json={"jobs": [], "next_cursor": None})
        return httpx.Response(200, json={"chunks": []})

    transport = httpx.MockTransport(handler)
    async with ReductoClient(KEY, "https://api.test", user_id="u-1", transport=transport) as c:
        await c.list_jobs()
        assert await c.fetch_url_result("https://bucket.example/r?sig=1") == {"chunks": []}
    api, storage = seen
    assert api.headers["user-id"] == "u-1" and "authorization" in api.headers
    assert "user-id" not in storage.headers and "authorization" not in storage.headers


async def test_an_endless_url_result_stops_at_max_result_bytes() -> None:
    with HostileServer() as server:
        async with ReductoClient(KEY, server.url, max_result_bytes=MB) as client:
            detail = await client.get_job("big-result")
            with pytest.raises(ResultTooLargeError, match="max_result_mb"):
                await asyncio.wait_for(
                    client.fetch_url_result(result_url(detail)),
                    GUARD,
                )


async def test_a_dripping_url_result_stops_at_the_download_deadline() -> None:
    with HostileServer(drip_interval=0.2) as server:
        async with ReductoClient(KEY, server.url, download_deadline=1.0) as client:
            detail = await client.get_job("drip-result")
            with pytest.raises(DeadlineError, match="to send the result"):
                await asyncio.wait_for(
                    client.fetch_url_result(result_url(detail)),
                    GUARD,
                )
            assert client.oldest_inflight_age() is None


# ---------------------------------------------------------------- keys, URLs, version


async def test_a_key_that_cannot_be_sent_is_an_auth_error_without_the_key() -> None:
    async with hostile_client() as good:
        assert (await good.get_job("good-1")).status == "Completed"
    secret = "clé-SECRET"
    client = ReductoClient(
        secret, "http://hostile.test", transport=httpx.ASGITransport(create_app())
    )
    with pytest.raises(AuthError, match="cannot be sent") as err:
        await client.list_jobs()
    assert secret not in str(err.value) and secret not in repr(err.value)


async def test_a_key_with_a_trailing_newline_is_sent_without_it() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"jobs": []})

    async with ReductoClient(
        KEY + "\n", "https://api.test", transport=httpx.MockTransport(handler)
    ) as c:
        await c.list_jobs()
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"


async def test_network_errors_never_show_credentials_in_the_url() -> None:
    async with ReductoClient(KEY, f"http://user:{KEY}@127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(NetworkError, match=r"Could not reach http://127\.0\.0\.1:9") as err:
            await client.list_jobs()
        assert KEY not in repr(client)
    assert KEY not in str(err.value)


async def test_an_invalid_base_url_is_a_typed_error() -> None:
    async with ReductoClient(KEY, "http://[::1") as client:
        with pytest.raises(InvalidRequestError, match="not a valid URL"):
            await client.list_jobs()


async def test_version_is_the_json_string() -> None:
    async with hostile_client() as client:
        assert (await client.version()).startswith("1.12.20-hostile")


def test_retry_after_is_bounded() -> None:
    assert retry_after_seconds("0") == 1.0
    assert retry_after_seconds("-5") == 1.0
    assert retry_after_seconds("1e12") == retry_after_seconds("inf") == 3600
    assert retry_after_seconds("nan") is None
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT") == 3600
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:00 GMT") == 1.0


async def test_retry_after_zero_still_waits_and_the_error_carries_the_wait() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(503, headers={"Retry-After": "1e12"}),
    ]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    transport = httpx.MockTransport(lambda r: answers.pop(0))
    async with ReductoClient(KEY, "https://api.test", transport=transport, sleep=sleep) as c:
        with pytest.raises(ServerError) as err:
            await c.list_jobs()
    # Retry-After reads as 1 s at least; a retry also keeps the 2 s polite minimum.
    assert slept == [2.0], "Retry-After: 0 must not mean hammering"
    assert err.value.retry_after == 3600, "an absurd wait is capped, and raised to show"


async def test_the_404_hint_does_not_claim_every_job_dies_at_12_hours() -> None:
    async with hostile_client() as client:
        with pytest.raises(NotFoundError) as err:
            await client.get_job("no-such-job")
    assert "persist_results" in err.value.hint
    assert "deletes jobs 12 hours after" not in str(err.value)
