"""How a status looks: a glyph (readable without colour) and a style per display state."""

from __future__ import annotations

from rich.text import Text

from reducto_tui.api.status import StatusKind, shown_status
from reducto_tui.render.text import clean

GLYPHS = {
    StatusKind.QUEUED: "◷",
    StatusKind.RUNNING: "▶",
    StatusKind.COMPLETED: "✔",
    StatusKind.FAILED: "✘",
    StatusKind.CANCELLED: "⊘",
    StatusKind.UNKNOWN: "?",
}
STYLES = {
    StatusKind.QUEUED: "yellow",
    StatusKind.RUNNING: "bold cyan",
    StatusKind.COMPLETED: "green",
    StatusKind.FAILED: "bold red",
    StatusKind.CANCELLED: "magenta",
    StatusKind.UNKNOWN: "bold white on dark_red",
}


def status_badge(raw: str, kind: StatusKind, local: str | None = None) -> Text:
    if local:
        return Text(f"… {local}", style="italic yellow")
    word = clean(shown_status(raw, kind), single_line=True) or "unknown"
    return Text(f"{GLYPHS[kind]} {word}", style=STYLES[kind])
