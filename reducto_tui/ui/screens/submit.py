"""The submit dialog: local files (several, or a glob; the path completes as you type), the kind
of job, and its config — none, a JSON file, the last one used, or the highlighted job's. Each
file is uploaded with progress (esc or Cancel stops it) and gets a job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, ProgressBar, RadioButton, RadioSet, Select, Static
from textual.worker import Worker, WorkerState

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import KINDS, JobCreator, with_input
from reducto_tui.api.errors import ReductoError
from reducto_tui.core.local_files import complete, expand, split_typed
from reducto_tui.core.rerun import fetch_plan, parse_config
from reducto_tui.render.text import clean, shorten
from reducto_tui.ui.styles import style_path

#: The config fields that name the document: the uploaded file replaces them.
DOCUMENT_FIELDS = ("input", "document_url")


class PathSuggester(Suggester):
    """Completes the last path typed (shown greyed; → accepts it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value)


@dataclass
class Submitted:
    file: str
    job_id: str | None = None
    error: str | None = None
    recovered: bool = False


@dataclass
class SubmitOutcome:
    results: list[Submitted]
    #: The config sent (for "the last one used" next time).
    config: dict[str, Any]


def without_document(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in DOCUMENT_FIELDS}


class SubmitScreen(ModalScreen[SubmitOutcome | None]):
    CSS_PATH = style_path("create.tcss")
    BINDINGS = [Binding("escape", "close", "Cancel")]

    def __init__(
        self,
        client: ReductoClient,
        *,
        last_config: dict[str, Any] | None = None,
        job_id: str | None = None,
        creator: JobCreator | None = None,
        kind: str = "parse",
    ) -> None:
        super().__init__()
        self.client = client
        self.last_config = last_config
        self.job_id = job_id
        self.creator = creator or JobCreator(client)
        self.kind = kind if kind in KINDS else "parse"
        self.results: list[Submitted] = []
        self.sending: Worker[None] | None = None
        #: "upload" while bytes go out (cancel stops at once), "create" while the job is
        #: being made (cancel waits for it: a POST cut off might still make the job).
        self.phase = ""
        self.stop_after = False

    def compose(self) -> ComposeResult:
        with Vertical(id="submit-box"):
            yield Static("Submit documents", classes="title")
            with Vertical(classes="foot"):  # stays on screen; the fields above scroll
                yield Static("", id="submit-status")
                yield ProgressBar(total=None, show_eta=False, id="submit-progress")
                with Horizontal(id="submit-buttons"):
                    yield Button("Cancel", id="cancel")
                    yield Button("Submit", id="submit", variant="primary")
            with VerticalScroll(id="submit-body"):
                yield Static(
                    "Files (several, quoted if they hold spaces, or a glob):",
                    classes="field-label",
                )
                yield Input(placeholder="~/scans/*.pdf", suggester=PathSuggester(), id="paths")
                yield Static("Kind of job:", classes="field-label")
                yield Select([(k, k) for k in KINDS], value=self.kind, allow_blank=False, id="kind")
                yield Static("Config:", classes="field-label")
                with RadioSet(id="config-source"):
                    yield RadioButton("None (defaults)", value=True, id="cfg-none")
                    yield RadioButton("A JSON file", id="cfg-file")
                    yield RadioButton(
                        "The last one used"
                        + ("" if self.last_config is not None else " (none yet)"),
                        id="cfg-last",
                        disabled=self.last_config is None,
                    )
                    job = clean(self.job_id[:8], True) if self.job_id else ""
                    yield RadioButton(
                        f"The config of job {job}" if job else "The highlighted job's (none)",
                        id="cfg-job",
                        disabled=self.job_id is None,
                    )
                yield Input(placeholder="config.json", suggester=PathSuggester(), id="config-path")

    def on_mount(self) -> None:
        self.query_one("#config-path", Input).display = False
        self.query_one("#submit-progress", ProgressBar).display = False
        self.query_one("#paths", Input).focus()

    @on(RadioSet.Changed, "#config-source")
    def _source_changed(self, event: RadioSet.Changed) -> None:
        path = self.query_one("#config-path", Input)
        path.display = event.pressed.id == "cfg-file"
        if path.display:
            path.focus()

    def _status(self, text: str) -> None:
        self.query_one("#submit-status", Static).update(Text(text))

    # ------------------------------------------------------------------ submit

    async def _config(self) -> dict[str, Any] | None:
        """The chosen config, or ``None`` after saying what is wrong with it."""
        pressed = self.query_one("#config-source", RadioSet).pressed_button
        source = pressed.id if pressed is not None else "cfg-none"
        if source == "cfg-last" and self.last_config is not None:
            return dict(self.last_config)
        if source == "cfg-job" and self.job_id is not None:
            try:
                plan = await fetch_plan(self.client, self.job_id)
            except ReductoError as exc:
                self._status(f"Could not fetch the job's config: {exc.message}")
                return None
            if plan.body is None:
                self._status(f"The job's config cannot be used: {plan.problem}")
                return None
            return without_document(plan.body)
        if source == "cfg-file":
            name = self.query_one("#config-path", Input).value.strip()
            if not name:
                self._status("Enter the config file's path.")
                return None
            try:
                text = Path(name).expanduser().read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self._status(f"Cannot read {name}: {exc}")
                return None
            body, problem = parse_config(text, name)
            if body is None:
                self._status(f"{problem} Nothing was sent.")
                return None
            return without_document(body)
        return {}

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted, "#paths")
    async def action_submit(self) -> None:
        if self.sending is not None:
            return
        typed = self.query_one("#paths", Input).value
        targets = expand(split_typed(typed))
        if not targets:
            self._status("Enter one or more files.")
            return
        missing = [shown for shown, path in targets if path is None]
        if missing:
            self._status(f"No file matches {', '.join(missing)}.")
            return
        config = await self._config()
        if config is None:
            return
        kind = str(self.query_one("#kind", Select).value)
        self.query_one("#submit", Button).disabled = True
        self.sending = self.send(kind, config, [(s, p) for s, p in targets if p is not None])

    @work(group="submit", exit_on_error=False)
    async def send(self, kind: str, config: dict[str, Any], files: list[tuple[str, Path]]) -> None:
        bar = self.query_one("#submit-progress", ProgressBar)
        bar.display = True
        for n, (shown, path) in enumerate(files, 1):
            if self.stop_after:
                break
            name = shorten(clean(path.name, True), 60)
            self._status(f"Uploading {name} ({n} of {len(files)})…")
            bar.update(total=None, progress=0)

            def progress(sent: int, total: int) -> None:
                bar.update(total=max(total, 1), progress=sent)

            try:
                self.phase = "upload"
                uploaded = await self.creator.upload(path, progress)
                self.phase = "create"
                created = await self.creator.create(
                    kind, with_input(kind, config, uploaded.file_id)
                )
            except ReductoError as exc:
                self.results.append(Submitted(shown, error=str(exc)))
                continue
            finally:
                self.phase = ""
            self.results.append(Submitted(shown, created.job_id, recovered=created.recovered))
        self.dismiss(SubmitOutcome(self.results, config))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.sending:
            return
        if event.state is WorkerState.CANCELLED:
            done = sum(1 for r in self.results if r.job_id)
            self._status(f"Cancelled: {done} job(s) created before it stopped.")
            self.sending = None
            self.query_one("#submit", Button).disabled = False
        elif event.state is WorkerState.ERROR:
            self._status(f"Submit failed: {event.worker.error}")
            self.sending = None
            self.query_one("#submit", Button).disabled = False

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        if self.sending is not None and self.sending.is_running:
            if self.phase == "create":
                self.stop_after = True
                self._status("Stopping once the job being created is made…")
            else:
                self.sending.cancel()  # stops the upload mid-file: no job is made for it
            return
        self.dismiss(SubmitOutcome(self.results, {}) if self.results else None)
