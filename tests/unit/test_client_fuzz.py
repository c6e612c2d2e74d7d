"""Property: whatever a server answers, the client returns a model or raises a ReductoError,
and no error shows the key. The server is a real ASGI app, in-process."""

from __future__ import annotations

import asyncio
import json
import traceback
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError

KEY = "fuzz-SECRET-key-0123"
HEADER_NAMES = [
    "content-type",
    "content-encoding",
    "retry-after",
    "location",
    "content-length",
    "transfer-encoding",
    "x-anything",
]
ENCODINGS = ["gzip", "deflate", "br", "identity", "zstd", "gzip, gzip", "nonsense", ""]


@dataclass
class Answer:
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    echo_key: bool = False


class Scripted:
    """An ASGI app answering the scripted ``Answer`` to every request."""

    def __init__(self) -> None:
        self.answer = Answer()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        answer = self.answer
        body = answer.body
        if answer.echo_key:  # a server that reflects the request into its error
            auth = dict(scope["headers"]).get(b"authorization", b"")
            body = json.dumps({"detail": f"bad header {auth.decode('latin-1')}"}).encode()
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": body})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
job_like = st.fixed_dictionaries(
    {},
    optional={
        "job_id": json_values | st.text(max_size=10),
        "status": json_values | st.sampled_from(["Pending", "Completed", "Failed", "Idle"]),
        "result": json_values,
        "num_pages": json_values,
        "duration": json_values,
        "created_at": json_values,
        "error": json_values,
        "detail": json_values,
        "jobs": st.lists(json_values, max_size=4),
        "next_cursor": json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    job_like.map(lambda v: json.dumps(v).encode()),
    st.sampled_from(
        [
            b"[" * 5000 + b"]" * 5000,
            b'{"jobs": [{"job_id": "a", "num_pages": ' + b"9" * 5000 + b"}]}",
            b'{"status": "Completed", "duration": 1e400}',
            b"\x1f\x8b\x08\x00garbage",
            b'"1.12.20"',
        ]
    ),
)
headers = st.lists(
    st.tuples(
        st.sampled_from(HEADER_NAMES),
        st.one_of(
            st.sampled_from(
                [*ENCODINGS, "0", "nan", "-1", "1e12", "inf", "application/json", "/x", "http://x"]
            ),
            st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),
        ),
    ).map(lambda kv: (kv[0].encode(), kv[1].encode("latin-1"))),
    max_size=4,
)
answers = st.builds(
    Answer,
    status=st.one_of(
        st.sampled_from(
            [200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 409, 410, 422, 429, 500, 503]
        ),
        st.integers(200, 599),
    ),
    headers=headers,
    body=bodies,
    echo_key=st.booleans(),
)
calls = st.sampled_from(["list", "get", "cancel", "delete", "version", "url", "create"])


async def _no_sleep(seconds: float) -> None:
    return None


async def _call(client: ReductoClient, which: str, job_id: str) -> object:
    if which == "list":
        return await client.list_jobs(cursor=job_id or None)
    if which == "get":
        return await client.get_job(job_id)
    if which == "cancel":
        return await client.cancel_job(job_id)
    if which == "delete":
        return await client.delete_job(job_id)
    if which == "version":
        return await client.version()
    if which == "create":
        return await client.create_job("parse", {"input": job_id})
    return await client.fetch_url_result("/result?x=" + job_id)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(answer=answers, which=calls, job_id=st.text(max_size=12))
def test_any_answer_is_a_result_or_a_reducto_error_without_the_key(
    answer: Answer, which: str, job_id: str
) -> None:
    app = Scripted()
    app.answer = answer

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with ReductoClient(
            KEY, "http://fuzz.test", transport=transport, sleep=_no_sleep, max_retries=1
        ) as client:
            try:
                await _call(client, which, job_id)
            except ReductoError as exc:
                shown = f"{exc} {exc!r} {exc.hint} {exc.detail!r}"
                assert KEY not in shown, shown
                assert KEY not in "".join(traceback.format_exception_only(exc))
            assert KEY not in repr(client)

    asyncio.run(run())
