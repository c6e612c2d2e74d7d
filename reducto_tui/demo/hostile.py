"""A hostile Reducto: every way a server can hurt a client, one job (or flag) per case.

For tests and for trying the app by hand::

    python -m reducto_tui.demo.hostile --port 8765
    reducto-tui --base-url http://127.0.0.1:8765

``GET /jobs`` lists three good jobs among the bad ones; ``GET /job/{id}`` answers each bad
id with its case (see :data:`CASES`). ``--jobs-case`` makes the list itself hostile.
It imports nothing of our API code, so it cannot agree with our client by accident.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from reducto_tui.demo.runner import ThreadedServer

CREATED = "2026-03-01T11:00:00Z"
#: Control sequences a terminal acts on: retitle the window, write the clipboard, clear.
OSC_TITLE = "\x1b]0;PWNED\x1b\\"
OSC_CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
CSI_CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b2J"
BIDI = "\u202e"

#: Text for a result that tries every way of acting on a terminal, with a tab and a line
#: break a reader should keep.
HOSTILE_TEXT = f"{OSC_TITLE}Title{CSI_CLEAR} a\tb\nnext line{C1_CSI} {BIDI}gpj.exe over\rwrite"

#: Placeholders replaced in the JSON text by values ``json.dumps`` cannot write.
_HUGE_FLOAT = "@@1e400@@"
_HUGE_INT = "@@5000 digits@@"
RAW_VALUES = {_HUGE_FLOAT: "1e400", _HUGE_INT: "9" * 5000}

#: Job ids whose ``GET /job`` misbehaves, and how.
CASES = {
    "deleting": "409 while its data is being deleted",
    "deleted": "410 once its data is gone",
    "missing-osc": "404 whose detail holds OSC/CSI sequences",
    "endless": "200 with a chunked body that never ends",
    "deep": "200 with JSON nested 100,000 levels",
    "osc-result": "a parse result whose chunk and block text hold OSC/CSI, C1, bidi and CR",
    "deep-900": "a completed job whose result holds JSON nested 900 levels (any deep-N works)",
    "bad-gzip": "200 claiming gzip, with bytes that are not gzip",
    "drip": "200 sending one byte every --drip seconds, forever",
    "huge-int": "a 5000-digit integer in num_pages",
    "inf-duration": "a completed job with duration 1e400",
    "inf-running": "a running job with duration 1e400",
    "year-1": "created_at 0001-01-01T00:00:00+14:00",
    "year-9999": "created_at 9999-12-31T23:59:59-05:00",
    "redirect": "a URL result behind a chain of 3 redirects (allowed)",
    "redirect-loop": "a URL result behind a chain of 10 redirects (too many)",
    "redirect-http": "a URL result redirected to plain http on a non-loopback host",
    "big-result": "a URL result that never ends",
    "drip-result": "a URL result sent one byte every --drip seconds",
}
#: Ids that are themselves the attack, served as ordinary completed jobs.
NASTY_IDS = [
    f"{OSC_TITLE}job-title",
    f"{OSC_CLIPBOARD}job-clipboard",
    f"{CSI_CLEAR}job-clear",
    f"{C1_CSI}job-c1",
    f"job-{BIDI}fdp.exe",
    "job-\x00\x07\x7f-c0",
]
GOOD_IDS = ["good-1", "good-2", "good-3"]


def _job(job_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "job_id": job_id,
        "status": "Completed",
        "type": "Parse",
        "created_at": CREATED,
        "num_pages": 2,
        "duration": 3.5,
        "source": f"{job_id}.pdf",
        "raw_config": None,
        "bucket": None,
    }
    body.update(fields)
    return body


def list_page() -> list[dict[str, Any]]:
    jobs = [_job(i) for i in GOOD_IDS] + [_job(i) for i in NASTY_IDS]
    specific = {
        "huge-int": {"num_pages": _HUGE_INT},
        "inf-duration": {"duration": _HUGE_FLOAT},
        "inf-running": {"status": "InProgress", "duration": _HUGE_FLOAT},
        "year-1": {"created_at": "0001-01-01T00:00:00+14:00"},
        "year-9999": {"created_at": "9999-12-31T23:59:59-05:00"},
        "deleting": {"status": "InProgress"},
    }
    jobs += [_job(case, **specific.get(case, {})) for case in CASES]
    jobs.sort(key=lambda j: str(j["created_at"]), reverse=True)
    return jobs


def raw_json(value: Any) -> bytes:
    """JSON text with the placeholders swapped for values Python would not write."""
    text = json.dumps(value)
    for marker, raw in RAW_VALUES.items():
        text = text.replace(json.dumps(marker), raw)
    return text.encode()


def _raw(value: Any, status: int = 200) -> Response:
    return Response(raw_json(value), status_code=status, media_type="application/json")


def _detail(job: dict[str, Any], result: Any = None) -> dict[str, Any]:
    body = {k: v for k, v in job.items() if k != "job_id"}
    body.update({"result": result, "progress": None, "reason": None, "error": None})
    if body["status"] != "Completed":
        body["status"] = "Pending"
    return body


def _parse_result(base: str, url: str | None = None) -> dict[str, Any]:
    result: Any = {
        "type": "full",
        "chunks": [{"content": "hello", "embed": "hello", "blocks": []}],
    }
    if url is not None:
        result = {"type": "url", "url": url, "result_id": "r"}
    return {
        "job_id": "x",
        "duration": 1.0,
        "usage": {"num_pages": 1},
        "result": result,
    }


async def _endless(prefix: bytes, item: bytes) -> AsyncIterator[bytes]:
    yield prefix
    chunk = item * max(1, 65536 // len(item))
    while True:
        yield chunk
        await asyncio.sleep(0)


def create_app(jobs_case: str = "normal", drip_interval: float = 5.0) -> Starlette:
    """The hostile API. ``jobs_case``: normal, endless, deep, bad-gzip, drip, huge-int."""

    def nested() -> Response:
        depth = 100_000
        return Response(b"[" * depth + b"]" * depth, media_type="application/json")

    def bad_gzip() -> Response:
        return Response(
            b"\x1f\x8bthis is not gzip",
            media_type="application/json",
            headers={"content-encoding": "gzip"},
        )

    def drip() -> Response:
        async def bytes_slowly() -> AsyncIterator[bytes]:
            while True:
                yield b" "
                await asyncio.sleep(drip_interval)

        return StreamingResponse(bytes_slowly(), media_type="application/json")

    async def list_jobs(request: Request) -> Response:
        # Read per request: a test may switch the case (say, a drip that stops).
        jobs_case = request.app.state.jobs_case
        if jobs_case == "endless":
            item = raw_json(_job("endless-item")) + b","
            return StreamingResponse(_endless(b'{"jobs": [', item), media_type="application/json")
        if jobs_case == "deep":
            return nested()
        if jobs_case == "bad-gzip":
            return bad_gzip()
        if jobs_case == "drip":
            return drip()
        jobs = list_page()
        if jobs_case == "huge-int":
            jobs = [_job("huge-int", num_pages=_HUGE_INT), *[_job(i) for i in GOOD_IDS]]
        return _raw({"jobs": jobs, "next_cursor": None})

    async def get_job(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        base = str(request.base_url).rstrip("/")
        known = {str(j["job_id"]): j for j in list_page()}
        if job_id == "deleting":
            return JSONResponse({"detail": "Job deletion in progress"}, status_code=409)
        if job_id == "deleted":
            return JSONResponse({"detail": "Job deleted"}, status_code=410)
        if job_id == "endless":
            item = b'{"content": "again", "blocks": []},'
            prefix = b'{"status": "Completed", "result": {"result": {"chunks": ['
            return StreamingResponse(_endless(prefix, item), media_type="application/json")
        if job_id == "deep":
            return nested()
        if job_id == "bad-gzip":
            return bad_gzip()
        if job_id == "drip":
            return drip()
        if job_id == "osc-result":
            result = _parse_result(base)
            result["result"]["chunks"] = [
                {
                    "content": HOSTILE_TEXT,
                    "embed": HOSTILE_TEXT,
                    "blocks": [
                        {
                            "type": "Text",
                            "content": HOSTILE_TEXT,
                            "bbox": {
                                "left": 0.1,
                                "top": 0.1,
                                "width": 0.5,
                                "height": 0.1,
                                "page": 1,
                            },
                        },
                        {
                            "type": "Text",
                            "content": '=HYPERLINK("http://x")',
                            "bbox": {
                                "left": 0.1,
                                "top": 0.3,
                                "width": 0.5,
                                "height": 0.1,
                                "page": 1,
                            },
                        },
                    ],
                }
            ]
            return _raw(_detail(known[job_id], result))
        depth = re.fullmatch(r"deep-(\d{1,4})", job_id)
        if depth:
            # Readable (Python's parser goes ~1000 levels), yet deeper than the serialisers
            # that write JSON back out go: each writer must say so, not crash.
            n = int(depth[1])
            result = _parse_result(base)
            result["result"]["chunks"][0]["extra"] = "@@deep@@"
            body = raw_json(_detail(_job(job_id), result))
            return Response(body.replace(b'"@@deep@@"', b"[" * n + b"]" * n))
        if job_id == "redirect":
            return _raw(_detail(known[job_id], _parse_result(base, f"{base}/hop/3")))
        if job_id == "redirect-loop":
            return _raw(_detail(known[job_id], _parse_result(base, f"{base}/hop/10")))
        if job_id == "redirect-http":
            return _raw(_detail(known[job_id], _parse_result(base, f"{base}/hop/away")))
        if job_id in ("big-result", "drip-result"):
            return _raw(_detail(known[job_id], _parse_result(base, f"{base}/{job_id}")))
        if job_id not in known:
            return JSONResponse(
                {"detail": f"{OSC_TITLE}{CSI_CLEAR}{OSC_CLIPBOARD}Job not found {BIDI}"},
                status_code=404,
            )
        job = known[job_id]
        return _raw(_detail(job, _parse_result(base) if job["status"] == "Completed" else None))

    async def hop(request: Request) -> Response:
        left = request.path_params["left"]
        if left == "away":
            return Response(status_code=302, headers={"location": "http://example.com/result"})
        remaining = int(left)
        target = "/result" if remaining <= 1 else f"/hop/{remaining - 1}"
        return Response(status_code=302, headers={"location": target})

    async def result(request: Request) -> Response:
        return JSONResponse(_parse_result("")["result"])

    async def big_result(request: Request) -> Response:
        item = b'{"content": "big", "blocks": []},'
        return StreamingResponse(_endless(b'{"type": "full", "chunks": [', item))

    async def version(request: Request) -> Response:
        return JSONResponse(f"1.12.20-hostile{OSC_TITLE}")

    async def refuse(request: Request) -> Response:
        return JSONResponse({"detail": f"{OSC_TITLE}not here"}, status_code=400)

    app = Starlette(
        routes=[
            Route("/jobs", list_jobs, methods=["GET"]),
            Route("/job/{job_id:path}", get_job, methods=["GET"]),
            Route("/job/{job_id:path}", refuse, methods=["DELETE"]),
            Route("/cancel/{job_id:path}", refuse, methods=["POST"]),
            Route("/hop/{left}", hop, methods=["GET"]),
            Route("/result", result, methods=["GET"]),
            Route("/big-result", big_result, methods=["GET"]),
            Route("/drip-result", lambda request: drip(), methods=["GET"]),
            Route("/version", version, methods=["GET"]),
        ]
    )
    app.state.jobs_case = jobs_case
    return app


class HostileServer(ThreadedServer):
    """uvicorn serving :func:`create_app` in a daemon thread on a free loopback port."""

    def __init__(self, jobs_case: str = "normal", drip_interval: float = 5.0) -> None:
        # Endless and dripping bodies never finish by themselves: stop without waiting.
        self.app = create_app(jobs_case, drip_interval)
        super().__init__(self.app, name="hostile server", force_exit=True)

    @property
    def jobs_case(self) -> str:
        return str(self.app.state.jobs_case)

    @jobs_case.setter
    def jobs_case(self, case: str) -> None:
        """Make ``GET /jobs`` behave as ``case`` from the next request on."""
        self.app.state.jobs_case = case


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--jobs-case",
        default="normal",
        choices=["normal", "endless", "deep", "bad-gzip", "drip", "huge-int"],
        help="make GET /jobs itself hostile",
    )
    parser.add_argument("--drip", type=float, default=5.0, help="seconds between dripped bytes")
    args = parser.parse_args(argv)
    print(f"Hostile Reducto on http://{args.host}:{args.port}; bad job ids:")
    for case, what in CASES.items():
        print(f"  {case:<14} {what}")
    uvicorn.run(
        create_app(args.jobs_case, args.drip), host=args.host, port=args.port, log_level="info"
    )


if __name__ == "__main__":
    main()
