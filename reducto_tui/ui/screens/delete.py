"""Delete is irreversible: the user types "delete" and chooses include_persisted."""

from __future__ import annotations

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static


class DeleteScreen(ModalScreen[tuple[bool, bool]]):
    """Dismisses with (confirmed, include_persisted)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, body: RenderableType, include: str | None = None) -> None:
        """``include`` labels an opt-in checkbox (off by default), read as :attr:`included`."""
        super().__init__()
        self.body = body
        self.include = include
        self.included = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Delete job data — this cannot be undone", classes="title")
            yield Static(self.body, id="names")
            with Vertical(classes="foot"):  # stays on screen; the names scroll
                if self.include:
                    yield Checkbox(self.include, value=False, id="include")
                yield Checkbox(
                    "Also delete persisted artifacts (include_persisted)", id="persisted"
                )
                yield Input(placeholder='type "delete" to confirm', id="confirm")
                with Horizontal():
                    yield Button("Cancel", id="cancel", variant="primary")
                    yield Button("Delete", id="delete", variant="error", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#confirm", Input).focus()

    @on(Input.Changed, "#confirm")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#delete", Button).disabled = event.value.strip().lower() != "delete"

    @on(Input.Submitted, "#confirm")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip().lower() == "delete":
            self._done()

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        self._done()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss((False, False))

    def _done(self) -> None:
        if self.include:
            self.included = self.query_one("#include", Checkbox).value
        self.dismiss((True, self.query_one("#persisted", Checkbox).value))
