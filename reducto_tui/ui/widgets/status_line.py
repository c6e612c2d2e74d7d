"""The line under the list: how much is loaded, what matches, marks, sort and problems."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from reducto_tui.core.store import JobStore
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean
from reducto_tui.ui.commands import BY_ID, key_display
from reducto_tui.ui.widgets.chrome import ChromeLine


def status_text(
    store: JobStore,
    gaps: bool,
    refresh_key: str,
    loading_all: bool,
    load_error: str,
    style: Callable[[str], Style],
    poll_error: str = "",
) -> Text:
    """``gaps``: a refresh stopped at its page bound, so new jobs may be missing;
    ``poll_error``: why the last refresh failed (shown early: the line crops at its end)."""
    loaded = fmt.count(len(store.rows))
    text = Text(" ")
    if not store.pages_loaded and not load_error:
        text.append("loading jobs…", style="italic")
    elif loading_all:
        text.append(f"loading all… {loaded} loaded (esc stops)", style=style("busy"))
    elif store.more_available:
        text.append(f"{loaded} loaded · more available (n: next page, a: all)")
    elif not gaps:
        text.append(f"all {loaded} loaded")
    else:
        text.append(f"{loaded} loaded")
    if poll_error:
        text.append(f" · not refreshed: {clean(poll_error, True)}", style=style("failed"))
    if gaps:
        text.append(
            f" · more new jobs may be missing ({refresh_key}: load them)", style=style("warning")
        )
    shown = len(store.view)
    if not store.view.filter.empty:
        more = "…" if store.view.scanning else ""  # a long filter scan is still going
        text.append(f" · {fmt.count(shown)}{more} match", style="bold")
    if store.marks:
        hidden = len(store.hidden_marks())
        extra = f" ({hidden} hidden by filter)" if hidden else ""
        text.append(f" · {len(store.marks)} marked{extra}", style=style("marked"))
    arrow = "▼" if store.view.descending else "▲"
    text.append(f" · sort: {store.view.sort_column} {arrow}", style="dim")
    if store.view.filter.errors:
        text.append(
            f" · filter: {clean('; '.join(store.view.filter.errors), True)}", style=style("error")
        )
    if store.skipped:
        text.append(f" · {store.skipped} unreadable jobs skipped", style=style("warning"))
    if load_error:
        text.append(f" · {clean(load_error, True)}", style=style("failed"))
    return text


class StatusLine(ChromeLine):
    """Redrawn when the main screen's state it is bound to changes."""

    PREFIX = "status-line"
    COMPONENT_CLASSES = {
        "status-line--busy",
        "status-line--marked",
        "status-line--warning",
        "status-line--error",
        "status-line--failed",
    }

    loading_all = reactive(False)
    load_error = reactive("")
    poll_error = reactive("")
    #: The store's change counter: rows, marks, filter or sort moved.
    version = reactive(0)

    def line(self) -> Text:
        s = self.services
        refresh_key = key_display(self.app, s.settings.keys, BY_ID["refresh"])
        return status_text(
            s.store,
            bool(s.poller.loader.gaps),
            refresh_key,
            self.loading_all,
            self.load_error,
            self.style,
            self.poll_error,
        )
