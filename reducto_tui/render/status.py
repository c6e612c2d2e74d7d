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


def status_label(raw: str, kind: StatusKind, local: str | None = None) -> str:
    """The status cell's text: a local state while one is set, else glyph and raw status."""
    if local:
        return f"… {local}"
    return f"{GLYPHS[kind]} {clean(shown_status(raw, kind), single_line=True) or 'unknown'}"


def status_badge(raw: str, kind: StatusKind, local: str | None = None) -> Text:
    return Text(status_label(raw, kind, local), style="italic yellow" if local else STYLES[kind])
