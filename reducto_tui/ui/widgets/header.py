"""The top bar: where we are connected, whether data is live, and counts per status."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive

from reducto_tui.api.status import StatusKind
from reducto_tui.core.connection import connection
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.store import JobStore
from reducto_tui.render import format as fmt
from reducto_tui.render.status import GLYPHS, STATE_CLASSES
from reducto_tui.render.text import clean
from reducto_tui.ui.widgets.chrome import ChromeLine


def state_style(state: PollState) -> str:
    return f"state-{state.name.lower().replace('_', '-')}"


#: Every colour of the header is a component class (``header--<name>``) the theme sets.
STYLE_NAMES = (
    "brand",
    "demo",
    "read-only",
    "stale",
    "stuck",
    "sparkline",
    *map(state_style, PollState),
    *STATE_CLASSES.values(),
)


def header_text(
    base_url: str,
    demo: bool,
    read_only: bool,
    store: JobStore,
    poller: Poller,
    wall_now: float,
    last_updated: float | None,
    style: Callable[[str], Style],
    width: int = 1000,
) -> Text:
    """The header fitted to ``width``: the five status counts always stay; the URL, the
    "updated" age and the sparkline go first, then the long badges get short."""
    now = connection(poller)
    state, label = now.state, now.label
    stale = state is PollState.RECONNECTING
    counts = Text()
    for kind in StatusKind:
        n = store.counts.get(kind, 0)
        if n or kind is not StatusKind.UNKNOWN:
            counts.append(f"{GLYPHS[kind]} {fmt.count(n)} ", style=style(STATE_CLASSES[kind]))
    updated = Text()
    if last_updated is not None:
        updated.append(
            f" · {'stale since' if stale else 'updated'} {fmt.ago(last_updated, wall_now)}",
            style=style("stale") if stale else "dim",
        )
    error = Text()
    if stale and poller.last_error:
        error.append(f" ({clean(poller.last_error, True)[:80]})", style=style("stale"))
    stuck = store.stuck.count(wall_now)
    if stuck:
        counts.append(f"⚠ {fmt.count(stuck)} stuck? ", style=style("stuck"))
    spark = Text(" ")
    spark.append(fmt.sparkline(store.sparkline(30)), style=style("sparkline"))
    spark.append(" done/30m", style="dim")

    def build(short: bool, url: bool, age: bool, sparkline: bool, err: bool) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        text.append(" reducto " if short else " reducto-tui ", style=style("brand"))
        if demo:
            text.append(" D " if short else " DEMO ", style=style("demo"))
        if read_only:
            text.append(" RO " if short else " READ-ONLY ", style=style("read-only"))
        if url:
            text.append(f" {clean(base_url, True)} ", style="dim")
        text.append(" " if not url else "")
        text.append(f"● {label}", style=style(state_style(state)))
        if age:
            text.append_text(updated)
        if err:
            text.append_text(error)
        text.append("  ")
        text.append_text(counts)
        if sparkline:
            text.append_text(spark)
        return text

    # From the richest to the barest; the first that fits wins.
    for option in (
        (False, True, True, True, True),
        (False, True, True, False, True),
        (False, False, True, False, True),
        (False, False, False, False, True),  # while reconnecting, why beats since when
        (False, False, True, False, False),
        (False, False, False, False, False),
        (True, False, False, False, False),
    ):
        text = build(*option)
        if text.cell_len <= width:
            return text
    return text


class HeaderBar(ChromeLine):
    """Redrawn when the main screen's state it is bound to changes, and every second
    (``ticks``) so ages and the reconnect countdown move on."""

    PREFIX = "header"
    COMPONENT_CLASSES = {f"header--{name}" for name in STYLE_NAMES}

    last_updated: reactive[float | None] = reactive(None)
    version = reactive(0)
    ticks = reactive(0)
    paused = reactive(False)

    def line(self) -> Text:
        s = self.services
        return header_text(
            s.settings.base_url,
            s.demo,
            s.settings.read_only,
            s.store,
            s.poller,
            s.clock(),
            self.last_updated,
            self.style,
            width=self.size.width or self.app.size.width,
        )
