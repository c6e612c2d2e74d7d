"""The re-run dialog: what will be sent for each job (endpoint, input, config as a collapsible
JSON tree, whether the input is still there), then the sending, with progress and a result
per job. ``E`` edits the highlighted job's config in ``$EDITOR`` first.

A tree line is one screen line, so a long message (a 422's details, why an input may be
unreachable) is cut there; the panel under the tree shows the highlighted job's in full,
wrapped, and scrolls."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, ProgressBar, Static
from textual.widgets.tree import TreeNode

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import JobCreator, probe_link
from reducto_tui.api.errors import ReductoError
from reducto_tui.core.rerun import (
    Lineage,
    RateGate,
    Reach,
    Reachability,
    RerunPlan,
    RerunResult,
    fetch_plan,
    reachability,
    send_plans,
    with_body,
)
from reducto_tui.core.rows import JobRow
from reducto_tui.render.text import clean, shorten
from reducto_tui.ui.styles import style_path
from reducto_tui.ui.widgets.result_tree import Node, ResultTree

#: Plans fetched at once while the dialog fills in.
FETCHING = 4
REACH_STYLE = {Reach.OK: "green", Reach.GONE: "red", Reach.UNKNOWN: "yellow"}


@dataclass
class Entry:
    row: JobRow
    hidden: bool = False
    plan: RerunPlan | None = None
    reach: Reachability | None = None
    error: str | None = None
    result: RerunResult | None = None
    #: The config was changed in ``$EDITOR``: what is sent is not the job's own.
    edited: bool = False
    node: TreeNode[Node] | None = field(default=None, repr=False)


def editor_command() -> list[str]:
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


class RerunScreen(ModalScreen[list[RerunResult] | None]):
    """Dismisses with the results once something was sent, ``None`` when nothing was."""

    CSS_PATH = style_path("create.tcss")

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("E", "edit", "Edit config"),
        Binding("y", "send", "Send"),
    ]

    def __init__(
        self,
        rows: list[JobRow],
        client: ReductoClient,
        *,
        hidden: list[JobRow] | None = None,
        lineage: Lineage | None = None,
        creator: JobCreator | None = None,
        probe: Callable[[str], Awaitable[int]] | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.client = client
        self.entries = [Entry(r) for r in rows] + [Entry(r, hidden=True) for r in hidden or []]
        self.lineage = lineage
        self.creator = creator or JobCreator(client)
        self.probe = probe if probe is not None else self._probe
        self.concurrency = concurrency
        self.results: list[RerunResult] = []
        self.state = "loading"  # loading → ready → sending → done
        self.gate = RateGate()

    async def _probe(self, url: str) -> int:
        return await probe_link(self.client, url)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        count = sum(not e.hidden for e in self.entries)
        with Vertical(id="rerun-box"):
            yield Static(
                f"Re-run {count} job{'s' * (count != 1)} with the same input and config",
                classes="title",
            )
            with Vertical(classes="foot"):  # stays on screen; the tree and notes give way
                hidden = sum(e.hidden for e in self.entries)
                if hidden:
                    yield Checkbox(
                        f"Also re-run the {hidden} marked job(s) hidden by the filter",
                        value=False,
                        id="include",
                    )
                yield Static("Fetching the jobs' configs…", id="rerun-status")
                yield ProgressBar(total=None, show_eta=False, id="rerun-progress")
                with Horizontal(id="rerun-buttons"):
                    yield Button("Edit config (E)", id="edit")
                    yield Button("Cancel", id="cancel")
                    yield Button("Send (y)", id="send", variant="primary", disabled=True)
            yield ResultTree("jobs", id="rerun-tree")
            with VerticalScroll(id="rerun-notes"):
                yield Static("", id="rerun-note")

    def on_mount(self) -> None:
        self.query_one("#rerun-progress", ProgressBar).display = False
        tree = self.query_one(ResultTree)
        for entry in self.entries:
            entry.node = tree.root.add(
                self._label(entry), data=Node("text", entry.row.job_id, loaded=True), expand=True
            )
        tree.focus()
        self._show_notes()
        self.load_plans()

    def _label(self, entry: Entry) -> Text:
        text = Text(clean(entry.row.job_id[:8], True), style="bold")
        if entry.hidden:
            text.append(" (hidden by the filter)", style="dim")
        if entry.result is not None:
            if entry.result.new_id is not None:
                text.append("  ✔ re-run as ", style="green")
                text.append(clean(entry.result.new_id, True), style="bold green")
                if entry.result.recovered:
                    text.append(" (found after its answer was lost)", style="dim")
            else:
                text.append("  ✘ ", style="red")
                text.append(shorten(clean(entry.result.error or "failed", True), 160), style="red")
            return text
        plan = entry.plan
        if entry.error is not None:
            text.append("  ✘ ", style="red").append(clean(entry.error, True), style="red")
        elif plan is None:
            text.append("  fetching…", style="dim")
        elif not plan.ready:
            text.append("  cannot re-run: ", style="red")
            text.append(clean(plan.problem, True), style="red")
        else:
            text.append(f"  {plan.endpoint}  ", style="cyan")
            if entry.edited:  # before the input: a narrow dialog cuts the line's end
                text.append("config edited  ", style="bold yellow")
            document = plan.document
            shown = document if isinstance(document, str) else "(see config)"
            text.append(shorten(clean(shown, True), 70))
            if entry.reach is not None:
                text.append(f"  · {entry.reach.state.value}", style=REACH_STYLE[entry.reach.state])
        return text

    def _fill(self, entry: Entry) -> None:
        """The job's node: its label, and below it input, reachability and the config."""
        node = entry.node
        if node is None:
            return
        node.set_label(self._label(entry))
        self._show_notes()
        node.remove_children()
        plan = entry.plan
        if plan is None or plan.body is None:
            return
        tree = self.query_one(ResultTree)
        document = plan.document
        if document is not None:
            tree.add_value(node, "input", document)
        if entry.reach is not None:
            note = Text("reachability: ", style="bold")
            note.append(entry.reach.state.value, style=REACH_STYLE[entry.reach.state])
            note.append(f" — {clean(entry.reach.note, True)}")
            node.add_leaf(note, data=Node("text", entry.reach.note, loaded=True))
        key = "config (edited)" if entry.edited else "config"
        tree.add_value(node, key, plan.body, expand=len(self.entries) == 1)

    # ------------------------------------------------------------------ the notes panel

    def _entry_at_cursor(self) -> Entry | None:
        node = self.query_one(ResultTree).cursor_node
        while node is not None and node.parent is not None and node.parent.parent is not None:
            node = node.parent
        found = next((e for e in self.entries if e.node is node and node is not None), None)
        return found or (self.entries[0] if len(self.entries) == 1 else None)

    def _show_notes(self) -> None:
        """The highlighted job's messages in full: input, reachability, edit, errors."""
        entry = self._entry_at_cursor()
        self.query_one("#rerun-notes").display = entry is not None
        if entry is not None:
            note = self.query_one("#rerun-note", Static)
            note.update(notes(entry))
            # Measured again once the tree beside it has settled (a first measure can keep
            # the height of the text before: a wrapped line went missing at 80x24).
            self.call_after_refresh(note.refresh, layout=True)

    @on(ResultTree.NodeHighlighted, "#rerun-tree")
    def _highlighted(self) -> None:
        self._show_notes()

    # ------------------------------------------------------------------ loading

    @work(group="rerun-load", exit_on_error=False)
    async def load_plans(self) -> None:
        gate = asyncio.Semaphore(FETCHING)

        async def one(entry: Entry) -> None:
            async with gate:
                try:
                    entry.plan = await fetch_plan(self.client, entry.row.job_id)
                except ReductoError as exc:
                    entry.error = exc.message
                    self._fill(entry)
                    return
                self._fill(entry)
                if entry.plan.ready:
                    entry.reach = await reachability(
                        entry.plan, self.client, self.probe, now=self.clock()
                    )
                    self._fill(entry)

        await asyncio.gather(*(one(e) for e in self.entries))
        self.state = "ready"
        ready = sum(1 for e in self._chosen() if e.plan is not None and e.plan.ready)
        self.query_one("#send", Button).disabled = ready == 0
        gone = sum(1 for e in self.entries if e.reach is not None and e.reach.state is Reach.GONE)
        status = f"{ready} ready to send."
        if gone:
            status += f" {gone} input(s) look unreachable: the re-run may fail."
        self._status(status)

    def _status(self, text: str) -> None:
        self.query_one("#rerun-status", Static).update(Text(text))

    def _chosen(self) -> list[Entry]:
        include = self.query("#include")
        with_hidden = bool(include) and self.query_one("#include", Checkbox).value
        return [e for e in self.entries if not e.hidden or with_hidden]

    # ------------------------------------------------------------------ edit

    def _focused_entry(self) -> Entry | None:
        ready = [e for e in self.entries if e.plan is not None and e.plan.body is not None]
        if len(ready) == 1:
            return ready[0]
        entry = self._entry_at_cursor()
        return entry if any(entry is e for e in ready) else None

    def action_edit(self) -> None:
        if self.state != "ready":
            return
        entry = self._focused_entry()
        if entry is None or entry.plan is None or entry.plan.body is None:
            self.notify("Highlight a job with a config to edit.", severity="warning")
            return
        edited = self._run_editor(json.dumps(entry.plan.body, indent=2, ensure_ascii=False))
        if edited is None:
            return
        changed = with_body(entry.plan, edited)
        if not changed.ready:
            self.notify(f"{changed.problem} The config was not changed.", severity="error")
            return
        entry.plan = changed
        entry.edited = True
        self._fill(entry)
        self.notify(f"Config of {clean(entry.row.job_id[:8], True)} edited.")

    def _run_editor(self, text: str) -> str | None:
        handle, name = tempfile.mkstemp(prefix="reducto-config-", suffix=".json")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text + "\n")
            command = [*editor_command(), str(path)]
            try:
                with self.app.suspend():
                    code = subprocess.run(command, check=False).returncode
            except SuspendNotSupported:
                # No terminal to hand over (headless, web): only an editor that needs none works.
                code = subprocess.run(
                    command, check=False, stdin=subprocess.DEVNULL, capture_output=True
                ).returncode
            if code != 0:
                self.notify(
                    f"The editor exited with status {code}; nothing changed.", severity="error"
                )
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"Could not run the editor: {exc}", severity="error")
            return None
        finally:
            path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ send

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        if self.state != "ready":
            return
        chosen = [e for e in self._chosen() if e.plan is not None]
        if not any(e.plan is not None and e.plan.ready for e in chosen):
            return
        self.state = "sending"
        self.query_one("#send", Button).disabled = True
        self.query_one("#edit", Button).disabled = True
        bar = self.query_one("#rerun-progress", ProgressBar)
        bar.display = True
        bar.update(total=len(chosen), progress=0)
        self.send([e for e in chosen if e.plan is not None])

    @work(group="rerun-send", exit_on_error=False)
    async def send(self, entries: list[Entry]) -> None:
        by_id = {e.row.job_id: e for e in entries}
        bar = self.query_one("#rerun-progress", ProgressBar)

        def reported(result: RerunResult) -> None:
            entry = by_id.get(result.old_id)
            if entry is not None:
                entry.result = result
                if entry.node is not None:
                    entry.node.set_label(self._label(entry))
                self._show_notes()
            bar.advance(1)

        def waited(seconds: float) -> None:
            self._status(f"Rate limited: waiting {seconds:.0f} s as the server asked…")

        plans = [e.plan for e in entries if e.plan is not None]
        self._status(f"Sending {len(plans)}…")
        self.results = await send_plans(
            self.creator,
            plans,
            concurrency=self.concurrency,
            on_result=reported,
            on_wait=waited,
            gate=self.gate,
            lineage=self.lineage,
        )
        made = sum(1 for r in self.results if r.new_id)
        failed = len(self.results) - made
        self._status(
            f"Re-ran {made}" + (f", {failed} failed." if failed else ".") + " (esc closes)"
        )
        self.state = "done"
        cancel = self.query_one("#cancel", Button)
        cancel.label = "Close"
        cancel.focus()

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        if self.state == "sending":
            self.gate.stop()
            self._status("Stopping: jobs already sent finish, the rest are not sent…")
            return
        self.dismiss(self.results or None)

    @on(Button.Pressed, "#edit")
    def _edit_pressed(self) -> None:
        self.action_edit()


def notes(entry: Entry) -> Text:
    """Everything there is to say about one job, unshortened (the panel wraps it)."""
    text = Text(clean(entry.row.job_id, True), style="bold")
    plan, reach, result = entry.plan, entry.reach, entry.result

    def line(head: str, body: str, style: str = "") -> None:
        text.append(f"\n{head}: ", style="bold")
        text.append(clean(body), style=style)

    if entry.error is not None:
        line("Could not fetch the job", entry.error, "red")
    elif plan is None:
        text.append("\nFetching its config…", style="dim")
    elif not plan.ready:
        line("Cannot re-run", plan.problem or "unknown", "red")
    else:
        line("Sends", plan.endpoint)
        document = plan.document
        line("Input", document if isinstance(document, str) else "(in the config)")
    if reach is not None:
        line("Reachability", f"{reach.state.value} — {reach.note}", REACH_STYLE[reach.state])
    if entry.edited:
        text.append("\nThe config was edited in $EDITOR: the edited one is sent.", style="yellow")
    if result is not None:
        if result.new_id is not None:
            line("Re-run as", result.new_id, "green")
        else:
            line("Failed", result.error or "failed", "red")
    return text
