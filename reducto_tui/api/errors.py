"""What can go wrong talking to Reducto, in words a person understands.

Every error carries ``message`` (a sentence for the status bar) and, where it helps,
``hint`` (what to do about it). No message ever includes the API key: the client never
passes request headers into an error.
"""

from __future__ import annotations

from typing import Any


class ReductoError(Exception):
    """Base of every error the API layer raises."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        status_code: int | None = None,
        detail: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status_code = status_code
        self.detail = detail
        #: The wait the server asked for (``Retry-After``, already bounded), if it said.
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __str__(self) -> str:
        return f"{sentence(self.message)} {self.hint}".strip() if self.hint else self.message


class AuthError(ReductoError):
    """401/403: the key is missing, wrong or lacks access."""


class NotFoundError(ReductoError):
    """404: unknown job, or one older than Reducto's 12-hour retention."""


class JobDeletedError(ReductoError):
    """409 while the job's data is being deleted, 410 once it is gone."""

    def __init__(self, message: str, *, gone: bool, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.gone = gone


class RequestValidationError(ReductoError):
    """422: the server rejected the request's parameters."""


class ConflictError(ReductoError):
    """4xx that says the job is not in a state for this action (e.g. cancel a finished job)."""


class RateLimitError(ReductoError):
    """429. ``retry_after`` is the wait the server asked for, in seconds, if it said."""

    retryable = True


class ServerError(ReductoError):
    """5xx: Reducto (or the demo server) failed."""

    retryable = True


class NetworkError(ReductoError):
    """The request never got an answer: no connection, DNS, reset, or timeout."""

    retryable = True


class TimeoutError_(NetworkError):
    """The server took longer than the client's timeout."""


class DeadlineError(TimeoutError_):
    """The whole request (connect, headers and body) took longer than its overall deadline."""


class BadResponseError(ReductoError):
    """The answer was not JSON, or not the shape the API documents."""


class ResponseTooLargeError(BadResponseError):
    """A body grew past its cap while streaming; the rest of it was never read."""


class ResultTooLargeError(ResponseTooLargeError):
    """A URL result is larger than the configured download cap."""


class InvalidRequestError(ReductoError):
    """Refused before sending: a job id or URL that must not reach the network as it is."""


class InsecureConnectionError(ReductoError):
    """The key would travel unencrypted, or a result link points somewhere unsafe."""


class ResultLinkExpiredError(ReductoError):
    """A URL result's presigned link no longer works (they expire)."""


def server_detail(body: Any) -> str:
    """The human part of an error body: FastAPI ``detail``, or the newest spec's ``error``."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            parts = []
            for item in detail[:5]:
                if isinstance(item, dict):
                    loc = ".".join(str(p) for p in item.get("loc", []) if p != "query")
                    parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
                else:
                    parts.append(str(item))
            return "; ".join(parts)
        if isinstance(body.get("message"), str):
            return str(body["message"])
    if isinstance(body, str):
        return body[:300]
    return ""


def sentence(text: str) -> str:
    """``text`` ending as a sentence does, so that what follows it reads as a new one (a
    server's "Job not found" ran into our hint: "…not found Reducto keeps…")."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…:;" else text + "."


def error_for_status(
    status: int, body: Any, *, job_id: str | None = None, retry_after: float | None = None
) -> ReductoError:
    detail = server_detail(body)
    said = f" The server said: {sentence(detail)}" if detail.strip() else ""
    what = f"Job {job_id}" if job_id else "The resource"
    if status == 401:
        return AuthError(
            "Reducto did not accept the API key." + said,
            hint="Set REDUCTO_API_KEY (or api_key in the config file) to a valid key.",
            status_code=status,
            detail=body,
        )
    if status == 403:
        return AuthError(
            "This API key is not allowed to do that." + said,
            hint="Check the key's organisation and permissions, or set REDUCTO_API_KEY.",
            status_code=status,
            detail=body,
        )
    if status == 404:
        return NotFoundError(
            f"{what} was not found." + said,
            hint=(
                "Reducto keeps a job's data for a limited time (12 hours by default, longer "
                "for jobs created with persist_results); it may have expired or been deleted."
            ),
            status_code=status,
            detail=body,
        )
    if status in (409, 410) and job_id is not None:
        gone = status == 410
        text = "has been deleted" if gone else "is being deleted"
        return JobDeletedError(f"{what} {text}.", gone=gone, status_code=status, detail=body)
    if status == 422:
        return RequestValidationError(
            "The server rejected the request." + said, status_code=status, detail=body
        )
    if status == 429:
        wait = f" Retry in {retry_after:.0f} s." if retry_after is not None else ""
        return RateLimitError(
            "Rate limited by the server." + wait,
            retry_after=retry_after,
            status_code=status,
            detail=body,
        )
    if status >= 500:
        return ServerError(
            f"The server had an error (HTTP {status})." + said,
            status_code=status,
            detail=body,
            retry_after=retry_after,
        )
    return ConflictError(
        f"The server refused the request (HTTP {status})." + said, status_code=status, detail=body
    )
