"""The footer: the keys in force right now, fitted to the width by dropping whole entries.

Textual's Footer clips its last entry mid-word on a narrow terminal ("r Refre"); this one
shows only entries that fit completely, in the order the bindings are declared, and reads
the screen's active bindings, so a key rebound in ``[keys]`` shows as the new key and an
action that does not apply here (read-only, no detail open) is not offered.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

SEPARATOR = "  "


#: Always in the footer, however narrow: the way to every other key, and the way out.
ALWAYS = ("help", "quit")


def _size(entries: list[tuple[str, str]]) -> int:
    return sum(len(k) + 1 + len(label) for k, label in entries) + len(SEPARATOR) * max(
        0, len(entries) - 1
    )


def fit_entries(
    entries: list[tuple[str, str]], width: int, pinned: int = 0
) -> list[tuple[str, str]]:
    """The leading entries whose ``key label`` pairs fit in ``width`` cells, whole; the
    last ``pinned`` entries stay whatever the width, and the others make room for them."""
    head, tail = entries[: len(entries) - pinned], entries[len(entries) - pinned :]
    room = width - 1 - (_size(tail) + len(SEPARATOR) if tail else 0)  # 1: the left margin
    kept: list[tuple[str, str]] = []
    for entry in head:
        if _size([*kept, entry]) > room:
            break
        kept.append(entry)
    return kept + tail


@runtime_checkable
class FooterLabels(Protocol):
    """What an app tells the footer: an entry's label now (None: do not offer it here)."""

    def footer_label(self, action: str, label: str) -> str | None: ...


class KeyBar(Widget, can_focus=False):
    COMPONENT_CLASSES = {"key-bar--key"}  # styles/app.tcss: the theme's footer colours

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()

    def entries(self) -> list[tuple[str, str]]:
        """(key, label) of each shown binding that is enabled now, one per action; help and
        quit last (they are never dropped)."""
        out, last = self._parts()
        return out + last

    def _parts(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        last: list[tuple[str, str]] = []
        labels = self.app if isinstance(self.app, FooterLabels) else None
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not (binding.show and enabled) or binding.action in seen:
                continue
            seen.add(binding.action)
            label = binding.description
            if labels is not None:
                shown = labels.footer_label(binding.action, label)
                if shown is None:
                    continue
                label = shown
            (last if binding.action in ALWAYS else out).append((self._key(binding), label))
        return out, last

    def _key(self, binding: Binding) -> str:
        return self.app.get_key_display(binding)

    def render(self) -> Text:
        text = Text(" ", no_wrap=True, overflow="crop")
        # From the styles, not the theme's raw variable: "ansi_blue" is no Rich style.
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        out, last = self._parts()
        for n, (key, label) in enumerate(fit_entries(out + last, self.size.width, len(last))):
            if n:
                text.append(SEPARATOR)
            text.append(key, style=key_style)
            text.append(f" {label}")
        return text
