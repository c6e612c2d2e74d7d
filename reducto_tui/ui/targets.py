"""What an action acts on, and the dialog text that names exactly those jobs.

The rule: the target is what has the focus. With the table focused it is the highlighted
row, or the marked rows the filter lets the user see; with the detail focused it is the
open job. Marked jobs the filter hides are never acted on silently: dialogs name them and
let the user include them (off by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text

from reducto_tui.api.status import shown_status
from reducto_tui.core.rows import JobRow
from reducto_tui.render.text import clean

#: Jobs listed by name in a dialog; the rest are counted.
LISTED = 10


@dataclass
class Targets:
    #: The jobs in view the action is for.
    rows: list[JobRow]
    #: Marked jobs the filter hides: acted on only if the user includes them.
    hidden: list[JobRow] = field(default_factory=list)
    #: "detail" (the open job), "marks" (visible marked rows) or "row" (the highlighted row).
    source: str = "row"


def job_line(row: JobRow, width: int = 40) -> str:
    # The list's word for the row's state, so a dialog never says "Failed" for a job the
    # table and the detail show as cancelled.
    status = clean(shown_status(row.status, row.kind), True) or "unknown"
    return f"  {clean(row.job_id[:8], True):<8}  {status:<11} {clean(row.source, True)[:width]}\n"


def list_jobs(text: Text, rows: list[JobRow], style: str = "") -> None:
    for row in rows[:LISTED]:
        text.append(job_line(row), style=style)
    if len(rows) > LISTED:
        text.append(f"  … and {len(rows) - LISTED} more\n", style=style)


def hidden_note(
    text: Text, hidden: list[JobRow], verb: str, actionable: list[JobRow] | None = None
) -> str | None:
    """Append the hidden-marks section; return the label of the opt-in checkbox (None when
    none of the hidden jobs could be acted on). ``actionable`` defaults to all of them."""
    if not hidden:
        return None
    can = hidden if actionable is None else actionable
    text.append(
        f"\n{len(hidden)} marked jobs are hidden by the filter "
        + ("(left alone unless included):\n" if can else f"(nothing to {verb} among them):\n"),
        style="bold yellow",
    )
    list_jobs(text, hidden, style="dim")
    return f"Also {verb} the {len(can)} hidden marked job(s)" if can else None


def cancel_body(send: list[JobRow], skip: list[JobRow], hidden: list[JobRow]) -> Text:
    body = Text()
    if send:
        body.append(f"Cancel {len(send)} job(s)?\n\n", style="bold")
        list_jobs(body, send)
    else:
        body.append("Nothing in view can be cancelled.\n", style="bold")
    if skip:
        body.append(f"\nSkipped, already finished: {len(skip)}\n", style="dim")
    return body


def delete_body(rows: list[JobRow]) -> Text:
    body = Text(f"Delete the stored data of {len(rows)} job(s):\n", style="bold")
    list_jobs(body, rows)
    return body
