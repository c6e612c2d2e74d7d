"""Choose a format and a path; the app does the writing (atomically).

The formats are an option list: the arrow keys highlight one (the path follows) and enter
exports with it, as the dialog's first focus is the list.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from reducto_tui.export import ExportFormat, default_name
from reducto_tui.ui.screens.confirm import ConfirmScreen


class ExportScreen(ModalScreen[tuple[ExportFormat, Path] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        what: str,
        formats: list[ExportFormat],
        directory: Path,
        job_id: str | None,
        name: Callable[[ExportFormat], str] | None = None,
    ) -> None:
        """``name``: the file name proposed for a format (default: :func:`default_name`)."""
        super().__init__()
        self.what = what
        self.formats = formats
        self.directory = directory
        self.job_id = job_id
        self.name_for = name or partial(default_name, job_id)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Export {self.what}", classes="title", markup=False)
            yield OptionList(
                *(Option(fmt.label, id=f"fmt-{fmt.key}") for fmt in self.formats), id="formats"
            )
            yield Input(str(self.directory / self.name_for(self.formats[0])), id="path")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="export", variant="primary")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def _chosen(self) -> ExportFormat:
        index = self.query_one(OptionList).highlighted
        return self.formats[index if index is not None else 0]

    @on(OptionList.OptionHighlighted)
    def _format_changed(self) -> None:
        path_input = self.query_one("#path", Input)
        current = Path(path_input.value)
        path_input.value = str(current.parent / self.name_for(self._chosen()))

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#path")
    @on(OptionList.OptionSelected)
    def _export(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            self.notify("Enter a file path.", severity="error")
            return
        self.dismiss((self._chosen(), Path(value).expanduser()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_overwrite(app: App[Any], path: Path, then: Callable[[bool], object]) -> None:
    """``then(False)`` when ``path`` is free; if a file holds it, ask first and call
    ``then(True)`` only on "Overwrite" (a second export of the same thing is not an error)."""
    if not os.path.lexists(path):
        then(False)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            then(True)

    question = Text(f"{path} exists. Overwrite it?")
    app.push_screen(ConfirmScreen("File exists", question, yes="Overwrite"), answered)
