"""The insight view (``i``): how the jobs in the current filter are going, drawn as charts.

It follows the store as polls land (:class:`~reducto_tui.core.insight.LiveInsight`: each
change costs O(log n), not a recount) and redraws once a second. On opening it asks
``GET /job`` for a few finished jobs in the selection (failed first, each job once) for the
failure codes and credits the list does not carry. A number key filters the list to that
failure group; ``e`` exports the numbers as JSON or CSV.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast
from weakref import WeakKeyDictionary

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.details import DEFAULT_LIMIT, DetailFetcher, Tally
from reducto_tui.core.filter_text import with_terms
from reducto_tui.core.insight import InsightNumbers, LiveInsight
from reducto_tui.core.store import JobStore
from reducto_tui.export import INSIGHT_CSV, INSIGHT_JSON, render_insight, write_atomic
from reducto_tui.render import insight as draw
from reducto_tui.render.text import clean
from reducto_tui.ui.commands import BY_ID
from reducto_tui.ui.screens.export import ExportScreen, ask_overwrite

if TYPE_CHECKING:
    from reducto_tui.ui.app import ReductoApp


def stylesheet(name: str) -> str:
    """styles/<name>, from the wheel (package data) or the source tree."""
    packaged = resources.files("reducto_tui").joinpath(f"styles/{name}")
    if packaged.is_file():
        return str(packaged)
    return str(Path(__file__).resolve().parents[3] / "styles" / name)


#: Below this width the sections stack instead of sitting side by side.
NARROW = 120
#: The headline's column beside the timeline on wide terminals.
HEADLINE_WIDTH = 68
#: The job list's detail fetches, one per store: a job once asked is not asked again.
_FETCHERS: WeakKeyDictionary[JobStore, DetailFetcher] = WeakKeyDictionary()
#: The aggregates stay attached to the store after the view closes (following a poll costs
#: well under a millisecond), so opening it again over the same filter needs no recount.
_LIVE: WeakKeyDictionary[JobStore, LiveInsight] = WeakKeyDictionary()


def live_insight(store: JobStore) -> LiveInsight:
    live = _LIVE.get(store)
    if live is None or live.stale:
        if live is not None:
            live.close()
        live = _LIVE[store] = LiveInsight(store)
    return live


def _side_by_side(left: list[Text], right: list[Text], right_width: int | None = None) -> Table:
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(ratio=1, no_wrap=True)
    if right_width:
        grid.add_column(width=right_width, no_wrap=True)
    else:
        grid.add_column(ratio=1, no_wrap=True)
    grid.add_row(Group(*left), Group(*right))
    return grid


#: The view's own keys: (key, words on the key line, what help says). While the view is
#: shown the job list's keys do nothing (``When.JOBS``): they would act on hidden jobs.
VIEW_KEYS = (
    ("1-9", "filter to a failure", "Back to the job list, filtered to that failure group"),
    ("e", "export", "Export these numbers (JSON or CSV), with the filter they cover"),
    ("r", "ask details", "Ask GET /job about more finished jobs (failure codes, credits)"),
    ("esc", "back", "Back to the job list (also i or q)"),
)


class InsightScreen(Screen[str | None]):
    """Dismissed with the filter text the list should show next (a failure group's), or
    ``None`` to leave the list as it was."""

    view_name = "insight view"

    CSS_PATH = stylesheet("insight.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,q", "close", "Back"),
        Binding("e", "export", "Export"),
        Binding("r", "details", "Ask details"),
        *(
            Binding(str(n), f"failure({n})", f"Filter to failure {n}", show=False)
            for n in range(1, draw.FAILURE_KEYS + 1)
        ),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"insight--{name}" for name in draw.STYLE_NAMES}

    def __init__(
        self, store: JobStore, client: ReductoClient, export_dir: Path, details: int = DEFAULT_LIMIT
    ) -> None:
        super().__init__()
        self.store = store
        self.client = client
        self.export_dir = export_dir
        self.details = details
        self.live = live_insight(store)
        self.numbers: InsightNumbers = self.live.numbers()
        fetcher = _FETCHERS.get(store)
        if fetcher is None or fetcher.client is not client:
            fetcher = _FETCHERS[store] = DetailFetcher(client, store)
        self.fetcher = fetcher
        self.fetching = False
        #: What this view's rounds of GET /job got.
        self.tally = Tally()
        #: Failed jobs in view whose reason the API no longer keeps (after each round).
        self.gone = 0
        self.asked = False
        self._drawn_at = (0, 0)

    def compose(self) -> ComposeResult:
        # Few widgets: the sections are laid out as rich grids in one Static, which costs
        # the terminal far less to compose than a container per section.
        yield Static(id="insight-title")
        with VerticalScroll(id="insight-body"):
            yield Static(id="insight-content")
        yield Static(id="insight-keys")

    def on_mount(self) -> None:
        self.query_one("#insight-body").focus()
        self.set_interval(1.0, self._tick)

    def on_resize(self, event: events.Resize) -> None:
        size = (event.size.width, event.size.height)
        if size != self._drawn_at:  # a screen gets two Resize events as it opens
            self._draw(*size)  # the first frame has the charts
        if not self.asked:
            self.asked = True
            # The charts on screen first, then the questions to the server.
            self.call_after_refresh(self.set_timer, 0.3, self.action_details)

    def _tick(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Read the numbers again and draw them (once a second, and after asking details)."""
        if self.live.stale:  # the list chose its rows anew under us (a re-sort): recount
            self.live = live_insight(self.store)
        self.numbers = self.live.numbers()
        self._draw()

    # ------------------------------------------------------------------ drawing

    def styles_map(self) -> dict[str, Style]:
        return {
            name: self.get_component_rich_style(f"insight--{name}") for name in draw.STYLE_NAMES
        }

    def _draw(self, width: int = 0, height: int = 0) -> None:
        n = self.numbers
        styles = self.styles_map()
        width = width or self.size.width or 80
        height = height or self.size.height or 24
        self._drawn_at = (width, height)
        narrow = width < NARROW
        half = width - 4 if narrow else width // 2 - 3
        flt = self.store.view.filter.text
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Insight ", style=styles["title"])
        title.append(f" {n.jobs:,} jobs in view")
        title.append(f" · filter: {clean(flt, True)}" if flt else " · no filter", style="dim")
        if self.fetching:
            title.append(" · asking for details…", style="dim")
        elif self.fetcher.problem:
            title.append(f" · details: {clean(self.fetcher.problem, True)}", style="dim")
        elif self.tally.asked:
            title.append(f" · details: {draw.details_words(self.tally)}", style="dim")
        self.query_one("#insight-title", Static).update(title)
        chart_w = width - 4 if narrow else width - HEADLINE_WIDTH - 6
        height = 5 if height < 30 else 8 if height < 44 else 12
        timeline = draw.timeline_lines(n, chart_w, height, styles)
        headline = draw.headline_lines(n, styles)
        latency = draw.latency_lines(n, half, styles)
        failures = draw.failure_lines(n, half, styles, self.gone)
        blank = [Text()]
        content = self.query_one("#insight-content", Static)
        if narrow:
            lines = [*timeline, *blank, *headline, *blank, *latency, *blank, *failures]
            content.styles.height = len(lines)
            content.update(Group(*lines))
        else:
            top = _side_by_side(timeline, headline, right_width=HEADLINE_WIDTH)
            bottom = _side_by_side(latency, failures)
            # Lines never wrap: the height is known, and layout need not measure it.
            content.styles.height = (
                max(len(timeline), len(headline)) + 1 + max(len(latency), len(failures))
            )
            content.update(Group(top, Text(), bottom))
        keys = Text(no_wrap=True, overflow="ellipsis")
        for key, what, _ in VIEW_KEYS:
            keys.append(f" {key} ", style=styles["key"])
            keys.append(f"{what} ")
        self.query_one("#insight-keys", Static).update(keys)

    # ------------------------------------------------------------------ help & palette

    def help_rows(self) -> list[tuple[str, str, str]]:
        app = cast("ReductoApp", self.app)
        return [
            *((key, words, "") for key, _, words in VIEW_KEYS),
            (app.key_display(BY_ID["help"]), "Show these keys", "help"),
            ("ctrl+p", "Command palette: these actions, theme, quit", ""),
            ("ctrl+q", "Quit", ""),
        ]

    def palette_commands(self) -> Iterable[SystemCommand]:
        for number, group in enumerate(self.numbers.failures[: draw.FAILURE_KEYS], start=1):
            yield SystemCommand(
                f"Filter to failure {number} ({number}): {clean(group.key, True)}",
                f"{group.count:,} failed jobs · back to the list, filtered to them",
                partial(self.call_later, self.action_failure, number),
            )
        for title, help_text, action in (
            ("Export insight (e)", VIEW_KEYS[1][2], self.action_export),
            ("Ask details (r)", VIEW_KEYS[2][2], self.action_details),
            ("Back to the job list (esc)", "Close the insight view", self.action_close),
        ):
            yield SystemCommand(title, help_text, partial(self.call_later, action))

    # ------------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    def action_failure(self, number: int) -> None:
        groups = self.numbers.failures
        if not 1 <= number <= len(groups):
            self.app.notify(f"No failure group {number}.", severity="warning")
            return
        # The user's other terms stay; a status term of theirs would contradict "failed".
        self.dismiss(with_terms(self.store.view.filter.text, groups[number - 1].filter_term))

    def action_details(self) -> None:
        if not self.fetching:
            self._fetch_details()

    @work(exclusive=True, group="insight-details")
    async def _fetch_details(self) -> None:
        self.fetching = True
        self._draw()
        try:
            await self.fetcher.fetch(list(self.store.view.rows), self.details)
            self.tally.add(self.fetcher.last)
        finally:
            self.fetching = False
        self.gone = self.fetcher.unknowable(self.store.view)
        self.redraw()

    def action_export(self) -> None:
        # Numbers of a moment: each export gets its own name, so a second one never meets
        # the first (the same name typed again asks before overwriting).
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.store.clock()))
        self.app.push_screen(
            ExportScreen(
                "the insight numbers",
                [INSIGHT_JSON, INSIGHT_CSV],
                self.export_dir,
                None,
                name=lambda form: f"reducto-insight-{stamp}{form.suffix}",
            ),
            self._exported,
        )

    def _exported(self, choice: tuple[object, Path] | None) -> None:
        if choice is None:
            return
        form, path = choice
        body = draw.safe_numbers(self.live.numbers(), self.store.view.filter.text, self.gone)
        ask_overwrite(self.app, path, partial(self._write, form is INSIGHT_CSV, path, body))

    @work(exclusive=True, group="insight-export")
    async def _write(self, csv: bool, path: Path, body: dict[str, Any], overwrite: bool) -> None:
        text = render_insight(body, csv=csv)
        try:
            where = await asyncio.to_thread(write_atomic, path, text, overwrite=overwrite)
        except FileExistsError:  # taken between the question and the write
            self.app.notify(f"Not written: {path} exists now.", severity="error")
            return
        except OSError as exc:
            why = exc.strerror or str(exc)
            self.app.notify(f"Export failed, nothing written: {why}", severity="error")
            return
        self.app.notify(f"Wrote {where}")


def open_insight(app: ReductoApp) -> None:
    """Show the view over the list's filter; a failure key's answer becomes the filter."""

    def chosen(text: str | None) -> None:
        if text is not None:
            box = app.main.filter_box
            box.display = True
            box.value = text  # the box is the one source of the filter

    app.push_screen(InsightScreen(app.store, app.client, app.settings.export_dir), chosen)
