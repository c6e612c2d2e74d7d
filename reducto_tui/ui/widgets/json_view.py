"""A line-virtualised, highlighted, searchable view of (possibly megabytes of) JSON text."""

from __future__ import annotations

from rich.highlighter import JSONHighlighter
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reducto_tui.render.text import clean

_HIGHLIGHT = JSONHighlighter()
_MATCH = Style(bgcolor="yellow", color="black")


class JsonView(ScrollView, can_focus=True):
    DEFAULT_CSS = "JsonView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[str] = []
        self.query_text = ""
        self.match_line: int | None = None

    def set_lines(self, lines: list[str]) -> None:
        self.lines = [clean(line, single_line=True) for line in lines]
        width = max((len(line) for line in self.lines[:5000]), default=0)
        self.virtual_size = Size(width + 1, len(self.lines))
        self.match_line = None
        if self.query_text:  # a search typed while the JSON was still being prepared
            self.find(self.query_text)
        self.refresh()

    def find(self, query: str, forward: bool = True) -> int | None:
        """Jump to the next line containing ``query`` (case-insensitive), wrapping around."""
        self.query_text = query
        if not query or not self.lines:
            self.match_line = None
            self.refresh()
            return None
        needle = query.lower()
        start = (self.match_line + 1) if self.match_line is not None else 0
        n = len(self.lines)
        for step in range(n):
            index = (start + step) % n if forward else (start - 2 - step) % n
            if needle in self.lines[index].lower():
                self.match_line = index
                self.scroll_to(y=max(0, index - 3), animate=False)
                self.refresh()
                return index
        self.match_line = None
        self.refresh()
        return None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = int(scroll_y) + y
        width = self.size.width
        if index >= len(self.lines):
            return Strip.blank(width)
        text = Text(self.lines[index])
        _HIGHLIGHT.highlight(text)
        if self.query_text:
            text.highlight_words([self.query_text], _MATCH, case_sensitive=False)
        segments = list(text.render(self.app.console))
        if index == self.match_line:
            segments = [
                Segment(s.text, (s.style or Style()) + Style(bold=True, underline=True))
                for s in segments
            ]
        return Strip(segments).crop_extend(int(scroll_x), int(scroll_x) + width, None)
