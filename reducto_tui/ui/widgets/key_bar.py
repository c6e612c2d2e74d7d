"""The footer: the keys in force right now, fitted to the width by dropping whole entries.

Textual's Footer clips its last entry mid-word on a narrow terminal ("r Refre"); this one
shows only entries that fit completely, in the order the bindings are declared, and reads
the screen's active bindings, so a key rebound in ``[keys]`` shows as the new key and an
action that does not apply here (read-only, no detail open) is not offered.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

SEPARATOR = "  "


def fit_entries(entries: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The leading entries whose ``key label`` pairs fit in ``width`` cells, whole."""
    kept: list[tuple[str, str]] = []
    used = 1  # the left margin
    for key, label in entries:
        size = len(key) + 1 + len(label) + (len(SEPARATOR) if kept else 0)
        if used + size > width:
            break
        kept.append((key, label))
        used += size
    return kept


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $footer-background; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    def entries(self) -> list[tuple[str, str]]:
        """(key, label) of each shown binding that is enabled now, one per action."""
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not (binding.show and enabled) or binding.action in seen:
                continue
            seen.add(binding.action)
            out.append((self._key(binding), binding.description))
        return out

    def _key(self, binding: Binding) -> str:
        return self.app.get_key_display(binding)

    def render(self) -> Text:
        text = Text(" ", no_wrap=True, overflow="crop")
        key_style = self.app.theme_variables.get("footer-key-foreground", "bold")
        for n, (key, label) in enumerate(fit_entries(self.entries(), self.size.width)):
            if n:
                text.append(SEPARATOR)
            text.append(key, style=f"bold {key_style}")
            text.append(f" {label}")
        return text
