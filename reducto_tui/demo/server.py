"""A Reducto-compatible Jobs API (Starlette), backed by :class:`Simulator`.

Same paths, parameters, shapes and status codes as Reducto's OpenAPI spec, plus fault
injection (latency, random 5xx, rate limits) for trying the app's resilience.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from reducto_tui.demo import bodies
from reducto_tui.demo.simulator import Simulator, decode_cursor

DELETE_CLEANUP_S = 3.0
DEMO_VERSION = "v1.12.20-demo"
MAX_LONG_POLL_S = 30.0
#: The largest file ``POST /upload`` (or its presigned URL) takes.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@dataclass
class Faults:
    latency: float = 0.0
    error_rate: float = 0.0
    #: Requests per second allowed before answering 429; 0 means no limit.
    rate_limit: float = 0.0
    require_key: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class Extras:
    """Behaviours the v1.12.20 spec does not promise: all off, so the demo is the spec."""

    #: Honour ``GET /job/{id}?timeout=`` by holding the answer until the job changes (the
    #: older Jobs spec's long-poll). Without it the parameter is ignored, as v1.12.20 does.
    long_poll: bool = False
    #: Let ``GET /job/{id}`` answer ``InProgress``, ``Completing`` and ``Cancelled`` as
    #: ``GET /jobs`` does, instead of v1.12.20's ``Pending``/``Failed`` for them.
    extended_statuses: bool = False


def _validation_error(
    loc: list[str | int], msg: str, kind: str, value: Any, ctx: dict[str, Any] | None = None
) -> JSONResponse:
    """FastAPI's ``HTTPValidationError`` shape, as Reducto answers."""
    item: dict[str, Any] = {"loc": loc, "msg": msg, "type": kind, "input": value}
    if ctx:
        item["ctx"] = ctx
    return JSONResponse({"detail": [item]}, status_code=422)


TRUE_WORDS = ("1", "true", "t", "yes", "y", "on")
FALSE_WORDS = ("0", "false", "f", "no", "n", "off")


def _query_bool(request: Request, name: str) -> bool | JSONResponse:
    """A boolean query parameter read as pydantic does, or its 422."""
    raw = request.query_params.get(name)
    if raw is None or raw.lower() in FALSE_WORDS:
        return False
    if raw.lower() in TRUE_WORDS:
        return True
    return _validation_error(
        ["query", name],
        "Input should be a valid boolean, unable to interpret input",
        "bool_parsing",
        raw,
    )


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._recent: deque[float] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_demo/"):
            await self.app(scope, receive, send)
            return
        faults = self.faults
        if faults.require_key is not None:
            headers = dict(scope["headers"])
            given = headers.get(b"authorization", b"").decode("latin-1")
            if given != f"Bearer {faults.require_key}":
                await JSONResponse({"detail": "Invalid API key"}, status_code=401)(
                    scope, receive, send
                )
                return
        if faults.rate_limit > 0:
            now = time.monotonic()
            while self._recent and now - self._recent[0] > 1.0:
                self._recent.popleft()
            if len(self._recent) >= faults.rate_limit:
                wait = max(1, int(1.0 - (now - self._recent[0]) + 0.999))
                response = JSONResponse(
                    {"detail": "Rate limit exceeded"},
                    status_code=429,
                    headers={"Retry-After": str(wait)},
                )
                await response(scope, receive, send)
                return
            self._recent.append(now)
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.error_rate > 0 and self._rng.random() < faults.error_rate:
            code = self._rng.choice((500, 502, 503))
            await JSONResponse({"detail": "Simulated server error"}, status_code=code)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


