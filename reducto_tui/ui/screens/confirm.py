"""A yes/no dialog that defaults to "No"."""

from __future__ import annotations

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes"),
    ]

    def __init__(
        self, title: str, body: RenderableType, yes: str = "Yes", include: str | None = None
    ) -> None:
        """``include`` labels an opt-in checkbox (off by default), read as :attr:`included`."""
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.include = include
        self.included = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, markup=False, classes="title")
            yield Static(self.body, id="question")
            with Vertical(classes="foot"):  # stays on screen; the question scrolls
                if self.include:
                    yield Checkbox(self.include, value=False, id="include")
                with Horizontal():
                    yield Button("No", id="no", variant="primary")
                    yield Button(self.yes, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        if self.include:
            self.included = self.query_one("#include", Checkbox).value
        self.dismiss(value)
