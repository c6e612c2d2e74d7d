"""A one-line bar of the main screen (the header, the status line) that redraws itself.

Each bar is bound to the main screen's state (``data_bind``) and draws a Rich ``Text`` from
it and from the app's services. What they share lives here: every reactive a bar declares
redraws it, as do a resize (the header fits its width) and a new theme (its colours are the
component classes ``<prefix>--<name>`` of the styles, read back with :meth:`style`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import Reactive
from textual.widgets import Static

from reducto_tui.ui.services import Services


class ChromeLine(Static):
    #: The component classes' prefix: ``style("busy")`` reads ``<PREFIX>--busy``.
    PREFIX: ClassVar[str] = ""

    def __init__(self, services: Services, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.services = services
        #: The theme's styles by name: a bar redraws on every store change and key.
        self._styles: dict[str, Style] = {}

    def on_mount(self) -> None:
        for cls in type(self).__mro__:
            if cls is ChromeLine:
                break
            for name, value in vars(cls).items():
                if isinstance(value, Reactive):
                    self.watch(self, name, self._show, init=False)
        self._show()

    def on_resize(self, event: events.Resize) -> None:
        self._show()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: new colours in the text, once the component classes have them too
        # (they are styled after the widget itself); the cached styles are read again then.
        self.call_after_refresh(self._restyle)

    def _restyle(self) -> None:
        self._styles.clear()
        self._show()

    def style(self, name: str) -> Style:
        """What the theme's stylesheet sets for ``<PREFIX>--<name>``."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(
                f"{self.PREFIX}--{name}", partial=True
            )
        return style

    def line(self) -> Text:
        """The bar's text now (subclasses)."""
        raise NotImplementedError

    def _show(self) -> None:
        if self.is_mounted:
            # One line high (styles): no layout pass, only this line repaints.
            self.update(self.line(), layout=False)
