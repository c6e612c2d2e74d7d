"""An async client for the Reducto Jobs API on one keep-alive ``httpx.AsyncClient``.

Every failure leaves this module as a :class:`ReductoError` with a sentence a person can act
on: nothing a server sends (a body that never ends, one that drips a byte at a time, JSON
nested past any stack, bad gzip, a redirect) may crash a caller or hold it forever.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import ipaddress
import json
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from reducto_tui import __version__
from reducto_tui.api.errors import (
    AuthError,
    BadResponseError,
    ConflictError,
    DeadlineError,
    InsecureConnectionError,
    InvalidRequestError,
    NetworkError,
    ReductoError,
    ResponseTooLargeError,
    ResultLinkExpiredError,
    ResultTooLargeError,
    ServerError,
    TimeoutError_,
    error_for_status,
)
from reducto_tui.api.listing import ListedPage, loads_page
from reducto_tui.api.models import (
    AsyncJobCreated,
    DeleteJobResponse,
    JobDetail,
    JobsResponse,
    SingleJob,
)
from reducto_tui.api.observer import JobObserver
from reducto_tui.api.status import StatusKind, job_kind

DEFAULT_BASE_URL = "https://platform.reducto.ai"
USER_AGENT = f"reducto-tui/{__version__}"
MAX_PAGE_SIZE = 500
LARGE_BODY = 256 * 1024
MB = 1024 * 1024
#: Statuses worth retrying on idempotent calls; other 4xx mean "do not ask again".
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: ``Retry-After`` is bounded: 0 would mean hammering, 1e12 or a far date a dead app.
RETRY_AFTER_MIN = 1.0
RETRY_AFTER_MAX = 3600.0
#: Presigned result links may hop through a CDN, but not forever.
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: An error body is only read for its ``detail``: the rest is dropped, never an error.
ERROR_BODY_CAP = 64 * 1024
#: Python refuses to turn longer digit strings into ints; such a number becomes unknown.
MAX_INT_DIGITS = 4000

M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")
T = TypeVar("T")
Progress = Callable[[int, int | None], None]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date), bounded to 1 s .. 1 h.

    ``None`` when absent or unreadable (the caller then uses its own backoff).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if math.isnan(seconds):
        return None
    return min(RETRY_AFTER_MAX, max(RETRY_AFTER_MIN, seconds))


def check_api_key(key: str) -> str | None:
    """Why ``key`` cannot go in an ``Authorization`` header, or ``None`` if it can."""
    if any(not ("!" <= ch <= "~") for ch in key):
        return (
            "The API key contains characters that cannot be sent in an HTTP header "
            "(spaces, line breaks or non-ASCII letters)."
        )
    return None


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_key_problem(base_url: str) -> str | None:
    """Why sending a key to ``base_url`` would expose it, or ``None`` when it is safe."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None  # reported as an invalid URL elsewhere
    if url.scheme == "http" and not is_loopback(url.host):
        return (
            f"Refusing to send the API key over plain http:// to {url.host}: anyone on the "
            "network path could read it. Use https://, or set allow_insecure_http = true "
            "(--allow-insecure-http) if you really mean it."
        )
    return None


