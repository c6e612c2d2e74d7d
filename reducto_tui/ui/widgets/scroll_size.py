"""Scrolling widgets drawn line by line: grown without laying out the whole screen, and\nstyled once a frame."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


def set_scroll_size(widget: ScrollView, size: Size) -> None:
    """Set ``widget``'s scrollable size. ``virtual_size`` is a layout reactive: setting it
    lays out the whole screen again (tens of ms), which only a change of width or of whether
    the vertical scrollbar shows needs. While rows come and go below the fold (a list
    loading, a JSON index growing), only the scrollbar and the widget repaint (issue 14)."""
    old = widget.virtual_size
    if size == old:
        return
    body = widget.scrollable_content_region.height
    scrolling = old.height > body and size.height > body and body > 0
    if size.width != old.width or not scrolling or not widget.show_vertical_scrollbar:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    bar = widget.vertical_scrollbar
    bar.window_virtual_size = size.height
    bar.refresh()
    if widget.scroll_y > widget.max_scroll_y:
        widget.scroll_to(y=widget.max_scroll_y, animate=False, immediate=True)
    widget.refresh()


class FrameStyled(ScrollView):
    """A scroll view whose ``render_line`` reads the widget's style from
    :meth:`frame_style`: ``rich_style`` walks every ancestor's styles each time it is read,
    so it is read once a frame, not once a line (it was most of a repaint's time, issue 14)."""

    _frame_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def frame_style(self) -> Style:
        return self.rich_style if self._frame_style is None else self._frame_style
