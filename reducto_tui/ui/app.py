"""The Textual app: it owns the services (client, store, poller), the global bindings, the
command palette and the help; the job list and the detail are the MainScreen's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from textual import events, on
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import ConfigError, Settings, make_client, remember_theme
from reducto_tui.core.poller import Poller
from reducto_tui.core.rerun import Lineage
from reducto_tui.core.store import JobStore
from reducto_tui.render.text import clean
from reducto_tui.ui.commands import (
    BY_ACTION,
    COMMANDS,
    Command,
    OwnKeys,
    When,
    bindings,
    key_display,
)
from reducto_tui.ui.screens.detail_screen import DetailScreen
from reducto_tui.ui.screens.help import HelpScreen
from reducto_tui.ui.screens.insight import open_insight
from reducto_tui.ui.screens.main import MainScreen
from reducto_tui.ui.services import Services
from reducto_tui.ui.studio import open_studio
from reducto_tui.ui.widgets.detail import DetailPane


def stylesheet(name: str) -> Path:
    """styles/<name>, from the wheel (package data) or the source tree."""
    packaged = resources.files("reducto_tui").joinpath(f"styles/{name}")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "styles" / name


class ReductoApp(App[None]):
    TITLE = "reducto-tui"
    CSS_PATH = [str(stylesheet("app.tcss")), str(stylesheet("dialogs.tcss"))]
    # Every key is the app's, so it works on the full-screen detail as beside the list;
    # the actions that act on the list or on jobs are the main screen's (see the end).
    BINDINGS = bindings()

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        client: ReductoClient | None = None,
        clock: Callable[[], float] = time.time,
        auto_refresh: bool = True,
        config_file: Path | None = None,
    ) -> None:
        """``config_file``: where the chosen theme is remembered (None: it is not)."""
        super().__init__()
        self.settings = settings
        self.config_file = config_file
        self._theme_timer: Timer | None = None
        self.demo = demo
        self.clock = clock
        self.client = client or make_client(settings)
        self.store = JobStore(clock=clock)
        self.poller = Poller(
            self.client,
            self.store,
            interval=settings.refresh_interval if auto_refresh else 0,
            page_size=settings.page_size,
            exclude_configs=settings.exclude_configs,
        )
        services = Services(settings, self.client, self.store, self.poller, clock, demo)
        #: Which job is a re-run of which (this session's): the detail's summary says so.
        self.lineage = Lineage()
        #: The job list and the open job's detail.
        self.main = MainScreen(services)
        self.main.table.show_credits = settings.credits_column
        self.store.stuck.limit = settings.stuck_after or None
        if settings.keys:
            self.set_keymap(settings.keys)
        if settings.theme in self.available_themes:
            self.theme = settings.theme

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts often quote the server (ids, file names, reasons): never read them as
        markup, and pass them through :func:`clean` so no control sequence reaches the
        terminal, whichever caller forgot."""
        super().notify(
            clean(message), title=clean(title), severity=severity, timeout=timeout, markup=False
        )

    def on_mount(self) -> None:
        if self.settings.theme and self.settings.theme not in self.available_themes:
            self.notify(f"Unknown theme {self.settings.theme!r} in the config.", severity="warning")
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        # The palette's theme list previews each theme it passes: write the one kept.
        if self._theme_timer is not None:
            self._theme_timer.stop()
        self._theme_timer = self.set_timer(0.5, partial(self._remember_theme, theme))

    def _remember_theme(self, theme: Theme) -> None:
        if self.config_file is None or theme.name == self.settings.theme:
            return
        try:
            remember_theme(self.config_file, theme.name)
        except (ConfigError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notify(f"The theme is not remembered: {reason}", severity="warning")
            return
        self.settings.theme = theme.name

    async def on_unmount(self) -> None:
        if self._theme_timer is not None:  # quit right after choosing one
            self._theme_timer.stop()
            self._remember_theme(self.current_theme)
        await self.client.aclose()

    def on_resize(self, event: events.Resize) -> None:
        # The detail may move between full screen and beside the list, whichever is on top.
        self.call_after_refresh(self.main.fit_layout)

    @on(DetailPane.Updated)
    def _detail_updated(self, event: DetailPane.Updated) -> None:
        # Reaches the app from the pane beside the list or on its own screen alike.
        self.main.detail_updated(event)

    # ------------------------------------------------------------------ what applies now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys, footer and palette offer an action only where it applies (see commands).
        In read-only mode the keys of cancel and delete still reach their action, which
        says why it does nothing; the footer and the palette do not offer them."""
        command = BY_ACTION.get(action)
        if command is None:
            return True
        return self._enabled(command.when - {When.WRITE}, self.screen)

    def footer_label(self, action: str, label: str) -> str | None:
        """The footer's label for ``action`` now; None hides it (read-only)."""
        command = BY_ACTION.get(action)
        if command is not None and not self._enabled(command.when, self.screen):
            return None
        if command is not None and command.id == "pause" and self.poller.paused:
            return "Resume"
        if command is not None and command.id == "next_page" and not self.store.more_available:
            return None  # every page is in
        return label

    def _enabled(self, when: frozenset[When], screen: Screen[Any]) -> bool:
        if screen.is_modal:
            return False  # a dialog's own keys only (ctrl+q still quits)
        checks = {
            When.JOBS: screen is self.main or isinstance(screen, DetailScreen),
            When.MAIN: screen is self.main,
            When.TABLE: screen is self.main and screen.focused is self.main.table,
            When.DETAIL: self.main.open_job is not None,
            When.WRITE: not self.settings.read_only,
        }
        return all(checks[w] for w in when)

    # ------------------------------------------------------------------ help & palette

    def key_display(self, command: Command) -> str:
        """The key(s) in force for ``command``, after ``[keys]`` in the config."""
        return key_display(self, self.settings.keys, command)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette lists the actions that apply here, with their keys."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, OwnKeys):  # a view with keys of its own (insight)
            yield from screen.palette_commands()
        for command in COMMANDS:
            if command.id != "quit" and self._enabled(command.when, screen):
                yield SystemCommand(
                    f"{command.label} ({self.key_display(command)})",
                    command.description,
                    partial(self.call_later, self.run_action, command.action),
                )

    def action_insight(self) -> None:
        open_insight(self)

    def action_studio(self) -> None:
        row = self.main.focus_row()
        if row is not None:
            detail = self.main.detail.detail if row.job_id == self.main.open_job else None
            self.run_worker(open_studio(self, row.job_id, detail), group="studio")

    def action_credits_column(self) -> None:
        if not self.main.table.toggle_credits():
            self.notify("The Credits column is on, but the window is too narrow to show it.")

    def action_help(self) -> None:
        if isinstance(self.screen, OwnKeys):
            self.push_screen(HelpScreen(self.screen.help_rows(), self.screen.view_name))
            return
        rows = [
            (
                self.key_display(c),
                c.description
                + (" (off: read-only)" if When.WRITE in c.when and self.settings.read_only else ""),
                c.id,
            )
            for c in COMMANDS
        ]
        rows += [
            ("↑↓ j k", "Move", ""),
            ("pgup pgdn", "Page", ""),
            ("home end g G", "First / last", ""),
            ("tab shift+tab", "Next / previous tab (in the detail)", ""),
        ]
        self.push_screen(HelpScreen(rows))


def _on_main(name: str) -> Callable[..., None]:
    def action(self: ReductoApp, *params: Any) -> None:
        getattr(self.main, f"action_{name}")(*params)

    action.__name__ = action.__qualname__ = f"action_{name}"
    action.__doc__ = f"MainScreen.action_{name} (from any screen)."
    return action


# The commands table names each action once; those the app does not run itself are the
# main screen's, and reach it from any screen (the full-screen detail included).
for _name in {c.action.partition("(")[0] for c in COMMANDS}:
    if not hasattr(ReductoApp, f"action_{_name}"):
        setattr(ReductoApp, f"action_{_name}", _on_main(_name))
