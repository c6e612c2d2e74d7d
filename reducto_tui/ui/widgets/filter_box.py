"""The filter box above the job list."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """An ``Input`` whose typing repaints only itself.

    ``Input`` sets its scrollable width to its text's width on every key, and Textual's
    ``virtual_size`` is a layout reactive: each key laid out the whole screen again (tens of
    ms at 100k jobs, issue 14). The box's own size is fixed by its style (full width, three
    lines), so a longer text changes only how far it can scroll, which ``virtual_size`` tells
    the scrolling code directly; a repaint of the box is all a key needs.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=True)