def _only_reducto_errors(
    call: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """The last guard: whatever slipped past the specific handlers still leaves typed."""

    @functools.wraps(call)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        pending = call(*args, **kwargs)  # a wrong call is our bug: let it raise as it is
        try:
            return await pending
        except ReductoError:
            raise
        except RecursionError as exc:
            raise BadResponseError("The server's answer is nested too deeply to read.") from exc
        except Exception as exc:
            raise BadResponseError(
                f"The server's answer could not be read ({type(exc).__name__})."
            ) from exc

    return guarded


@dataclass(frozen=True, slots=True)
class Answer:
    """A response whose body has been read in full (under its cap and deadline)."""

    status: int
    headers: httpx.Headers
    content: bytes
    #: True when an error body was longer than :data:`ERROR_BODY_CAP` and cut.
    truncated: bool = False


class ReductoClient:
    """Typed calls of the Jobs API.

    Retries 408/429/5xx and connection errors on idempotent calls with capped exponential
    backoff, jittered but never sooner than ``min_retry_delay`` (2 s: the polite rule); a
    ``Retry-After`` is honoured up to ``retry_after_cap`` seconds, and a longer one is raised as :class:`RateLimitError` so the caller can show the wait.
    Each attempt has an overall ``request_deadline`` (httpx's timeouts are per read, so a
    server dripping a byte every few seconds would otherwise hold it forever) and each body a
    size cap checked while it streams in.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        user_id: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        request_deadline: float = 30.0,
        download_deadline: float = 300.0,
        max_retries: int = 2,
        backoff_base: float = 2.0,
        backoff_cap: float = 8.0,
        min_retry_delay: float = 2.0,
        retry_after_cap: float = 60.0,
        max_page_bytes: int = 32 * MB,
        max_job_bytes: int = 256 * MB,
        max_result_bytes: int = 200 * MB,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        observer: JobObserver | None = None,
    ) -> None:
        self._api_key = (api_key or "").strip()
        self.base_url = base_url.strip().rstrip("/")
        self.user_id = (user_id or "").strip() or None
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        #: A retry never comes sooner than this after the failed attempt: the same job (or
        #: list page) is never asked more often than every 2 s, even when the server errs.
        self.min_retry_delay = min_retry_delay
        self.retry_after_cap = retry_after_cap
        self.request_deadline = request_deadline
        self.download_deadline = download_deadline
        self.max_page_bytes = max_page_bytes
        self.max_job_bytes = max_job_bytes
        self.max_result_bytes = max_result_bytes
        self.timeout = timeout
        self._sleep = sleep
        self._monotonic = monotonic
        #: Told of every job this client receives (the archive); must not block.
        self.observer = observer
        self._inflight: dict[int, float] = {}
        self._next_ticket = 0
        # No base_url and no identifying default headers: API calls build their own URL and
        # headers, so nothing of ours rides along to a result link's storage host.
        self._http = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(min(timeout, request_deadline), connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # the key must never show up in a repr or a log line
        shown = re.sub(r"//[^/@]*@", "//", self.base_url)  # no user:password@
        return f"ReductoClient(base_url={shown!r})"

    async def __aenter__(self) -> ReductoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def oldest_inflight_age(self) -> float | None:
        """Seconds the longest-running API request has waited so far; ``None`` when idle.

        For a "waiting for the server (N s)" line while the server is slow.
        """
        if not self._inflight:
            return None
        return max(0.0, self._monotonic() - min(self._inflight.values()))

    # ------------------------------------------------------------------ calls

    @_only_reducto_errors
    async def list_jobs(
        self, cursor: str | None = None, limit: int = 100, exclude_configs: bool = True
    ) -> JobsResponse:
        page = await self._listing(cursor, limit, exclude_configs, _jobs_page)
        if self.observer is not None:
            self.observer.saw_jobs(page.jobs)
        return page

    @_only_reducto_errors
    async def list_page(
        self, cursor: str | None = None, limit: int = 100, exclude_configs: bool = True
    ) -> ListedPage:
        """``list_jobs`` without a model per job, for loading whole listings: the same
        request, and each field as the model would read it (``api.listing``)."""
        page = await self._listing(cursor, limit, exclude_configs, _listed_page)
        if self.observer is not None:
            self.observer.saw_jobs(page.jobs)
        return page

    async def _listing(
        self, cursor: str | None, limit: int, exclude_configs: bool, decode: Callable[[Answer], T]
    ) -> T:
        params: dict[str, Any] = {
            "limit": max(1, min(MAX_PAGE_SIZE, limit)),
            "exclude_configs": "true" if exclude_configs else "false",
        }
        if cursor:
            params["cursor"] = cursor
        answer = await self._request("GET", "/jobs", params=params, cap=self.max_page_bytes)
        if len(answer.content) > LARGE_BODY:
            return await asyncio.to_thread(decode, answer)
        return decode(answer)

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

    @_only_reducto_errors
    async def get_job(self, job_id: str) -> JobDetail:
        """One job with its result: a single request, answered at once.

        The newest spec has no long-poll; pacing (at most every 2 s per job) is the caller's.
        """
        answer = await self._request(
            "GET", f"/job/{path_segment(job_id)}", job_id=job_id, cap=self.max_job_bytes
        )
        if self.observer is not None:
            self.observer.saw_job_body(job_id, answer.content)
        if len(answer.content) > LARGE_BODY:
            # Validating megabytes of result takes long enough to stutter the UI.
            return await asyncio.to_thread(_model, JobDetail, answer)
        return _model(JobDetail, answer)

    @_only_reducto_errors
    async def get_job_raw(self, job_id: str) -> bytes:
        """``GET /job/{id}``'s body as received, for a caller that reads it in pieces
        (:func:`reducto_tui.api.lazy.read_job`): validating a 10 MB result in one go holds
        the GIL long enough to freeze a UI."""
        answer = await self._request(
            "GET", f"/job/{path_segment(job_id)}", job_id=job_id, cap=self.max_job_bytes
        )
        if self.observer is not None:
            self.observer.saw_job_body(job_id, answer.content)
        return answer.content

    @_only_reducto_errors
    async def cancel_job(self, job_id: str, *, retry: bool = False) -> Any:
        """``POST /cancel/{id}``. With ``retry`` a 5xx or a lost answer is asked again, as
        a GET is (cancelling twice does no harm); when the first try did land, the second is
        refused as "already cancelled", and that is the cancel that was asked for. Without
        it the error is raised at once, for a caller that checks the job itself."""
        path = f"/cancel/{path_segment(job_id)}"
        attempt = 0
        while True:
            try:
                answer = await self._request("POST", path, job_id=job_id, idempotent=False)
            except (ServerError, NetworkError) as exc:
                if not retry or isinstance(exc, DeadlineError) or attempt >= self.max_retries:
                    raise
                wait = exc.retry_after
                delay = self._backoff(attempt) if wait is None else max(self.min_retry_delay, wait)
                if delay > self.retry_after_cap:
                    raise
                await self._sleep(delay)
                attempt += 1
                continue
            except ConflictError:
                if attempt == 0 or not await self._is_cancelled(job_id):
                    raise
                return {"job_id": job_id, "status": "Cancelled"}
            return _json(answer) if answer.content else None

    async def _is_cancelled(self, job_id: str) -> bool:
        detail = await self.get_job(job_id)
        error = detail.error.name if detail.error is not None else None
        kind = job_kind(detail.status, progress=detail.progress, error_name=error)
        return kind is StatusKind.CANCELLED

    @_only_reducto_errors
    async def delete_job(self, job_id: str, include_persisted: bool = False) -> DeleteJobResponse:
        answer = await self._request(
            "DELETE",
            f"/job/{path_segment(job_id)}",
            params={"include_persisted": "true" if include_persisted else "false"},
            job_id=job_id,
        )
        if not answer.content:
            return DeleteJobResponse(job_id=job_id)
        return _model(DeleteJobResponse, answer)

    @_only_reducto_errors
    async def create_job(self, kind: str, body: dict[str, Any]) -> str:
        """``POST /{kind}_async``; answers the new job's id."""
        answer = await self._request(
            "POST", f"/{path_segment(kind)}_async", json=body, idempotent=False
        )
        return _model(AsyncJobCreated, answer).job_id

    @_only_reducto_errors
    async def version(self) -> str:
        """``GET /version``: the API's version, a JSON string in the newest spec."""
        data = _json(await self._request("GET", "/version"))
        if isinstance(data, dict) and isinstance(data.get("version"), str):
            data = data["version"]  # older servers (and our demo) answered an object
        if not isinstance(data, str):
            raise BadResponseError("The server's /version answer is not a version string.")
        return data

    @_only_reducto_errors
    async def fetch_url_result(self, url: str, progress: Progress | None = None) -> Any:
        """A ``UrlResult``'s JSON (see :meth:`fetch_url_result_raw`)."""
        content = await self.fetch_url_result_raw(url, progress)
        return await asyncio.to_thread(_loads, content, "The downloaded result")

    @_only_reducto_errors
    async def fetch_url_result_raw(self, url: str, progress: Progress | None = None) -> bytes:
        """Download a ``UrlResult``'s presigned link; the body as received.

        Only over https (http only to loopback or the API's own origin, as the demo does),
        following at most :data:`MAX_REDIRECTS` redirects under the same rules, with one
        deadline and one size cap for the whole chain. The link is signed, so neither the
        key nor ``user-id`` is ever sent with it.
        """
        if url.startswith("/"):
            url = self.base_url + url
        end = self._monotonic() + self.download_deadline
        for _hop in range(MAX_REDIRECTS + 1):
            target = self._result_url(url)
            answer = await self._fetch(
                "GET",
                target,
                cap=self.max_result_bytes,
                deadline=max(0.0, end - self._monotonic()),
                progress=progress,
                too_large=_result_too_large,
                what="the result",
                track=False,
            )
            if answer.status in REDIRECTS:
                location = answer.headers.get("location")
                if not location:
                    raise BadResponseError("The result's link redirected without a Location.")
                url = str(target.join(location))
                continue
            if answer.status in (400, 403, 404, 410):
                raise ResultLinkExpiredError(
                    f"The result's download link has expired or is invalid (HTTP {answer.status}).",
                    hint="Refresh the job to get a fresh link.",
                    status_code=answer.status,
                )
            if answer.status >= 400:
                raise error_for_status(answer.status, None)
            return answer.content
        raise BadResponseError(
            f"The result's link redirected more than {MAX_REDIRECTS} times; giving up."
        )

    # ------------------------------------------------------------------ plumbing

    def _result_url(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidRequestError("The result's download link is not a valid URL.") from exc
        if target.scheme == "https":
            return target
        if target.scheme == "http":
            if is_loopback(target.host) or self._same_origin(target):
                return target
            raise InsecureConnectionError(
                f"Refusing to download the result over plain http:// from {target.host}: "
                "result links must use https://."
            )
        raise InsecureConnectionError(
            f"Refusing to download the result from a {target.scheme or 'relative'}: link; "
            "result links must use https://."
        )

    def _same_origin(self, target: httpx.URL) -> bool:
        try:
            base = httpx.URL(self.base_url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        return (base.scheme, base.host, base.port) == (target.scheme, target.host, target.port)

    def _api_url(self, path: str, params: dict[str, Any] | None) -> httpx.URL:
        try:
            url = httpx.URL(self.base_url + path)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidRequestError(
                f"The base URL is not a valid URL ({exc}).",
                hint="Check REDUCTO_BASE_URL or base_url in the config file.",
            ) from exc
        if url.scheme not in ("http", "https") or not url.host:
            raise InvalidRequestError(
                "The base URL must be an http:// or https:// address with a host.",
                hint="Check REDUCTO_BASE_URL or base_url in the config file.",
            )
        return url.copy_merge_params(params) if params else url

    def _api_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._api_key:
            problem = check_api_key(self._api_key)
            if problem:
                raise AuthError(problem, hint="Check REDUCTO_API_KEY for stray characters.")
            headers["Authorization"] = f"Bearer {self._api_key}"
        if self.user_id:
            if check_api_key(self.user_id):
                raise InvalidRequestError(
                    "The user id contains characters that cannot be sent in an HTTP header."
                )
            headers["user-id"] = self.user_id
        return headers

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        job_id: str | None = None,
        idempotent: bool = True,
        cap: int = 32 * MB,
        content: Any = None,
        headers: dict[str, str] | None = None,
        deadline: float | None = None,
    ) -> Answer:
        url = self._api_url(path, params)
        headers = {**self._api_headers(), **(headers or {})}
        attempt = 0
        while True:
            try:
                answer = await self._fetch(
                    method,
                    url,
                    headers=headers,
                    body=json,
                    content=content,
                    cap=cap,
                    deadline=deadline or self.request_deadline,
                )
            except NetworkError as exc:
                # A refused connection was never delivered, so even a POST may be retried; a
                # request that ran out its whole deadline would only do so again.
                safe = idempotent or isinstance(exc.__cause__, httpx.ConnectError)
                if isinstance(exc, DeadlineError) or not safe or attempt >= self.max_retries:
                    raise
                await self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if answer.status < 300:
                return answer
            if answer.status < 400:
                where = answer.headers.get("location", "elsewhere")
                raise BadResponseError(
                    f"The server redirected the request (HTTP {answer.status}) instead of "
                    "answering; the API key is not sent on to another address.",
                    hint=f"Set REDUCTO_BASE_URL to the address it points at ({where[:200]}).",
                    status_code=answer.status,
                )
            wait = retry_after_seconds(answer.headers.get("retry-after"))
            error = self._hide_key(
                error_for_status(
                    answer.status, _error_body(answer), job_id=job_id, retry_after=wait
                )
            )
            retry = answer.status in RETRY_STATUSES and (idempotent or answer.status == 429)
            if not retry or attempt >= self.max_retries:
                raise error
            if wait is not None and wait > self.retry_after_cap:
                raise error
            delay = self._backoff(attempt) if wait is None else max(self.min_retry_delay, wait)
            await self._sleep(delay)
            attempt += 1

    async def _fetch(
        self,
        method: str,
        url: httpx.URL,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        content: Any = None,
        cap: int,
        deadline: float,
        progress: Progress | None = None,
        too_large: Callable[[int, int], ResponseTooLargeError] | None = None,
        what: str = "the answer",
        track: bool = True,
    ) -> Answer:
        """One exchange, body included, within ``deadline`` seconds and ``cap`` bytes.

        ``track``: counted by :meth:`oldest_inflight_age` (API calls; not result downloads,
        which may rightly take minutes and have their own progress).
        """
        ticket = self._next_ticket
        self._next_ticket += 1
        if track:
            self._inflight[ticket] = self._monotonic()
        # Host and port only: a URL's user:password@ part must not reach a message.
        where = f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")
        try:
            async with asyncio.timeout(deadline):
                kwargs: dict[str, Any] = {"headers": headers or {}}
                if body is not None:
                    kwargs["json"] = body
                if content is not None:  # bytes or an async iterator of them (uploads)
                    kwargs["content"] = content
                async with self._http.stream(method, url, **kwargs) as response:
                    return await _read_body(response, cap, progress, too_large or _too_large)
        except ReductoError:
            raise
        except TimeoutError as exc:
            raise DeadlineError(
                f"The server took longer than {deadline:.0f} s to send {what}; gave up waiting.",
                hint="The server may be overloaded; it is asked again later.",
            ) from exc
        except httpx.TimeoutException as exc:
            raise TimeoutError_(
                "The server did not answer in time.", hint="Check your network connection."
            ) from exc
        except httpx.DecodingError as exc:
            raise BadResponseError(
                f"The server's compressed answer is corrupt and cannot be decoded ({where})."
            ) from exc
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Could not reach {where} ({type(exc).__name__}).",
                hint="Check your network connection and REDUCTO_BASE_URL.",
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise NetworkError(f"The request to {where} failed ({type(exc).__name__}).") from exc
        except UnicodeError as exc:
            raise InvalidRequestError(
                "The request holds characters that cannot be sent in HTTP headers."
            ) from exc
        finally:
            self._inflight.pop(ticket, None)

    def _hide_key(self, error: ReductoError) -> ReductoError:
        """A server may echo our request back in its error: never pass the key on."""
        key = self._api_key
        if len(key) < 4:  # too short to tell from ordinary words; nothing to hide
            return error
        masked = "[API key hidden]"
        error.message = error.message.replace(key, masked)
        error.hint = error.hint.replace(key, masked)
        error.args = (error.message,)
        if error.detail is not None:
            raw = json.dumps(error.detail)
            if key in raw or json.dumps(key)[1:-1] in raw:
                error.detail = masked
        return error

    def _backoff(self, attempt: int) -> float:
        """Exponential with jitter in its upper half (2, 2-4, 4-8 s by default), and never
        under :attr:`min_retry_delay`: "full jitter" from 0 would re-ask at once."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2**attempt)
        return max(self.min_retry_delay, random.uniform(ceiling / 2, ceiling))


# ---------------------------------------------------------------------- helpers


def path_segment(value: str) -> str:
    """``value`` percent-encoded as one path segment; ids a server would read as a path
    (``.``, ``..``, empty, containing ``/``) are refused before anything is sent."""
    if value in ("", ".", "..") or "/" in value or "\\" in value:
        shown = value.encode("unicode_escape").decode("ascii")[:80]
        raise InvalidRequestError(
            f"Refusing to send the job id {shown!r}: it would address another path on the "
            "server, not a job.",
            hint="Job ids never contain '/' and are never '.' or '..'.",
        )
    return quote(value, safe="")


async def _read_body(
    response: httpx.Response,
    cap: int,
    progress: Progress | None,
    too_large: Callable[[int, int], ResponseTooLargeError],
) -> Answer:
    if response.status_code >= 400 or response.status_code in REDIRECTS:
        # Only the ``detail`` is wanted: read a little, never fail on size.
        chunks, received = [], 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            received += len(chunk)
            if received > ERROR_BODY_CAP:
                break
        content = b"".join(chunks)
        return Answer(
            response.status_code,
            response.headers,
            content[:ERROR_BODY_CAP],
            truncated=len(content) > ERROR_BODY_CAP,
        )
    total = _int_or_none(response.headers.get("content-length"))
    if total is not None and total > cap:
        raise too_large(total, cap)
    parts: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > cap:
            raise too_large(received, cap)
        parts.append(chunk)
        if progress is not None:
            progress(received, total)
    return Answer(response.status_code, response.headers, b"".join(parts))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and len(value) < 20 else None
    except ValueError:
        return None


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{size} bytes"


def _too_large(size: int, cap: int) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"The server's answer is too large: more than the {_mb(cap)} cap "
        f"(at least {_mb(size)} received or announced); stopped reading it.",
        hint="Raise max_page_mb / max_job_mb in the config if this is expected.",
    )


def _result_too_large(size: int, cap: int) -> ResponseTooLargeError:
    return ResultTooLargeError(
        f"The result is larger than the {_mb(cap)} download cap "
        f"(at least {_mb(size)}). Raise max_result_mb in the config to open it."
    )


def _lenient_int(digits: str) -> int | None:
    # A number too long for Python's int() makes only its own field unknown.
    return int(digits) if len(digits) <= MAX_INT_DIGITS else None


def _loads(content: bytes, what: str = "The server's answer") -> Any:
    try:
        return json.loads(content, parse_int=_lenient_int)
    except RecursionError as exc:
        raise BadResponseError(f"{what} is JSON nested too deeply to read.") from exc
    except ValueError as exc:  # includes UnicodeDecodeError
        raise BadResponseError(
            f"{what} is not valid JSON.",
            hint="Check REDUCTO_BASE_URL points at the Reducto API.",
        ) from exc


def _error_body(answer: Answer) -> Any:
    if not answer.truncated:
        try:
            return json.loads(answer.content, parse_int=_lenient_int)
        except (ValueError, RecursionError):
            pass
    return answer.content[:300].decode("utf-8", "replace") or None


def _json(answer: Answer) -> Any:
    try:
        return _loads(answer.content)
    except BadResponseError as exc:
        ctype = answer.headers.get("content-type", "unknown")[:80]
        if "nested" in exc.message:
            raise
        raise BadResponseError(
            f"The server sent something that is not JSON ({ctype}).",
            hint="Check REDUCTO_BASE_URL points at the Reducto API.",
        ) from exc


def _model(model: type[M], answer: Answer) -> M:
    try:
        return model.model_validate_json(answer.content)
    except ValidationError as exc:
        errors = exc.errors(include_input=False)
        if not (errors and errors[0]["type"] == "json_invalid"):
            raise _shape_error(model, errors) from exc
    # The fast parser gave up (a huge number, deep nesting, odd bytes): read it the slow,
    # forgiving way so one bad field degrades instead of the whole answer.
    data = _json(answer)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _shape_error(model, exc.errors(include_input=False)) from exc


def _shape_error(model: type[BaseModel], errors: list[Any]) -> BadResponseError:
    return BadResponseError(
        f"The server's answer does not look like a {model.__name__}: "
        f"{errors[0]['msg'] if errors else 'invalid'}."
    )


def _listed_page(answer: Answer) -> ListedPage:
    return loads_page(answer.content, lambda _content: _json(answer))


def _jobs_page(answer: Answer) -> JobsResponse:
    """Validate the whole page at once (fast); on failure, keep every job that is readable."""
    try:
        return JobsResponse.model_validate_json(answer.content)
    except ValidationError:
        pass
    data = _json(answer)
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise BadResponseError("The job list from the server has no 'jobs' array.")
    jobs: list[SingleJob] = []
    skipped = 0
    for item in data["jobs"]:
        try:
            jobs.append(SingleJob.model_validate(item))
        except (ValidationError, RecursionError):
            skipped += 1
    cursor = data.get("next_cursor")
    return JobsResponse(
        jobs=jobs, next_cursor=cursor if isinstance(cursor, str) else None, skipped=skipped
    )
