"""Property tests: whatever text a server sends, no control sequence reaches CLI output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reducto_tui.cli.jsonout import dumps
from tests.cli.conftest import Invoke, Served

# What a terminal could act on: C0 except tab and newline, DEL, C1, bidi overrides and isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066", "\r", "]", ";", "["]),
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
    ),
    min_size=1,
    max_size=40,
)
said: dict[str, str] = {"text": ""}


async def _jobs(request: Request) -> Response:
    text = said["text"]
    job = {"job_id": text, "status": text, "type": text, "source": text, "duration": None}
    body = json.dumps({"jobs": [job], "next_cursor": None})
    return Response(
        body.replace('"duration": null', '"duration": 1e400'), media_type="application/json"
    )


async def _job(request: Request) -> Response:
    return JSONResponse({"detail": said["text"]}, status_code=404)


APP = Starlette(routes=[Route("/jobs", _jobs), Route("/job/{job_id:path}", _job)])


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    with Served(APP) as served:
        yield served


SLOW = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@given(value=st.recursive(
    st.none() | st.booleans() | st.floats() | HOSTILE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE, inner, max_size=3),
    max_leaves=10,
))  # fmt: skip
def test_json_writer_is_json_and_terminal_safe(value: object) -> None:
    text = dumps(value)
    assert not UNSAFE.search(text)
    json.loads(text)  # never Infinity/NaN


@SLOW
@given(text=HOSTILE)
def test_cli_output_never_carries_control_sequences(cli: Invoke, server: Served, text: str) -> None:
    said["text"] = text
    outputs = [
        cli("jobs", "list", "--base-url", server.url, "--format", form)
        for form in ("jsonl", "json", "table", "csv", "id")
    ]
    missing = cli("jobs", "get", "--base-url", server.url, "0" * 36)
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert not UNSAFE.search(result.output.replace("\r\n", "\n")), result.output
    assert json.loads(outputs[0].stdout)["job_id"] == text  # exact once decoded
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert not UNSAFE.search(missing.output)
