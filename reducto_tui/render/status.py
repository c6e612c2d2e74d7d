"""How a status looks: a glyph (readable without colour) and a style per display state."""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import StyleType
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
#: The CLI's colours: the terminal's own palette. The app takes each state's colour from the
#: theme instead (the ``status-<state>`` component classes of styles/app.tcss).
STYLES: dict[StatusKind, StyleType] = {
    StatusKind.QUEUED: "yellow",
    StatusKind.RUNNING: "bold cyan",
    StatusKind.COMPLETED: "green",
    StatusKind.FAILED: "bold red",
    StatusKind.CANCELLED: "magenta",
    StatusKind.UNKNOWN: "bold white on dark_red",
}


#: Each state's component-class suffix in the app's styles (``job-table--status-failed``).
STATE_CLASSES = {kind: f"status-{kind.value}" for kind in StatusKind}


def status_label(raw: str, kind: StatusKind, local: str | None = None) -> str:
    """The status cell's text: a local state while one is set, else glyph and raw status."""
    if local:
        return f"… {local}"
    return f"{GLYPHS[kind]} {clean(shown_status(raw, kind), single_line=True) or 'unknown'}"


def status_badge(
    raw: str,
    kind: StatusKind,
    local: str | None = None,
    styles: Mapping[StatusKind, StyleType] = STYLES,
) -> Text:
    """``styles``: a colour per state (the app passes its theme's)."""
    return Text(status_label(raw, kind, local), style="italic yellow" if local else styles[kind])
