"""The top bar: where we are connected, whether data is live, and counts per status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from reducto_tui.api.status import StatusKind
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.store import JobStore
from reducto_tui.render import format as fmt
from reducto_tui.render.status import GLYPHS, STYLES
from reducto_tui.render.text import clean

STATE_STYLES = {
    PollState.LIVE: "bold green",
    PollState.PAUSED: "bold yellow",
    PollState.RECONNECTING: "bold red",
    PollState.KEY_REJECTED: "bold white on dark_red",
    PollState.OFF: "dim",
}


def header_text(
    base_url: str,
    demo: bool,
    read_only: bool,
    store: JobStore,
    poller: Poller,
    wall_now: float,
    last_updated: float | None,
) -> Text:
    text = Text()
    text.append(" reducto-tui ", style="bold black on #7aa2f7")
    if demo:
        text.append(" DEMO ", style="bold black on yellow")
    if read_only:
        text.append(" READ-ONLY ", style="bold white on dark_red")
    text.append(f" {clean(base_url, True)} ", style="dim")
    state = poller.state
    label = state.value
    if state is PollState.RECONNECTING:
        label = f"reconnecting in {poller.seconds_until_next():.0f}s"
    text.append(f"● {label}", style=STATE_STYLES[state])
    if last_updated is not None:
        stale = state is PollState.RECONNECTING
        text.append(
            f" · {'stale since' if stale else 'updated'} {fmt.ago(last_updated, wall_now)}",
            style="red" if stale else "dim",
        )
    if state is PollState.RECONNECTING and poller.last_error:
        text.append(f" ({clean(poller.last_error, True)[:80]})", style="red")
    text.append("   ")
    for kind in StatusKind:
        n = store.counts.get(kind, 0)
        if n or kind is not StatusKind.UNKNOWN:
            text.append(f"{GLYPHS[kind]} {fmt.count(n)} ", style=STYLES[kind])
    text.append(" ")
    text.append(fmt.sparkline(store.sparkline(30)), style="green")
    text.append(" done/30m", style="dim")
    return text


class HeaderBar(Static):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $panel; }
    """
