"""What the user reads when the server says no: the sentence, the hint, and its kind (which
decides whether anything is tried again)."""

from __future__ import annotations

from typing import Any

import pytest

from reducto_tui.api.errors import (
    AuthError,
    ConflictError,
    JobDeletedError,
    NotFoundError,
    RateLimitError,
    ReductoError,
    RequestValidationError,
    ServerError,
    error_for_status,
    server_detail,
)

KEY_HINT = "Set REDUCTO_API_KEY (or api_key in the config file) to a valid key."
RETENTION = (
    "Reducto keeps a job's data for a limited time (12 hours by default, longer for jobs "
    "created with persist_results); it may have expired or been deleted."
)


@pytest.mark.parametrize(
    ("status", "job_id", "kind", "message", "hint"),
    [
        (401, None, AuthError, "Reducto did not accept the API key. The server said: no.", KEY_HINT),
        (
            403,
            None,
            AuthError,
            "This API key is not allowed to do that. The server said: no.",
            "Check the key's organisation and permissions, or set REDUCTO_API_KEY.",
        ),
        (404, "j1", NotFoundError, "Job j1 was not found. The server said: no.", RETENTION),
        (404, None, NotFoundError, "The resource was not found. The server said: no.", RETENTION),
        (409, "j1", JobDeletedError, "Job j1 is being deleted.", ""),
        (410, "j1", JobDeletedError, "Job j1 has been deleted.", ""),
        (409, None, ConflictError, "The server refused the request (HTTP 409). The server said: no.", ""),
        (400, "j1", ConflictError, "The server refused the request (HTTP 400). The server said: no.", ""),
        (422, None, RequestValidationError, "The server rejected the request. The server said: no.", ""),
        (429, None, RateLimitError, "Rate limited by the server.", ""),
        (500, None, ServerError, "The server had an error (HTTP 500). The server said: no.", ""),
        (503, "j1", ServerError, "The server had an error (HTTP 503). The server said: no.", ""),
    ],
)  # fmt: skip
def test_each_status_reads_as_a_sentence_with_what_to_do(
    status: int, job_id: str | None, kind: type[ReductoError], message: str, hint: str
) -> None:
    error = error_for_status(status, {"detail": "no"}, job_id=job_id)
    assert type(error) is kind
    assert (error.message, error.hint, error.status_code) == (message, hint, status)
    assert error.detail == {"detail": "no"}
    assert (
        str(error) == f"{message} {hint}".strip() and repr(error) == f"{kind.__name__}({message!r})"
    )


def test_deleted_jobs_say_whether_the_data_is_gone() -> None:
    deleting = error_for_status(409, None, job_id="j")
    gone = error_for_status(410, None, job_id="j")
    assert isinstance(deleting, JobDeletedError) and isinstance(gone, JobDeletedError)
    assert (deleting.gone, gone.gone) == (False, True)


def test_a_429_says_how_long_to_wait_and_only_429_and_5xx_are_retried() -> None:
    limited = error_for_status(429, {}, retry_after=7.4)
    assert (
        limited.message == "Rate limited by the server. Retry in 7 s."
        and limited.retry_after == 7.4
    )
    down = error_for_status(503, "", retry_after=30.0)
    assert down.message == "The server had an error (HTTP 503)." and down.retry_after == 30.0
    assert limited.retryable and down.retryable
    assert not any(
        error_for_status(s, {}, job_id="j").retryable for s in (400, 401, 403, 404, 409, 410, 422)
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"error": {"message": "Job is already Completed.", "code": 400}, "detail": "x"}, "Job is already Completed."),
        ({"error": {"code": 400}, "detail": "plain detail"}, "plain detail"),
        ({"detail": [{"loc": ["query", "limit"], "msg": "too big"}, {"loc": ["body", "input", 0], "msg": "bad"}]}, "limit: too big; body.input.0: bad"),
        ({"detail": [{"loc": [], "msg": "no place"}, "a bare string"]}, "no place; a bare string"),
        ({"detail": [{"loc": ["query", "cursor"]}]}, "cursor"),
        ({"detail": [{"msg": f"m{n}"} for n in range(8)]}, "m0; m1; m2; m3; m4"),
        ({"message": "from a proxy"}, "from a proxy"),
        ({"detail": 5}, ""),
        ("<html>" + "x" * 400, "<html>" + "x" * 294),
        (None, ""),
        ([1, 2], ""),
    ],
)  # fmt: skip
def test_the_servers_own_words_are_quoted(body: Any, said: str) -> None:
    assert server_detail(body) == said


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("Job not found", "The server said: Job not found. Reducto keeps"),
        ("Job not found.", "The server said: Job not found. Reducto keeps"),
        ("Is it gone?", "The server said: Is it gone? Reducto keeps"),
    ],
)
def test_what_the_server_said_ends_its_sentence_before_the_hint(said: str, shown: str) -> None:
    # A tester read "The server said: Job not found Reducto keeps…" as one sentence.
    error = error_for_status(404, {"detail": said}, job_id="j1")
    assert shown in str(error)
    assert ". ." not in str(error) and "?." not in str(error)
