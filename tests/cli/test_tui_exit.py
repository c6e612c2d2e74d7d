"""The TUI's exit status: a crash inside the app exits non-zero (Textual alone returns 0)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from reducto_tui.cli.app import run_app
from reducto_tui.cli.exits import CRASH


class Crashing(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("about to fail")
        raise RuntimeError("a bug in a widget")

    def run(self, *args: object, **kwargs: object) -> None:
        super().run(headless=True)


class Quitting(App[None]):
    def on_mount(self) -> None:
        self.exit()

    def run(self, *args: object, **kwargs: object) -> None:
        super().run(headless=True)


def test_a_crash_exits_with_the_crash_code() -> None:
    with pytest.raises(SystemExit) as exited:
        run_app(Crashing())
    assert exited.value.code == CRASH != 0


def test_quitting_exits_0() -> None:
    run_app(Quitting())  # returns: the CLI exits 0
