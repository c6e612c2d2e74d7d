"""Growing a scrolling widget without laying out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
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
