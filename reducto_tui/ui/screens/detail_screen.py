"""On narrow terminals the detail takes the whole screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from reducto_tui.ui.widgets.detail import DetailPane
from reducto_tui.ui.widgets.key_bar import KeyBar


class DetailScreen(Screen[None]):
    BINDINGS = [Binding("escape", "close", "Back")]
    # Auto-focus would pick the Summary's scroll area and so switch to the Summary tab;
    # the pane focuses its active tab's content itself.
    AUTO_FOCUS = ""

    def __init__(self, pane: DetailPane) -> None:
        super().__init__()
        self.pane = pane

    def action_close(self) -> None:
        self.dismiss(None)

    def compose(self) -> ComposeResult:
        yield self.pane
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.pane.call_after_refresh(self.pane.focus_content)
