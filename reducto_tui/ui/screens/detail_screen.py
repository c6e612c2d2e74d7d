"""On narrow terminals the detail takes the whole screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from reducto_tui.ui.widgets.detail import DetailPane


class DetailScreen(Screen[None]):
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, pane: DetailPane) -> None:
        super().__init__()
        self.pane = pane

    def action_close(self) -> None:
        self.dismiss(None)

    def compose(self) -> ComposeResult:
        yield self.pane
        yield Footer()
