"""A job's page in Reducto Studio (``studio_link`` of parse and extract results), and
whether this terminal can open a browser for it at all.

The link is server text: it is used only if it is a plain ``https://`` (or ``http://``) URL
without spaces or control characters, and never if it would carry the API key.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

from reducto_tui.api.models import JobDetail, KnownResult, PipelineResponse

_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
MAX_URL = 2048


def studio_link(detail: JobDetail | None, api_key: str | None = None) -> str | None:
    """The job's Studio URL, or ``None`` when the job has none we can trust."""
    if detail is None:
        return None
    link = _link_of(detail.result)
    if not isinstance(link, str) or len(link) > MAX_URL or not _URL.fullmatch(link):
        return None
    if api_key and api_key in link:
        return None
    return link


def _link_of(result: KnownResult | None) -> object:
    if isinstance(result, PipelineResponse):
        parse = result.result.parse
        first = parse[0] if isinstance(parse, list) and parse else parse
        return getattr(first, "studio_link", None) or getattr(
            result.result.extract, "studio_link", None
        )
    return getattr(result, "studio_link", None)


def can_open_browser(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """A graphical browser is likely reachable: a desktop session, not a remote shell.

    Over SSH, or on a Linux console without a display, Python's ``webbrowser`` would start
    a text browser in this very terminal (under the dashboard) or do nothing at all, so
    the URL is shown instead."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
