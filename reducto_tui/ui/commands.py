"""Every app action, declared once: its config id, default key, labels and when it applies.

The bindings, the footer, the help screen, the command palette and read-only mode all read
this table, so they cannot disagree about what a key does or whether it is available.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from reducto_tui.core.keys import DEFAULT_KEYS


class When(Enum):
    """A condition an action needs before it is offered (and before its key does anything)."""

    #: The job list is on screen (not the full-screen detail, not a dialog).
    MAIN = "main"
    #: The job table has the focus: marking acts on rows the user can see.
    TABLE = "table"
    #: A job's detail is open (beside the list or full screen).
    DETAIL = "detail"
    #: Not in read-only mode: the action changes jobs on the server.
    WRITE = "write"
    #: Jobs are on screen (the list or a job's detail), not another view such as insight:
    #: an action on "the job in focus" must never reach a job the user cannot see.
    JOBS = "jobs"


#: The actions that apply on every view (each other action needs :attr:`When.JOBS`).
ANYWHERE = frozenset({"help", "quit"})


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    action: str
    label: str
    description: str
    show: bool = False
    key_display: str | None = None
    when: frozenset[When] = frozenset()


def _c(
    id: str,
    label: str,
    description: str,
    *when: When,
    action: str | None = None,
    show: bool = False,
    key_display: str | None = None,
) -> Command:
    key = DEFAULT_KEYS[id]  # the one table of default keys, which the config checks against
    needs = frozenset(when) if id in ANYWHERE else frozenset({*when, When.JOBS})
    return Command(id, key, action or id, label, description, show, key_display, needs)


QUICK_STATUS = ("", "queued", "running", "completed", "failed", "cancelled")
M, T, D, W = When.MAIN, When.TABLE, When.DETAIL, When.WRITE

#: In footer order: when the footer is too narrow, entries drop from the end.
COMMANDS: tuple[Command, ...] = (
    _c("open", "Open", "Open the highlighted job's detail", T, show=True),
    _c("escape", "Back", "Back to the table / close the detail / clear the filter",
       show=True),
    _c("filter", "Filter", "Filter the list as you type", M, show=True, key_display="/"),
    _c("mark", "Mark", "Mark or unmark the highlighted row", T, show=True),
    _c("cancel", "Cancel", "Cancel the job(s) in focus (asks first)", W, show=True),
    _c("export", "Export", "Export the job(s) in focus", show=True),
    _c("refresh", "Refresh", "Refresh the list now", show=True),
    _c("pause", "Pause", "Pause or resume live refresh", show=True),
    _c("sort", "Sort", "Sort by the next column", M, action="sort_next", show=True),
    _c("load_all", "Load all", "Load every page", M, show=True),
    # Shown where the footer has room (wide terminals), dropped first where it has not.
    _c("next_page", "Next page", "Load the next page", M, show=True),
    _c("rerun", "Re-run", "Re-run the job(s) in focus with the same input and config", W,
       show=True),
    _c("submit", "Submit", "Upload files and create jobs", W, show=True),
    _c("copy_id", "Copy ID", "Copy the job id in focus", show=True),
    _c("help", "Help", "Show every key", show=True, key_display="?"),
    _c("quit", "Quit", "Quit", show=True),
    _c("next_tab", "Next tab", "Next detail tab", D, key_display="]"),
    _c("prev_tab", "Prev tab", "Previous detail tab", D, key_display="["),
    _c("mark_all", "Mark all", "Mark (or unmark) every row in view", T),
    _c("delete", "Delete", "Delete the stored data of the job(s) in focus", W),
    _c("export_list", "Save list", "Save the filtered list as CSV or JSONL", M),
    _c("copy_json", "Copy JSON", "Copy the open job's result JSON", D),
    _c("sort_flip", "Sort ↕", "Flip the sort direction", M),
    _c("load_older", "Load older", "Load a further span of archived jobs (--archive)", M),
    *(
        _c(f"quick_{n}", f"Only {QUICK_STATUS[n] or 'all'}",
           f"Show only {QUICK_STATUS[n]} jobs" if n else "Show jobs of every status",
           M, action=f"quick_status({n})")
        for n in range(6)
    ),
    _c("find", "Find", "Find in the raw JSON", D),
    _c("fetch_url", "Fetch URL", "Fetch a URL result again", D),
    _c("insight", "Insight", "Charts of the jobs in view: throughput, latency, failures, credits",
       M),
    _c("studio", "Studio", "Open the job in focus in Reducto Studio (or show its link)"),
    _c("credits_column", "Credits", "Show or hide the Credits column", M, key_display="$"),
)  # fmt: skip

BY_ACTION = {c.action: c for c in COMMANDS}


@runtime_checkable
class OwnKeys(Protocol):
    """A view (screen) whose keys are its own: the table's actions need :attr:`When.JOBS`,
    so on it only :data:`ANYWHERE` ones apply, and help and the palette describe its keys."""

    view_name: str

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(key, what it does, config id) for the help screen."""
        ...

    def palette_commands(self) -> Iterable[SystemCommand]: ...


BY_ID = {c.id: c for c in COMMANDS}


def bindings() -> list[BindingType]:
    return [
        Binding(c.key, c.action, c.label, show=c.show, key_display=c.key_display, id=c.id)
        for c in COMMANDS
    ]


def key_display(app: App[Any], keys: dict[str, str], command: Command) -> str:
    """The key(s) in force for ``command``, after ``[keys]`` in the config."""
    rebound = keys.get(command.id)
    if rebound:
        return " ".join(
            app.get_key_display(Binding(k.strip(), command.action)) for k in rebound.split(",")
        )
    return app.get_key_display(
        Binding(command.key, command.action, key_display=command.key_display)
    )
