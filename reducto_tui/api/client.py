"""An async client for the Reducto Jobs API on one keep-alive ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from reducto_tui import __version__
from reducto_tui.api.errors import (
    BadResponseError,
    NetworkError,
    ReductoError,
    ResultLinkExpiredError,
    ResultTooLargeError,
    TimeoutError_,
    error_for_status,
)
from reducto_tui.api.models import (
    AsyncJobCreated,
    DeleteJobResponse,
    JobDetail,
    JobsResponse,
    SingleJob,
)

DEFAULT_BASE_URL = "https://platform.reducto.ai"
USER_AGENT = f"reducto-tui/{__version__}"
MAX_PAGE_SIZE = 500
LARGE_BODY = 256 * 1024
#: Statuses worth retrying on idempotent calls; other 4xx mean "do not ask again".
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

M = TypeVar("M", bound=BaseModel)
RetryHook = Callable[[ReductoError, float, int], Awaitable[None] | None]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class ReductoClient:
    """Typed calls of the Jobs API.

    Retries 408/429/5xx and connection errors on idempotent calls with capped exponential
    backoff and full jitter; a ``Retry-After`` is honoured up to ``retry_after_cap`` seconds,
    and a longer one is raised as :class:`RateLimitError` so the caller can show the wait.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        user_id: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        retry_after_cap: float = 60.0,
        max_result_bytes: int = 200 * 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_retry: RetryHook | None = None,
    ) -> None:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if user_id:
            headers["user-id"] = user_id
        self._api_key = api_key or ""
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.max_result_bytes = max_result_bytes
        self.timeout = timeout
        self._sleep = sleep
        self.on_retry = on_retry
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # the key must never show up in a repr or a log line
        return f"ReductoClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> ReductoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ calls

    async def list_jobs(
        self, cursor: str | None = None, limit: int = 100, exclude_configs: bool = True
    ) -> JobsResponse:
        params: dict[str, Any] = {
            "limit": max(1, min(MAX_PAGE_SIZE, limit)),
            "exclude_configs": "true" if exclude_configs else "false",
        }
        if cursor:
            params["cursor"] = cursor
        response = await self._request("GET", "/jobs", params=params)
        return _jobs_page(response)

    async def iter_pages(
        self, limit: int = 100, exclude_configs: bool = True, cursor: str | None = None
    ) -> AsyncIterator[JobsResponse]:
        """Every page from ``cursor`` (or the newest) to the last."""
        seen: set[str] = set()
        while True:
            page = await self.list_jobs(cursor, limit, exclude_configs)
            yield page
            cursor = page.next_cursor
            if not cursor or cursor in seen:  # a repeating cursor would loop forever
                return
            seen.add(cursor)

    async def get_job(self, job_id: str, timeout: float | None = None) -> JobDetail:
        """One job with its result; ``timeout`` long-polls until it changes."""
        params: dict[str, Any] = {}
        request_timeout: httpx.Timeout | None = None
        if timeout is not None:
            params["timeout"] = timeout
            request_timeout = httpx.Timeout(self.timeout + timeout, connect=5.0)
        response = await self._request(
            "GET", f"/job/{_path(job_id)}", params=params, job_id=job_id, timeout=request_timeout
        )
        if len(response.content) > LARGE_BODY:
            # Validating megabytes of result takes long enough to stutter the UI.
            return await asyncio.to_thread(_model, JobDetail, response)
        return _model(JobDetail, response)

    async def cancel_job(self, job_id: str) -> Any:
        response = await self._request(
            "POST", f"/cancel/{_path(job_id)}", job_id=job_id, idempotent=False
        )
        return _json(response) if response.content else None

    async def delete_job(self, job_id: str, include_persisted: bool = False) -> DeleteJobResponse:
        response = await self._request(
            "DELETE",
            f"/job/{_path(job_id)}",
            params={"include_persisted": "true" if include_persisted else "false"},
            job_id=job_id,
        )
        if not response.content:
            return DeleteJobResponse(job_id=job_id)
        return _model(DeleteJobResponse, response)

    async def create_job(self, kind: str, body: dict[str, Any]) -> str:
        """``POST /{kind}_async``; answers the new job's id."""
        response = await self._request("POST", f"/{kind}_async", json=body, idempotent=False)
        return _model(AsyncJobCreated, response).job_id

    async def fetch_url_result(
        self, url: str, progress: Callable[[int, int | None], None] | None = None
    ) -> Any:
        """Download a ``UrlResult``'s presigned link (no auth header: it is signed)."""
        if url.startswith("/"):
            url = self.base_url + url
        # The shared client carries no Authorization header (it is added per API call), so the
        # key is never sent to the storage host that signed the link.
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code in (400, 403, 404, 410):
                    raise ResultLinkExpiredError(
                        "The result's download link has expired or is invalid "
                        f"(HTTP {response.status_code}).",
                        hint="Refresh the job to get a fresh link.",
                        status_code=response.status_code,
                    )
                if response.status_code >= 400:
                    raise error_for_status(response.status_code, None)
                total = _int_or_none(response.headers.get("content-length"))
                if total is not None and total > self.max_result_bytes:
                    raise ResultTooLargeError(_too_large(total, self.max_result_bytes))
                chunks: list[bytes] = []
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > self.max_result_bytes:
                        raise ResultTooLargeError(_too_large(received, self.max_result_bytes))
                    chunks.append(chunk)
                    if progress is not None:
                        progress(received, total)
        except httpx.TimeoutException as exc:
            raise TimeoutError_("Downloading the result timed out.") from exc
        except httpx.TransportError as exc:
            raise NetworkError(f"Could not download the result ({type(exc).__name__}).") from exc
        try:
            return await asyncio.to_thread(json.loads, b"".join(chunks))
        except ValueError as exc:
            raise BadResponseError("The downloaded result is not valid JSON.") from exc

    # ------------------------------------------------------------------ plumbing

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        job_id: str | None = None,
        idempotent: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._send(method, path, params, json, timeout)
            except NetworkError as exc:
                # A refused connection was never delivered, so even a POST may be retried.
                safe = idempotent or isinstance(exc.__cause__, httpx.ConnectError)
                if not safe or attempt >= self.max_retries:
                    raise
                await self._pause(exc, self._backoff(attempt), attempt)
                attempt += 1
                continue
            if response.status_code < 400:
                return response
            wait = retry_after_seconds(response.headers.get("retry-after"))
            error = error_for_status(
                response.status_code, _body(response), job_id=job_id, retry_after=wait
            )
            retry = response.status_code in RETRY_STATUSES and (
                idempotent or response.status_code == 429
            )
            if not retry or attempt >= self.max_retries:
                raise error
            if wait is not None and wait > self.retry_after_cap:
                raise error
            await self._pause(error, wait if wait is not None else self._backoff(attempt), attempt)
            attempt += 1

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any,
        timeout: httpx.Timeout | None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        kwargs: dict[str, Any] = {"params": params, "headers": headers}
        if body is not None:
            kwargs["json"] = body
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            return await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TimeoutError_(
                "The server did not answer in time.", hint="Check your network connection."
            ) from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Could not reach {self.base_url} ({type(exc).__name__}).",
                hint="Check your network connection and REDUCTO_BASE_URL.",
            ) from exc

    def _backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))

    async def _pause(self, error: ReductoError, delay: float, attempt: int) -> None:
        if self.on_retry is not None:
            maybe = self.on_retry(error, delay, attempt + 1)
            if maybe is not None:
                await maybe
        await self._sleep(delay)


