"""Render what a widget shows to plain text, for assertions."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static


def plain(renderable: object, width: int = 140) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def static_text(widget: Static, width: int = 140) -> str:
    return plain(widget.content, width)
