"""Labels and children for a lazily expanded JSON tree (one level at a time)."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from reducto_tui.render.text import clean, shorten


def has_children(value: Any) -> bool:
    return isinstance(value, dict | list) and len(value) > 0


def children(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [(f"[{n}]", v) for n, v in enumerate(value)]
    return []


def _many(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def label(key: str, value: Any) -> Text:
    text = Text(clean(key, True), style="bold cyan")
    text.append(": ")
    if isinstance(value, dict):
        text.append(f"{{…}} {_many(len(value), 'key')}", style="dim")
    elif isinstance(value, list):
        text.append(f"[…] {_many(len(value), 'item')}", style="dim")
    elif isinstance(value, str):
        text.append(json.dumps(shorten(clean(value, True), 200), ensure_ascii=False), style="green")
    elif isinstance(value, bool) or value is None:
        text.append(json.dumps(value), style="magenta")
    else:
        try:
            shown = json.dumps(value, default=str)
        except (ValueError, RecursionError):  # an integer over 4300 digits, say
            shown = "unknown (too large to show)"
        text.append(shorten(clean(shown, True), 200), style="yellow")
    return text
