"""A line-virtualised, highlighted, searchable view of (possibly hundreds of megabytes of) JSON.

The view holds one text and the offset where each line starts (an ``array``), never a
Python string per line: 11 million lines as a list of strings took gigabytes and seconds
to build. Big JSON comes as a :class:`~reducto_tui.render.json_lines.JsonLines` (the text
as received, indexed as pretty-printed lines while it is shown). Only the lines on screen
are made, cleaned and highlighted, as they are drawn.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

from rich.highlighter import JSONHighlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip

from reducto_tui.render.json_lines import JsonLines
from reducto_tui.render.text import clean
from reducto_tui.ui.widgets.scroll_size import FrameStyled, set_scroll_size

_HIGHLIGHT = JSONHighlighter()
_MATCH = Style(bgcolor="yellow", color="black")
_NEWLINE = re.compile("\n")
#: Lines measured for the horizontal scroll range (measuring millions is not worth it).
_MEASURED = 5000


def line_starts(text: str) -> array[int]:
    """Where each line of ``text`` starts (run it in a thread for big texts)."""
    starts = array("q", [0])
    starts.extend(m.end() for m in _NEWLINE.finditer(text))
    if len(starts) > 1 and starts[-1] == len(text):
        starts.pop()  # a final newline does not start another line
    return starts


class JsonView(FrameStyled, can_focus=True):
    DEFAULT_CSS = "JsonView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = ""
        self._starts: array[int] = array("q")
        self._json: JsonLines | None = None
        self.query_text = ""
        self.match_line: int | None = None
        #: The view's own style while one frame is drawn (see ``render_lines``).

    def on_unmount(self) -> None:
        self.set_lines([])  # a closed pane's JSON goes at once, whatever still holds the view

    @property
    def line_count(self) -> int:
        return self._json.line_count if self._json is not None else len(self._starts)

    def line(self, index: int, limit: int | None = None) -> str:
        """Line ``index`` as received (not cleaned for display)."""
        if self._json is not None:
            return self._json.line(index, limit)
        start = self._starts[index]
        end = self._starts[index + 1] - 1 if index + 1 < len(self._starts) else len(self._text)
        return self._text[start:end].rstrip("\n")

    def set_lines(self, lines: list[str]) -> None:
        """A few lines (a message); big texts go through :meth:`set_text`."""
        text = "\n".join(lines)
        self.set_text(text, line_starts(text) if text else array("q"))

    def set_text(self, text: str, starts: array[int]) -> None:
        self._json = None
        self._text = text
        self._starts = starts
        count = min(len(starts), _MEASURED)
        width = max((len(self.line(n)) for n in range(count)), default=0)
        self._shown(width)

    def set_json(self, lines: JsonLines) -> None:
        """Show ``lines`` (its index may still be growing: call :meth:`grew` as it does)."""
        self._text = ""
        self._starts = array("q")
        self._json = lines
        self._shown(lines.width_hint(_MEASURED))

    def grew(self) -> None:
        """More of the JSON's lines are indexed."""
        if self._json is not None:
            # Four times a second while a big JSON is indexed: no screen layout for it.
            set_scroll_size(self, Size(self.virtual_size.width, self.line_count))
            if self.query_text and self.match_line is None:
                self.find(self.query_text)

    def _shown(self, width: int) -> None:
        self.virtual_size = Size(width + 1, self.line_count)
        self.match_line = None
        if self.query_text:  # a search typed while the JSON was still being prepared
            self.find(self.query_text)
        self.refresh()

    def find(self, query: str) -> int | None:
        """Jump to the next line containing ``query`` (case-insensitive), wrapping around."""
        self.query_text = query
        index = self._find(query, self.match_line)
        if index is None:
            self.match_line = None
            self.refresh()
            return None
        self.match_line = index
        self.scroll_to(y=max(0, index - 3), animate=False)
        self.refresh()
        return index

    def _find(self, query: str, here: int | None) -> int | None:
        if self._json is not None:
            return self._json.find(query, here)
        if not query or not self._starts:
            return None
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        start = self._starts[here + 1] if here is not None and here + 1 < self.line_count else 0
        found = pattern.search(self._text, start) or pattern.search(self._text, 0, start)
        return None if found is None else bisect_right(self._starts, found.start()) - 1

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = int(scroll_y) + y
        width = self.size.width
        base = self.frame_style()
        if index >= self.line_count:
            return Strip.blank(width, base)
        # Only what can show: a megabyte-long line is cut before it is cleaned and coloured.
        shown = int(scroll_x) + width + 1
        raw = self.line(index, shown)[:shown]
        text = Text(clean(raw, single_line=True))
        _HIGHLIGHT.highlight(text)
        if self.query_text:
            text.highlight_words([self.query_text], _MATCH, case_sensitive=False)
        segments = list(text.render(self.app.console))
        if index == self.match_line:
            segments = [
                Segment(s.text, (s.style or Style()) + Style(bold=True, underline=True))
                for s in segments
            ]
        # A style on every cell, blanks included: NO_COLOR's monochrome filter needs one.
        return Strip(segments).crop_extend(int(scroll_x), int(scroll_x) + width, base)
