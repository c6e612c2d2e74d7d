"""Make server-sent text safe to show: no terminal control characters, no markup.

Everything from the server goes through :func:`clean` and into ``rich.text.Text`` objects
(which never interpret markup), so a file named ``[bold red]x[/]`` shows its brackets and a
name containing ``ESC [2J`` cannot clear the screen.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls except tab/newline, DEL, and C1 controls (0x80-0x9f, e.g. the 8-bit CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(value: object, single_line: bool = False) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if single_line:
        return _CONTROL_LINE.sub(" ", text) if _CONTROL_LINE.search(text) else text
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def safe_text(value: object, style: str = "", single_line: bool = False) -> Text:
    return Text(clean(value, single_line=single_line), style=style)


def file_name(source: str) -> str:
    """The last path segment of a URL or path ("reducto://ab12/q3.pdf" -> "q3.pdf")."""
    if "://" not in source and not source.startswith("/"):
        return source
    tail = source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return tail or source


def shorten(value: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(value) <= width:
        return value
    return value[: max(0, width - 1)] + "…"
