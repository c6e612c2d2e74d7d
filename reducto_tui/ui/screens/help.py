"""Every binding, and the filter grammar."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FILTER_HELP = """\
Filter grammar (all terms must match; `-` negates a term):
  invoice              text anywhere: job id, source, type, status, reason
  "q3 report"          a phrase
  status:failed        raw status or state: queued running completed failed cancelled unknown
  type:parse           also id:…  source:…  reason:…
  pages>20  pages<=3   page count
  age<1h  age>2d       time since created (s m h d)
  duration>90s         processing time
  created>=2026-11-24  created on or after a date or time (UTC); created>2d: in the last 2 days
  stuck                queued or running far longer than usual for its type ("stuck?")
  credits>10           credits the job reported, in either pricing shape: credits, or a
                       legacy parse's legacy_parse_credits (known once its detail was read;
                       jobs billed by page counts only have no credit figure)
  archived  -archived  jobs shown from the archive / only the ones the API still returns
  -status:completed    negation
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, bindings: list[tuple[str, str, str]], view: str = "") -> None:
        """``view``: the view whose keys these are ("" for the job list)."""
        super().__init__()
        self.rows = bindings
        self.view = view

    def compose(self) -> ComposeResult:
        title = f"Keys of the {self.view}" if self.view else "Keys"
        table = Table(title=title, expand=True, show_edge=False)
        table.add_column("Key", style="bold cyan", width=16)
        table.add_column("Action")
        table.add_column("Config id (the keys table of config.toml)", style="dim")
        for key, description, binding_id in self.rows:
            table.add_row(key, description, binding_id)
        with VerticalScroll():
            yield Static(table)
            yield Static(Text(FILTER_HELP))
            yield Static(
                Text("esc closes this help · ctrl+p opens the command palette", style="dim")
            )
