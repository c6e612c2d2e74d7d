"""The job table: a ScrollView that draws only the visible rows of the store's view.

A DataTable fed 100,000 rows blocks the event loop for seconds; this widget
keeps no per-row widgets or caches, so its cost per frame is the visible height.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from reducto_tui.api.status import shown_status
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import JobView
from reducto_tui.render import format as fmt
from reducto_tui.render.status import STATE_CLASSES, status_label
from reducto_tui.render.text import clean, file_name, shorten
from reducto_tui.ui.archived import ARCHIVED_GLYPH
from reducto_tui.ui.cadence import Throttle
from reducto_tui.ui.widgets.scroll_size import FrameStyled, set_scroll_size


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    #: Sort key name in ``core.store.SORT_KEYS`` (None: not sortable).
    sort: str | None
    #: Narrow terminals drop columns with the highest ``drop`` first (0 = always shown).
    drop: int = 0


COLUMNS = (
    Column("mark", " ", 2, None),
    Column("status", "Status", 14, "status"),
    Column("type", "Type", 9, "type", 1),
    Column("id", "Job ID", 10, "id"),
    Column("source", "Source (file)", 0, "source"),
    Column("created", "Created", 16, "created"),
    Column("pages", "Pages", 7, "pages", 2),
    Column("duration", "Duration", 11, "duration", 3),
    Column("progress", "Progress", 12, None, 4),
)
#: Shown when ``show_credits`` (config ``credits_column`` or the ``$`` toggle). Asked for, it
#: stays longer than pages, duration and progress on a narrow terminal.
CREDITS = Column("credits", "Credits", 8, None, 1)
MIN_SOURCE = 14
NEAR_END_ROWS = 20
#: Seconds between repaints while a long filter scan fills the table.
SCAN_REPAINT = 0.1

_BASE = Style()
_DIM = Style(dim=True)


class JobTable(FrameStyled, can_focus=True):
    """Rows come from a :class:`JobView`; the table follows its changes by itself.

    The cursor belongs to a job, not to an index: when the view's rows are replaced (a
    refresh, a page, a filter) the table finds that job again at that moment, so whatever
    happened while a request was on its way, the cursor never snaps back to an old row.
    On the first row it follows the top (new jobs push in above and the newest is
    highlighted); scrolled away, it stays put and counts the arrivals above ("↑ N new").
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    # Colours come from the theme (styles/app.tcss): a theme switch repaints the table.
    COMPONENT_CLASSES = {
        "job-table--header",
        "job-table--header-sorted",
        "job-table--cursor",
        "job-table--cursor-idle",
        "job-table--new",
        "job-table--marked",
        "job-table--progress",
        "job-table--local",
        "job-table--stuck",
        *(f"job-table--{name}" for name in STATE_CLASSES.values()),
    }

    cursor = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, row: JobRow | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        def __init__(self, row: JobRow) -> None:
            super().__init__()
            self.row = row

    class NearEnd(Message):
        """The cursor is close to the last loaded row: time to load the next page."""

    class Filtered(Message):
        """A filter scan that ran in steps has finished: the whole result is shown."""

    class HeaderClicked(Message):
        def __init__(self, sort: str) -> None:
            super().__init__()
            self.sort = sort

    def __init__(
        self,
        view: JobView,
        marks: set[str],
        clock: Callable[[], float] = time.time,
        *,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.view = view
        self.marks = marks
        self.clock = clock
        self._columns: list[Column] = list(COLUMNS)
        self.show_credits = False
        self._source_width = 20
        #: The rows under the cursor and at the top of the screen: what the table keeps in
        #: place when the view changes (it may edit its rows list in place).
        self._cursor_row: JobRow | None = None
        self._top_row: JobRow | None = None
        #: The job the user last saw highlighted: painted under the cursor, or moved to by
        #: the user. On the top row the cursor follows new jobs as they arrive; until that
        #: is painted, a key still means the job the user was looking at (rule 7).
        self._seen: JobRow | None = None
        #: Jobs that arrived above the screen while the user was scrolled away.
        self.new_above = 0
        #: While held (loading every page), view changes keep the cursor on its job but
        #: leave resizing and repainting to ``refresh_rows`` on the caller's cadence.
        self._paint_held = False
        self._styles: dict[str, Style] = {}
        #: The table's own style while one frame is drawn (see ``render_lines``).
        #: Where the "↑ N new" marker was drawn in the header: (first, end) column.
        self._marker: tuple[int, int] | None = None
        view.subscribe(self._view_changed)

    # ------------------------------------------------------------------ data

    @property
    def current(self) -> JobRow | None:
        rows = self.view.shown
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    @property
    def highlighted(self) -> JobRow | None:
        """The job an action on "the highlighted row" hits: the one the user saw highlighted
        while it is in view (a new job may have taken the cursor since the last frame)."""
        seen = self._seen
        if seen is not None and self.view.index_of(seen.job_id) is not None:
            return seen
        return self.current

    def refresh_rows(self) -> None:
        """Resize to the view and repaint."""
        self._clamp()
        self._resize(Size(self._total_width(), len(self.view.shown) + 1))
        self.refresh()

    def _resize(self, size: Size) -> None:
        # Without a screen layout while only the height changes (issue 14: twice a second
        # while loading, every keystroke).
        set_scroll_size(self, size)

    def hold_paint(self, held: bool) -> None:
        """Hold (or release) the table's own repaint on view changes, ``refresh_rows``
        repainting on the holder's cadence: pages arriving every few ms would otherwise
        each cost a frame (issue 14)."""
        self._paint_held = held

    def _repaint(self) -> None:
        if not self._paint_held:
            self.refresh()

    def _view_changed(self) -> None:
        if self.view.scanning:
            self._scan_rest()
        rows = self.view.shown
        top = int(self.scroll_offset.y)
        following = self.cursor == 0 and top == 0
        cursor_row, top_row = self._cursor_row, self._top_row
        size = Size(self._total_width(), len(rows) + 1)
        if not self._paint_held:
            self._resize(size)
        if following:
            if not rows or rows[0] is not cursor_row:
                self.cursor = 0  # the newest job is highlighted (and posted as such)
            self._top_row = rows[0] if rows else None
            self._repaint()
            return
        index = self.view.index_of(cursor_row.job_id) if cursor_row is not None else None
        if index is not None:
            if index != self.cursor:
                self.set_cursor(index, scroll=False)
        else:  # its job left the view: the cursor stays at its place, on another job
            self.cursor = max(0, min(self.cursor, len(rows) - 1))
        new_top = self.view.index_of(top_row.job_id) if top_row is not None else None
        if new_top is not None and new_top != top:
            # Rows arrived (or left) above: scroll with them so what the user looks at
            # stays put on screen instead of jumping.
            self.new_above += max(0, new_top - top)
            self._resize(size)  # room to scroll there, held or not
            self.scroll_to(y=new_top, animate=False, immediate=True)
        top = int(self.scroll_offset.y)
        self._top_row = rows[top] if 0 <= top < len(rows) else None
        self._repaint()

    @work(exclusive=True, group="filter-scan")
    async def _scan_rest(self) -> None:
        """Finish a long filter pass a chunk at a time between frames, so typing stays
        responsive; the rows found so far are shown a few times a second."""
        paint = Throttle(SCAN_REPAINT)
        paint.ready()  # the keystroke's own frame shows the first chunk
        while self.view.scan_step():
            if paint.ready():
                self.refresh_rows()
            await asyncio.sleep(0)
        self.refresh_rows()
        self.post_message(self.Filtered())

    def to_top(self) -> None:
        """Show the first rows with the cursor on the first one (a new filter or sort)."""
        self.new_above = 0
        self.set_cursor(0, scroll=False)
        self._seen = self.current  # the user asked for the top
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        rows, top = self.view.shown, int(new_value)
        self._top_row = rows[top] if 0 <= top < len(rows) else None
        if int(new_value) == 0 and self.new_above:
            self.new_above = 0
            self.refresh()

    def refresh_job(self, job_id: str) -> None:
        """Repaint one row if it is on screen (a live update of a single job)."""
        top = int(self.scroll_offset.y)
        for n, row in enumerate(self.view.shown[top : top + self.size.height]):
            if row.job_id == job_id:
                self.refresh(Region(0, n + 1, self.size.width, 1))
                return

    def visible_ids(self) -> set[str]:
        top = int(self.scroll_offset.y)
        return {r.job_id for r in self.view.shown[top : top + max(1, self.size.height - 1)]}

    def set_cursor(self, index: int, scroll: bool = True) -> None:
        """Move the cursor; ``scroll`` marks a user's move (scroll to it, maybe load more)."""
        self.cursor = max(0, min(index, len(self.view.shown) - 1))
        if scroll:
            self._seen = self.current  # the user's own move: they know where it went
            self._scroll_to_cursor()
            if len(self.view.shown) - self.cursor <= NEAR_END_ROWS:
                self.post_message(self.NearEnd())

    def _clamp(self) -> None:
        if self.cursor >= len(self.view.shown):
            self.cursor = max(0, len(self.view.shown) - 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._cursor_row = self.current
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def _scroll_to_cursor(self) -> None:
        body = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    # ------------------------------------------------------------------ actions

    def action_cursor(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.set_cursor(self.cursor + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.set_cursor(0)
        self.scroll_to(y=0, animate=False)

    def action_last(self) -> None:
        self.set_cursor(len(self.view.shown) - 1)

    def on_click(self, event: events.Click) -> None:
        marker = self._marker
        x = event.x + int(self.scroll_offset.x)
        if event.y == 0 and self.new_above and marker and marker[0] <= x < marker[1]:
            self.action_first()
            return
        if event.y == 0:
            sort = self._column_at(event.x + int(self.scroll_offset.x))
            if sort:
                self.post_message(self.HeaderClicked(sort))
            return
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.view.shown):
            if index == self.cursor and event.chain >= 2:
                row = self.current
                if row is not None:
                    self.post_message(self.Selected(row))
            self.set_cursor(index)

    def _column_at(self, x: int) -> str | None:
        edge = 0
        for col in self._columns:
            edge += self._width(col) + 1
            if x < edge:
                return col.sort
        return None

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns(event.size.width)
        self.refresh_rows()

    # ------------------------------------------------------------------ layout

    def toggle_credits(self) -> bool:
        """Show or hide the Credits column; False when it is on but the window is too narrow."""
        self.show_credits = not self.show_credits
        self._layout_columns(self.size.width)
        self.refresh_rows()
        return not self.show_credits or CREDITS in self._columns

    def _layout_columns(self, width: int) -> None:
        columns = [*COLUMNS, CREDITS] if self.show_credits else list(COLUMNS)
        gutter = 2  # the stable vertical scrollbar

        def room_for_source() -> int:  # every other column and each one-cell separator
            return width - gutter - sum(c.width + 1 for c in columns if c.key != "source") - 1

        while room_for_source() < MIN_SOURCE and any(c.drop for c in columns):
            columns.remove(max(columns, key=lambda c: c.drop))
        self._columns = columns
        self._source_width = max(MIN_SOURCE, room_for_source())

    def _width(self, col: Column) -> int:
        return self._source_width if col.key == "source" else col.width

    def _total_width(self) -> int:
        return sum(self._width(c) + 1 for c in self._columns)

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.frame_style()
        if y == 0:
            strip = self._header()
        else:
            index = int(scroll_y) + y - 1
            rows = self.view.shown
            if index >= len(rows):
                return Strip.blank(width, base)
            if index == self.cursor:
                self._seen = rows[index]
            strip = self._row(rows[index], index == self.cursor)
        # The theme's colours under every cell, blanks included (NO_COLOR's monochrome
        # filter needs a style on each).
        return strip.crop_extend(int(scroll_x), int(scroll_x) + width, base).apply_style(base)

    def _style(self, name: str) -> Style:
        """A style of the table from the theme (``job-table--<name>`` in the styles): only
        what the class sets (the cursor keeps a cell's own colour), with translucent
        colours blended over the table's background."""
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"job-table--{name}")
            part = self.get_component_rich_style(f"job-table--{name}", partial=True)
            style = part + Style(
                color=full.color if part.color else None,
                bgcolor=full.bgcolor if part.bgcolor else None,
            )
            self._styles[name] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # a new theme

    def _header(self) -> Strip:
        header_style, sorted_style = self._style("header"), self._style("header-sorted")
        segments = []
        arrow = "▼" if self.view.descending else "▲"
        x = 0
        self._marker = None
        for col in self._columns:
            width = self._width(col)
            sorted_here = col.sort == self.view.sort_column
            title = f"{col.title} {arrow}" if sorted_here else col.title
            style = sorted_style if sorted_here else header_style
            if col.key == "source" and self.new_above:
                # The marker takes the room the file names leave in their own column's
                # title, never another column's title.
                segments.extend(self._with_marker(title, width, x, style))
            else:
                segments.append(Segment(shorten(title, width).ljust(width + 1), style))
            x += width + 1
        return Strip(segments)

    def _with_marker(self, title: str, width: int, x: int, style: Style) -> list[Segment]:
        label = self._new_label()
        if len(label) > width:
            label = f"↑{fmt.count(self.new_above)} new"[:width]
        title = shorten(title, width - len(label) - 1) if width > len(label) + 1 else ""
        gap = width - len(title) - len(label)
        self._marker = (x + len(title) + gap, x + width)
        return [
            Segment(title + " " * gap, style),
            Segment(label, self._style("new")),
            Segment(" ", style),
        ]

    def _new_label(self) -> str:
        return f" ↑ {fmt.count(self.new_above)} new (home) "

    def _row(self, row: JobRow, is_cursor: bool) -> Strip:
        now = self.clock()
        marked = row.job_id in self.marks
        cursor = self._style("cursor" if self.has_focus else "cursor-idle")
        segments: list[Segment] = []
        for col in self._columns:
            width = self._width(col)
            text, style = self._cell(col.key, row, width, now, marked)
            cell = shorten(text, width).ljust(width) + " "
            if is_cursor:
                style = style + cursor
            segments.append(Segment(cell, style))
        return Strip(segments)

    def _cell(
        self, key: str, row: JobRow, width: int, now: float, marked: bool
    ) -> tuple[str, Style]:
        if key == "mark":
            return ("●" if marked else " ") + (ARCHIVED_GLYPH if row.archived else ""), self._style(
                "marked"
            )
        if key == "status":
            if not row.local and self.view.store.stuck.is_stuck(row, now):
                label = clean(shown_status(row.status, row.kind), True) or "unknown"
                return f"⚠ stuck? {label}", self._style("stuck")
            label = status_label(row.status, row.kind, row.local)
            return label, self._style("local" if row.local else STATE_CLASSES[row.kind])
        if key == "type":
            return clean(row.type, True), _BASE
        if key == "id":
            return clean(row.job_id[:8], True), _DIM
        if key == "source":
            # The file name is what people recognise; the full source is in the detail.
            return clean(file_name(row.source), True), self._style("marked") if marked else _BASE
        if key == "created":
            return fmt.ago(row.created, now), _BASE
        if key == "pages":
            return fmt.pages(row.num_pages, row.total_pages), _BASE
        if key == "duration":
            return fmt.duration(row.duration), _BASE
        if key == "credits":
            return ("" if row.credits is None else fmt.number(row.credits)), _BASE
        if key == "progress":
            return fmt.progress_bar(row.progress, width), self._style("progress")
        return "", _BASE
