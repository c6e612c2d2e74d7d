"""The Studio link: trusted only as a plain http(s) URL without the key; a browser only
where one can be reached."""

from __future__ import annotations

import pytest

from reducto_tui.api.models import JobDetail
from reducto_tui.core.studio import can_open_browser, studio_link


def detail(link: object, kind: str = "parse") -> JobDetail:
    result: dict[str, object] = {"response_type": kind, "studio_link": link}
    if kind == "parse":
        result["result"] = {"type": "full", "chunks": []}
    else:
        result["result"] = []
    return JobDetail.model_validate({"status": "Completed", "result": result})


def test_a_plain_https_link_is_used() -> None:
    assert studio_link(detail("https://studio.example/j/1")) == "https://studio.example/j/1"
    assert (
        studio_link(detail("https://studio.example/j/2", "extract")) == "https://studio.example/j/2"
    )


@pytest.mark.parametrize(
    "link",
    [
        None,
        "",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://studio.example/j/1\x1b]0;x\x07",
        "https://studio.example/ j",
        "https://studio.example/\u202ej",
        "https://studio.example/?key=SECRET-KEY-1",
        "https://" + "a" * 3000,
        12345,
    ],
)
def test_anything_else_is_no_link(link: object) -> None:
    assert studio_link(detail(link), api_key="SECRET-KEY-1") is None


def test_no_result_no_link() -> None:
    assert studio_link(None) is None
    assert studio_link(JobDetail.model_validate({"status": "Pending"})) is None


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "a b c d"}, "linux", False),
        ({}, "darwin", True),
        ({"SSH_TTY": "/dev/pts/1"}, "darwin", False),
        ({}, "win32", True),
    ],
)
def test_a_browser_only_where_one_can_be_reached(
    env: dict[str, str], platform: str, expected: bool
) -> None:
    assert can_open_browser(env, platform) is expected