# ---------------------------------------------------------------------- helpers


def _path(job_id: str) -> str:
    return quote(job_id, safe="")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _too_large(size: int, cap: int) -> str:
    return (
        f"The result is larger than the {cap // (1024 * 1024)} MB download cap "
        f"(at least {size // (1024 * 1024)} MB). Raise max_result_mb in the config to open it."
    )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:300] if response.text else None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        ctype = response.headers.get("content-type", "unknown")
        raise BadResponseError(
            f"The server sent something that is not JSON ({ctype}).",
            hint="Check REDUCTO_BASE_URL points at the Reducto API.",
        ) from exc


def _model(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        if exc.errors() and exc.errors()[0]["type"] == "json_invalid":
            _json(response)  # raises the "not JSON" message
        raise BadResponseError(
            f"The server's answer does not look like a {model.__name__}: "
            f"{exc.errors()[0]['msg'] if exc.errors() else 'invalid'}.",
        ) from exc


def _jobs_page(response: httpx.Response) -> JobsResponse:
    """Validate the whole page at once (fast); on failure, keep every job that is readable."""
    try:
        return JobsResponse.model_validate_json(response.content)
    except ValidationError:
        pass
    data = _json(response)
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise BadResponseError("The job list from the server has no 'jobs' array.")
    jobs: list[SingleJob] = []
    skipped = 0
    for item in data["jobs"]:
        try:
            jobs.append(SingleJob.model_validate(item))
        except ValidationError:
            skipped += 1
    cursor = data.get("next_cursor")
    return JobsResponse(
        jobs=jobs, next_cursor=cursor if isinstance(cursor, str) else None, skipped=skipped
    )
