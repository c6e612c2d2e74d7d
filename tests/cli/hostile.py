"""A server that answers with what a hostile or broken Reducto could send."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

#: Sets the window title, writes the clipboard (OSC 52) and clears the screen.
OSC = "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J"
EVIL_ID = "abcdef01-\x9b31m-\u202egpj.exe"
JOBS = [
    {"job_id": "abcdef01-0000", "status": "Completed", "type": "Parse", "duration": 1e400},
    {"job_id": "abcdef02-0000", "status": "Failed", "type": "Parse", "source": "=HYPERLINK(1)"},
    {"job_id": EVIL_ID, "status": "Pending", "type": "Parse", "source": "a\x7fb\u202ec"},
]
_JOBS_BODY = (
    '{"jobs": ['
    '{"job_id": "abcdef01-0000", "status": "Completed", "type": "Parse", "duration": 1e400},'
    '{"job_id": "abcdef02-0000", "status": "Failed", "type": "Parse", "source": "=HYPERLINK(1)"},'
    '{"job_id": "abcdef01-\\u009b31m-\\u202egpj.exe", "status": "Pending", "type": "Parse",'
    ' "source": "a\\u007fb\\u202ec"}'
    '], "next_cursor": null}'
)


async def jobs(request: Request) -> Response:
    return Response(_JOBS_BODY, media_type="application/json")


async def job(request: Request) -> Response:
    job_id = request.path_params["job_id"]
    if job_id == "infinite":
        body = '{"status": "Completed", "duration": 1e400, "reason": "x\\u009by\\u202ez"}'
        return Response(body, media_type="application/json")
    if job_id == "deep":
        return Response('{"result": ' + "[" * 100_000 + "]" * 100_000 + "}")
    if job_id == "limited":
        return JSONResponse(
            {"detail": "slow down"}, status_code=429, headers={"Retry-After": "3600"}
        )
    if job_id == "broken":
        return JSONResponse({"detail": "boom"}, status_code=503)
    return JSONResponse({"detail": f"Job not found {OSC} really"}, status_code=404)


app = Starlette(
    routes=[Route("/jobs", jobs), Route("/job/{job_id:path}", job)],
)