async def _read_upload(request: Request) -> tuple[str, int | None]:
    """The uploaded file's name and size; size ``None`` when the request carries no file."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        async with request.form(max_files=1) as form:
            item = form.get("file")
            if isinstance(item, UploadFile):
                size = 0
                while chunk := await item.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        break
                return item.filename or "upload", size
            if isinstance(item, str) and item:
                return "upload", len(item.encode())
            return "upload", None
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("file"), str):
        return "upload", len(body["file"].encode())
    return "upload", None


def _too_large(size: int) -> JSONResponse:
    message = f"The file is larger than the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB upload limit."
    return JSONResponse(
        {
            "detail": message,
            "error": {"code": 413, "name": "DOCUMENT_TOO_LARGE", "message": message},
        },
        status_code=413,
    )


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_app(
    sim: Simulator, faults: Faults | None = None, extras: Extras | None = None
) -> Starlette:
    extras = extras or Extras()

    async def list_jobs(request: Request) -> Response:
        q = request.query_params
        raw_limit = q.get("limit", "100")
        try:
            limit = int(raw_limit)
        except ValueError:
            return _validation_error(
                ["query", "limit"], "Input should be a valid integer", "int_parsing", raw_limit
            )
        if not 1 <= limit <= 500:
            kind, bound = ("greater_than_equal", 1) if limit < 1 else ("less_than_equal", 500)
            word = "greater than or equal to" if limit < 1 else "less than or equal to"
            return _validation_error(
                ["query", "limit"],
                f"Input should be {word} {bound}",
                kind,
                raw_limit,
                {"ge" if limit < 1 else "le": bound},
            )
        exclude = _query_bool(request, "exclude_configs")
        if isinstance(exclude, JSONResponse):
            return exclude
        cursor = q.get("cursor") or None
        if cursor is not None:
            try:
                decode_cursor(cursor)
            except ValueError:
                return _validation_error(
                    ["query", "cursor"], "Invalid cursor", "value_error", cursor
                )
        return JSONResponse(sim.page(cursor, limit, exclude))

    def _lookup(job_id: str) -> Any:
        sim.advance()
        job = sim.by_id.get(job_id)
        now = sim.clock()
        if job is None or now - job.created >= 12 * 3600:
            return JSONResponse({"detail": "Job not found"}, status_code=404)
        if job.deleted_at is not None:
            if now - job.deleted_at < DELETE_CLEANUP_S:
                return JSONResponse(
                    {
                        "detail": "Job deletion in progress",
                        "error": {
                            "code": 409,
                            "name": "JOB_DELETION_IN_PROGRESS",
                            "message": "This job's data is being deleted.",
                        },
                    },
                    status_code=409,
                )
            return JSONResponse(
                {
                    "detail": "Job deleted",
                    "error": {
                        "code": 410,
                        "name": "JOB_DELETED",
                        "message": "This job's data has been deleted.",
                    },
                },
                status_code=410,
            )
        return job

    async def get_job(request: Request) -> Response:
        found = _lookup(request.path_params["job_id"])
        if isinstance(found, Response):
            return found
        raw_timeout = request.query_params.get("timeout") if extras.long_poll else None
        if raw_timeout:
            try:
                timeout = min(MAX_LONG_POLL_S, max(0.0, float(raw_timeout)))
            except ValueError:
                return _validation_error(
                    ["query", "timeout"],
                    "Input should be a valid number",
                    "float_parsing",
                    raw_timeout,
                )
            start_status = found.status(sim.clock())
            deadline = time.monotonic() + timeout
            # Return as soon as the job moves on (or is cancelled meanwhile).
            while time.monotonic() < deadline and found.status(sim.clock()) == start_status:
                await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        return JSONResponse(
            sim.detail(found, _base_url(request), extended_statuses=extras.extended_statuses)
        )

    async def cancel_job(request: Request) -> Response:
        found = _lookup(request.path_params["job_id"])
        if isinstance(found, Response):
            return found
        status = found.status(sim.clock())
        if not sim.cancel(found):
            return JSONResponse(
                {
                    "detail": f"Job cannot be cancelled: it is already {status}.",
                    "error": {
                        "code": 400,
                        "name": "JOB_STATE_ERROR",
                        "message": f"Job is already {status}.",
                    },
                },
                status_code=400,
            )
        return JSONResponse({"job_id": found.job_id, "status": "Cancelled"})

    async def delete_job(request: Request) -> Response:
        include_persisted = _query_bool(request, "include_persisted")
        if isinstance(include_persisted, JSONResponse):
            return include_persisted
        found = _lookup(request.path_params["job_id"])
        if isinstance(found, Response):
            return found
        sim.delete(found)
        return JSONResponse({"job_id": found.job_id}, status_code=202)

    async def create_job(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in bodies.KINDS:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        raw = await request.body()
        if not raw.strip():
            return _validation_error(["body"], "Field required", "missing", None)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as exc:
            return _validation_error(
                ["body", exc.pos], "JSON decode error", "json_invalid", {}, {"error": exc.msg}
            )
        except ValueError:  # not UTF-8
            return _validation_error(["body"], "JSON decode error", "json_invalid", {})
        found = bodies.problems(kind, body)
        if found:
            return JSONResponse({"detail": found}, status_code=422)
        job = sim.create(bodies.KINDS[kind][0], body)
        return JSONResponse({"job_id": job.job_id})

    async def upload(request: Request) -> Response:
        extension = request.query_params.get("extension")
        try:
            name, size = await _read_upload(request)
        except ClientDisconnect:  # the user cancelled the upload: nothing to store or say
            return Response(status_code=400)
        if size is not None and size > MAX_UPLOAD_BYTES:
            return _too_large(size)
        file_id = sim.upload(name, size, extension)
        if size is not None:
            return JSONResponse({"file_id": file_id, "presigned_url": None})
        # No file in the request: the client PUTs it to the presigned URL, as for big files.
        token = file_id.removeprefix("reducto://").split("/")[0]
        return JSONResponse(
            {"file_id": file_id, "presigned_url": f"{_base_url(request)}/_demo/uploads/{token}"}
        )

    async def presigned_put(request: Request) -> Response:
        token = request.path_params["token"]
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                return _too_large(size)
        if not sim.finish_upload(token, size):
            return Response(
                "<Error><Code>NoSuchUpload</Code></Error>",
                status_code=404,
                media_type="application/xml",
            )
        return Response(status_code=200)

    async def delete_upload(request: Request) -> Response:
        file_id = request.path_params["file_id"]
        if not sim.delete_upload(file_id):
            return JSONResponse({"detail": "File not found"}, status_code=404)
        return JSONResponse({"file_id": file_id})

    async def url_result(request: Request) -> Response:
        job = sim.by_id.get(request.path_params["job_id"])
        try:
            expires = float(request.query_params.get("expires", "0"))
        except ValueError:
            expires = 0
        if job is None or expires < sim.clock():
            return Response(
                "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        return JSONResponse(sim.result(job, inline=True)["result"])

    async def version(request: Request) -> Response:
        # v1.12.20 answers a bare JSON string.
        return JSONResponse(DEMO_VERSION)

    routes = [
        Route("/jobs", list_jobs, methods=["GET"]),
        Route("/job/{job_id}", get_job, methods=["GET"]),
        Route("/job/{job_id}", delete_job, methods=["DELETE"]),
        Route("/cancel/{job_id}", cancel_job, methods=["POST"]),
        Route("/{kind}_async", create_job, methods=["POST"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/upload/{file_id:path}", delete_upload, methods=["DELETE"]),
        Route("/_demo/uploads/{token}", presigned_put, methods=["PUT"]),
        Route("/_demo/results/{job_id}", url_result, methods=["GET"]),
        Route("/version", version, methods=["GET"]),
    ]
    return Starlette(
        routes=routes, middleware=[Middleware(FaultMiddleware, faults=faults or Faults())]
    )
