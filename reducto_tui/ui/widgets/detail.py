"""The job detail: summary, a view per result kind, a page drawing, and the raw JSON.

Fetching happens in a worker (with a loading state); a job that can still change is then
asked for again at a polite pace (:class:`~reducto_tui.core.follow.FollowPace`). Whatever
goes wrong in any of the pane's workers is said in the pane itself.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on, work
from textual._styles_cache import StylesCache
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs, Tree
from textual.worker import Worker, WorkerState, get_current_worker

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import JobDeletedError, NotFoundError, ReductoError
from reducto_tui.api.lazy import (
    JOB_RESULT,
    block_count,
    decode_in_pieces,
    read_job_body,
)
from reducto_tui.api.models import (
    ChartResponse,
    ClassifyResponse,
    EditResponse,
    ExtractResponse,
    FullResult,
    JobDetail,
    ParseResponse,
    PipelineResponse,
    SplitResponse,
    UnknownResult,
    UrlResult,
    V3ExtractResponse,
)
from reducto_tui.api.status import STAGE, StatusKind, is_finished
from reducto_tui.api.url_results import download, link_in
from reducto_tui.core.follow import DEFAULT_INTERVAL, FollowPace
from reducto_tui.core.memory import let_frozen_cycles_go
from reducto_tui.core.rerun import Lineage
from reducto_tui.export import TOO_DEEP, dumps, job_json, too_deep
from reducto_tui.render import format as fmt
from reducto_tui.render.chart import chart_view
from reducto_tui.render.classify import classify_view
from reducto_tui.render.edit import edit_view
from reducto_tui.render.extract import citations_table, extract_header
from reducto_tui.render.json_lines import JsonLines
from reducto_tui.render.parse import block_body, chunk_body, page_drawing
from reducto_tui.render.split import split_view
from reducto_tui.render.status import STATE_CLASSES
from reducto_tui.render.summary import summary
from reducto_tui.render.text import clean, safe_text
from reducto_tui.ui.archived import ARCHIVED_NO_RESULT, ARCHIVED_NOTE, archived_body
from reducto_tui.ui.widgets.json_view import JsonView
from reducto_tui.ui.widgets.result_tree import Node, ResultTree

#: Bytes of JSON indexed before the Raw JSON tab first shows something, then per piece.
RAW_FIRST = 64 * 1024
RAW_STEP = 64 * 1024
#: Seconds between telling the Raw JSON view its index grew.
RAW_TELL = 0.25
_EMPTY = re.compile(rb"[ \t\n\r]*}")


class Body:
    """A job's JSON as the API sent it (bytes: the pane keeps no decoded copy of a result;
    see :func:`~reducto_tui.api.lazy.read_job_body`), for Raw JSON and copy."""

    def __init__(self, raw: bytes, result_at: tuple[int, int] | None, has_id: bool) -> None:
        self.raw = raw
        #: Where the result's body sits in ``raw`` (a downloaded result goes there).
        self.result_at = result_at
        self.has_id = has_id
        self.download: bytes | memoryview | None = None

    def parts(self, job_id: str) -> list[bytes | memoryview]:
        """The pieces of the job's JSON text with its id first (joined in a thread)."""
        raw = memoryview(self.raw)  # slices of a view copy nothing
        parts: list[bytes | memoryview] = [raw]
        if self.download is not None and self.result_at is not None:
            start, end = self.result_at
            parts = [raw[:start], self.download, raw[end:]]
        if self.has_id:
            return parts
        opening = self.raw.index(b"{") + 1
        head = b'{"job_id": ' + json.dumps(job_id).encode()
        parts[0] = parts[0][opening:]
        return [head, b"" if _EMPTY.match(self.raw, opening) else b", ", *parts]


def _read(raw: bytes) -> tuple[Body, JobDetail]:
    detail, indexed = read_job_body(raw)
    has_id = isinstance(indexed.value, dict) and "job_id" in indexed.value
    return Body(raw, indexed.places.get(JOB_RESULT), has_id), detail


#: What each worker group of the pane was doing, for the message when one fails.
_WORK = {
    "detail": "loading the job",
    "url-result": "reading the downloaded result",
    "raw": "preparing the raw JSON",
}
TABS = ("tab-summary", "tab-result", "tab-page", "tab-raw")


class DetailPane(Vertical):
    # Inside the pane tab/shift+tab switch tabs (the app's [ and ] do too); focus moves to
    # the new tab's content, never to the tab bar or an empty scroll area.
    BINDINGS = [
        Binding("tab", "switch_tab(1)", "Next tab", show=False),
        Binding("shift+tab", "switch_tab(-1)", "Previous tab", show=False),
    ]

    #: The summary's status colours come from the theme (styles/app.tcss).
    COMPONENT_CLASSES = {f"detail--{name}" for name in STATE_CLASSES.values()}

    DEFAULT_CSS = """
    DetailPane { border-left: tall $primary; padding: 0 1; }
    DetailPane #detail-title { height: auto; }
    DetailPane #result-head-scroll { height: auto; max-height: 50%; }
    DetailPane.-head-only #result-head-scroll { height: 1fr; max-height: 100%; }
    DetailPane #result-body-scroll {
        height: 14; overflow-x: hidden; border-top: solid $primary-darken-2;
    }
    DetailPane #result-body { width: 100%; }
    DetailPane #raw-find { dock: top; }
    """

    class Updated(Message):
        """The open job's data changed (fetched or followed)."""

        def __init__(self, job_id: str, detail: JobDetail, archived: bool = False) -> None:
            super().__init__()
            self.job_id = job_id
            self.detail = detail
            #: Read from the archive: the API no longer has the job.
            self.archived = archived

    def __init__(
        self,
        client: ReductoClient,
        *,
        id: str | None = None,
        interval: float = DEFAULT_INTERVAL,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` spaces the requests; ``wall`` dates what the summary says ("3 min ago")."""
        super().__init__(id=id)
        self._wall = wall
        self._summary_age = ""
        self.client = client
        self.interval = interval
        self._sleep = sleep
        self._clock = clock
        #: When the job (by id) was last asked for: a retry waits out the rest of the gap.
        self._asked: dict[str, float] = {}
        #: A line under the title about following the job (paused, stopped), or None.
        self.follow_note: Text | None = None
        self._heading = Text()
        self.job_id: str | None = None
        self.detail: JobDetail | None = None
        self.error: ReductoError | None = None
        self._raw_for: Body | JobDetail | None = None
        #: The shown job's JSON as the API sent it (Raw JSON, copy), beside the models.
        self._data: Body | None = None
        self._pending: str | None = None
        self._pending_tab: str | None = None
        self._ready = False
        #: The (word, state) the job list shows for this job (see :meth:`show_status`).
        self._listed: tuple[str, StatusKind] | None = None
        #: The shown job came from the archive (the API answered 404/410 for it).
        self.from_archive = False

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        with TabbedContent(id="detail-tabs", initial=self._pending_tab or TABS[0]):
            with TabPane("Summary", id="tab-summary"), VerticalScroll():
                yield Static(id="summary")
            with TabPane("Result", id="tab-result"):
                with VerticalScroll(id="result-head-scroll"):
                    yield Static(id="result-head")
                yield ResultTree(id="result-tree")
                with VerticalScroll(id="result-body-scroll"):
                    yield Static(id="result-body")
            with TabPane("Page", id="tab-page"), VerticalScroll():
                yield Static(
                    Text("Select a block in the Result tab to see where it sits on its page."),
                    id="page-view",
                )
            with TabPane("Raw JSON", id="tab-raw"):
                yield Input(placeholder="find in JSON — enter for next match", id="raw-find")
                yield JsonView(id="raw")

    # ------------------------------------------------------------------ loading

    def on_mount(self) -> None:
        self._ready = True
        self.set_interval(1.0, self._refresh_ages)  # "a minute ago" must not stay put
        self.query_one(Tabs).can_focus = False
        if self._pending is not None:
            self.open(self._pending)

    # ------------------------------------------------------------------ tabs & focus

    def on_unmount(self) -> None:
        """Let a closed result go at once. The tree and the JSON view let go of theirs when
        they are unmounted; Textual may hold the pane itself a while longer (layout caches,
        finished workers), so it must not hold the result."""
        self._ready = False
        self.detail = None
        self._data = None
        self._raw_for = None
        # Textual's StylesCache.get_inner_outer is an lru_cache on a method: it keeps the
        # style caches (rendered lines) of up to 1,024 widgets, closed ones included.
        forget = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
        if forget is not None:
            forget()
        let_frozen_cycles_go()

    @property
    def active_tab(self) -> str:
        tabs = self.query(TabbedContent)
        # Until TabbedContent has settled, ``active`` is empty: the tab asked for still holds.
        active = tabs.first().active if self._ready and tabs else ""
        return active or self._pending_tab or TABS[0]

    @active_tab.setter
    def active_tab(self, tab: str) -> None:
        if not self._ready:
            self._pending_tab = tab
            return
        self.query_one(TabbedContent).active = tab

    def action_switch_tab(self, step: int) -> None:
        focused = self.app.focused is not None and self in self.app.focused.ancestors_with_self
        self.active_tab = TABS[(TABS.index(self.active_tab) + step) % len(TABS)]
        if focused:  # at once: the old tab's widget is hidden now and would lose the focus
            self.focus_content()

    def focus_content(self) -> None:
        """Focus what the active tab shows (its tree, JSON or scroll area)."""
        pane = self.query_one(TabbedContent).get_pane(self.active_tab)
        candidates = [
            widget
            for selector in ("ResultTree", "JsonView", "VerticalScroll")
            for widget in pane.query(selector)
            if widget.display and widget.focusable
        ]
        if candidates:
            candidates[0].focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A tree without a cursor looks dead: put it on the first node when focused.
        if isinstance(event.widget, ResultTree) and event.widget.cursor_line < 0:
            event.widget.cursor_line = 0

    def open(self, job_id: str) -> None:
        """Show ``job_id``; before the pane is mounted, remember it for :meth:`on_mount`."""
        if not self._ready:
            self._pending = job_id
            return
        self._pending = None
        self.job_id = job_id
        self.detail = None
        self._listed = None
        self._data = None
        self.error = None
        self._raw_for = None
        self.follow_note = None
        self._title(Text(f"Loading job {clean(job_id, True)}…", style="italic"))
        self.query_one("#summary", Static).update(Text("Loading…", style="italic"))
        self._clear_result()
        self.fetch(job_id)

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def fetch(self, job_id: str) -> None:
        pace = FollowPace(self.interval)
        since = self._clock() - self._asked.get(job_id, -pace.interval)
        if since < pace.interval:  # a quick retry still keeps the gap
            await self._sleep(pace.interval - since)
        try:
            data, detail = await self._ask(job_id)
        except ReductoError as exc:
            if job_id == self.job_id:
                self.show_error(exc)
            return
        if job_id != self.job_id:
            return
        self.show(detail, data)
        if self.from_archive:
            # Asking the API again would only be told 404 again: nothing more to follow.
            self._set_note(ARCHIVED_NOTE)
            return
        gap = pace.interval
        while not is_finished(detail.status):
            await self._sleep(gap)
            if job_id != self.job_id:
                return
            try:
                data, fresh = await self._ask(job_id)
            except ReductoError as exc:
                if job_id != self.job_id:
                    return
                wait = pace.failed(exc)
                if wait is None:
                    self._stop_following(exc)
                    return
                self._set_note(
                    Text(
                        f"Not updating: {clean(exc.message)} Next try in {wait:.0f} s.",
                        style="yellow",
                    )
                )
                gap = wait
                continue
            if job_id != self.job_id:
                return
            if self.follow_note is not None:
                self._set_note(None)
            changed = fresh.model_dump(exclude={"result"}) != detail.model_dump(
                exclude={"result"}
            ) or (fresh.result is not None and detail.result is None)
            if changed:
                detail = fresh
                self.show(detail, data)
            gap = pace.answered(changed)

    async def _ask(self, job_id: str) -> tuple[Body, JobDetail]:
        """The job's JSON and its models. Decoding is done in pieces in a thread, and a parse
        result's chunks are only noted, validated when shown: a big result never holds the
        event loop for long, nor its memory several times over."""
        self._asked[job_id] = self._clock()
        try:
            body = await self.client.get_job_raw(job_id)
            self.from_archive = False
        except (NotFoundError, JobDeletedError):
            stored = await archived_body(self.client, job_id)
            if stored is None:
                raise
            body, self.from_archive = stored, True
        finally:
            self._asked[job_id] = self._clock()
        return await asyncio.to_thread(_read, body)

    def _stop_following(self, exc: ReductoError) -> None:
        """One message, in the pane, and no more requests: asking again will not help."""
        text = Text(f"Stopped updating: {clean(exc.message)}", style="bold red")
        if exc.hint:
            text.append(f" {clean(exc.hint)}", style="red")
        text.append("  r: try again", style="dim")
        self._set_note(text)

    def _set_note(self, note: Text | None) -> None:
        self.follow_note = note
        self._title(self._heading)

    def show_error(self, exc: ReductoError) -> None:
        self.error = exc
        text = Text("Could not load this job.\n", style="bold red")
        text.append(clean(exc.message) + "\n")
        if exc.hint:
            text.append(clean(exc.hint) + "\n", style="italic")
        text.append("\nPress r to retry, esc to go back.", style="dim")
        self._title(Text(f"Job {clean(self.job_id or '', True)}", style="bold"))
        self.query_one("#summary", Static).update(text)

    def retry(self) -> None:
        if self.job_id:
            self.open(self.job_id)

    def show(self, detail: JobDetail, data: Body | None = None) -> None:
        assert self.job_id is not None
        self.detail = detail
        self._data = data
        self.error = None
        self._raw_for = None
        self._title(
            Text.assemble(
                (f"{clean(detail.type or 'Job', True)} ", "bold"),
                (clean(self.job_id, True), "bold cyan"),
                ("  [ ]: tabs · esc: back", "dim"),
            )
        )
        self._show_summary()
        self._render_result(detail.result)
        self.post_message(self.Updated(self.job_id, detail, self.from_archive))
        if self.query_one(TabbedContent).active == "tab-raw":
            self._fill_raw()

    def show_status(self, job_id: str, word: str, kind: StatusKind) -> None:
        """Show the job's state as the job list does. The list merges both endpoints and
        never goes backwards; ``GET /job`` alone says "Pending" for a job the list knows is
        InProgress, and the table and this pane must not disagree."""
        if job_id != self.job_id or self._listed == (word, kind):
            return
        self._listed = (word, kind)
        if self.detail is not None:
            self._show_summary()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.call_after_refresh(self._restyle_summary)

    def _restyle_summary(self) -> None:
        # A new theme: the status in its colour (unless the pane is between screens).
        if self.job_id is not None and self.detail is not None and self.query("#summary"):
            self._show_summary()

    def _show_summary(self) -> None:
        assert self.job_id is not None and self.detail is not None
        listed = self._listed
        own = STAGE.get(self.detail.status_kind)
        # The list's state, unless this answer is news it has not merged yet (a later stage).
        if listed is not None and own is not None and STAGE.get(listed[1], -1) < own:
            listed = None
        lineage = getattr(self.app, "lineage", None)  # the app's: which job re-runs which
        related = lineage.related(self.job_id) if isinstance(lineage, Lineage) else ()
        now = self._wall()
        self._summary_age = self._age(now)
        colours = {
            kind: self.get_component_rich_style(f"detail--{name}", partial=True)
            for kind, name in STATE_CLASSES.items()
        }
        self.query_one("#summary", Static).update(
            summary(self.job_id, self.detail, now, related, status=listed, status_styles=colours)
        )

    def _age(self, now: float) -> str:
        created = self.detail.created if self.detail is not None else None
        return fmt.ago(created.timestamp() if created else None, now)

    def _refresh_ages(self) -> None:
        # Only the created time's age moves with the clock: redraw when it would read
        # otherwise, so "a minute ago" does not stay put while the job is open.
        if not self._ready or self.detail is None or self.job_id is None or self.error:
            return
        if self._age(self._wall()) != self._summary_age:
            self._show_summary()

    def _title(self, text: Text) -> None:
        self._heading = text
        if self.follow_note is not None:
            text = Text.assemble(text, "\n", self.follow_note)
        self.query_one("#detail-title", Static).update(text)

    # ------------------------------------------------------------------ results

    def _clear_result(self) -> None:
        tree = self.query_one(ResultTree)
        tree.clear()
        self.query_one("#result-head", Static).update("")
        self.query_one("#result-body", Static).update("")
        self.query_one("#result-body-scroll").display = False
        self.query_one("#raw", JsonView).set_lines([])

    def _render_result(self, result: Any) -> None:
        self._clear_result()
        tree = self.query_one(ResultTree)
        head = self.query_one("#result-head", Static)
        body = self.query_one("#result-body", Static)
        tree.display = True
        self.remove_class("-head-only")
        if result is None:
            status = self.detail.status if self.detail else None
            done = self.detail is not None and self.detail.status_kind is StatusKind.COMPLETED
            if self.from_archive and done:
                said = ARCHIVED_NO_RESULT
            elif is_finished(status):
                said = "This job has no result."
            else:
                said = f"No result yet (status: {clean(status or 'unknown', True)})."
            head.update(Text(said, style="dim"))
            self._head_only(tree)
            return
        if isinstance(result, ParseResponse):
            self._render_parse(result, tree, head)
        elif isinstance(result, ExtractResponse | V3ExtractResponse):
            head.update(extract_header(result))
            value = result.result
            if isinstance(value, UrlResult):
                self._fetch_url(value, "extract")
            else:
                tree.add_value(tree.root, "result", value, expand=True)
            if isinstance(result, ExtractResponse):
                body.update(citations_table(result))
                self.query_one("#result-body-scroll").display = True
        elif isinstance(result, SplitResponse):
            head.update(split_view(result))
            self._head_only(tree)
            if isinstance(result.result, UrlResult):
                self._fetch_url(result.result, "split")
        elif isinstance(result, ClassifyResponse):
            head.update(classify_view(result))
            self._head_only(tree)
        elif isinstance(result, ChartResponse):
            head.update(chart_view(result))
            self._head_only(tree)
        elif isinstance(result, EditResponse):
            head.update(edit_view(result))
            self._head_only(tree)
        elif isinstance(result, PipelineResponse):
            self._render_pipeline(result, tree, head)
        elif isinstance(result, UnknownResult):
            head.update(
                Text(
                    f"Unrecognised result ({clean(result.problem)}); shown as JSON.", style="yellow"
                )
            )
            tree.add_value(tree.root, "result", result.raw, expand=True)

    def _head_only(self, tree: ResultTree) -> None:
        """Kinds drawn as one renderable get the whole pane (scrollable), not a tree."""
        tree.display = False
        self.add_class("-head-only")

    def _render_parse(self, result: ParseResponse, tree: ResultTree, head: Static) -> None:
        body = result.result
        if isinstance(body, UrlResult):
            head.update(Text("Large result: fetching it from its link…", style="italic"))
            self._fetch_url(body, "parse")
            return
        blocks = block_count(body.chunks)
        head.update(
            Text(
                f"{len(body.chunks):,} chunks · {blocks:,} blocks · enter expands, select a block for its page"
            )
        )
        tree.add_chunks(tree.root, body.chunks)
        if body.ocr is not None:
            tree.add_ocr(tree.root, body.ocr)

    def _render_pipeline(self, result: PipelineResponse, tree: ResultTree, head: Static) -> None:
        steps = result.result
        parts: list[RenderableType] = []
        if steps.split is not None:
            parts.append(split_view(steps.split))
        if steps.edit is not None:
            parts.append(edit_view(steps.edit))
        head.update(Group(*parts) if parts else Text("Pipeline", style="bold"))
        parses = (
            steps.parse if isinstance(steps.parse, list) else [steps.parse] if steps.parse else []
        )
        for n, parse in enumerate(parses):
            section = tree.add_section(f"Parse {n + 1}" if len(parses) > 1 else "Parse")
            if isinstance(parse.result, FullResult):
                tree.add_chunks(section, parse.result.chunks)
            else:
                section.add_leaf(safe_text(f"stored at {parse.result.url}"))
        extract = steps.extract
        if extract is not None:
            section = tree.add_section("Extract")
            if isinstance(extract, list):
                for item in extract:
                    tree.add_value(
                        section,
                        f"{item.split_name} (pages {item.page_range[:1]}…)",
                        item.result.result,
                    )
            else:
                tree.add_value(section, "result", extract.result)

    def action_fetch_url(self) -> None:
        if self.detail is not None:
            self._render_result(self.detail.result)

    @work(exclusive=True, group="url-result", exit_on_error=False)
    async def _fetch_url(self, link: UrlResult, kind: str) -> None:
        head = self.query_one("#result-head", Static)
        job_id = self.job_id

        def progress(received: int, total: int | None) -> None:
            of = f" of {total / 1e6:.1f} MB" if total else ""
            head.update(Text(f"Downloading result… {received / 1e6:.1f} MB{of}", style="italic"))

        try:
            got = await download(self.client, link, kind, progress)
        except ReductoError as exc:
            head.update(Text(f"{exc.message} {exc.hint}\nPress f to try again.", style="red"))
            return
        except ValidationError as exc:
            head.update(self._bad_download(kind, exc))
            return
        place = link_in(self.detail, link) if self.detail is not None else None
        if job_id != self.job_id or self.detail is None or place is None:
            return  # another job, or this one fetched again meanwhile (its own link)
        try:
            place.put(got.value)
        except ValidationError as exc:
            head.update(self._bad_download(kind, exc))
            return
        self._keep_download(got.text)
        self._render_result(self.detail.result)

    def _keep_download(self, value: bytes | memoryview) -> None:
        """Raw JSON and copy show the downloaded result in place of its link."""
        if self._data is not None and self._data.result_at is not None:
            self._data.download = value
            self._raw_for = None

    @staticmethod
    def _bad_download(kind: str, exc: ValidationError) -> Text:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first.get("loc", ())) or "the top level"
        text = Text(
            f"The downloaded result is not a readable {kind} result "
            f"({clean(where, True)}: {clean(str(first.get('msg', 'invalid')), True)}).\n",
            style="red",
        )
        text.append("The Raw JSON tab shows the job as the API returned it. Press f to try again.")
        return text

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker.StateChanged does not bubble: the app never hears of the pane's failures."""
        if event.state is not WorkerState.ERROR or event.worker.node is not self:
            return
        error = event.worker.error
        what = _WORK.get(event.worker.group, "working")
        message = Text(
            f"Something went wrong while {what}: "
            f"{clean(type(error).__name__, True)}: {clean(str(error), True)}",
            style="bold red",
        )
        if event.worker.group == "url-result":
            message.append("\nPress f to try again.", style="dim")
            self.query_one("#result-head", Static).update(message)
            return
        message.append("  r: try again", style="dim")
        if event.worker.group == "raw":
            self._raw_for = None
            self.query_one("#raw", JsonView).set_lines(message.plain.splitlines())
        elif self.detail is None:
            self.query_one("#summary", Static).update(message)
        else:
            self._set_note(message)

    # ------------------------------------------------------------------ selection

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[Node]) -> None:
        block = ResultTree.block_of(event.node)
        body = self.query_one("#result-body", Static)
        kind = event.node.data.kind if event.node.data is not None else None
        if kind in ("block", "chunk"):
            self.query_one("#result-body-scroll").display = True
        if block is not None:
            body.update(block_body(block))
            page = self.query_one("#page-view", Static)
            siblings = [b.bbox for b in ResultTree.neighbours(event.node)]
            title = Text(f"{clean(block.type or '?', True)} block", style="bold")
            title.append("   ░ other blocks of its chunk on this page", style="dim")
            page.update(Group(title, page_drawing(block.bbox, others=siblings), block_body(block)))
        elif event.node.data is not None and event.node.data.kind == "chunk":
            body.update(chunk_body(event.node.data.value))

    # ------------------------------------------------------------------ raw JSON

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-raw":
            self._fill_raw()

    def _fill_raw(self) -> None:
        source = self._data if self._data is not None else self.detail
        if source is None or self._raw_for is source:
            return
        self._raw_for = source
        try:
            parts = self._raw_parts()
        except TOO_DEEP:
            self._raw_too_deep()
            return
        # In a box the worker empties: a finished worker keeps its arguments.
        self._dump_raw([parts])

    def _raw_too_deep(self) -> None:
        message = too_deep("show", then="").message
        self.query_one("#raw", JsonView).set_lines([message])

    def _raw_parts(self) -> list[bytes | memoryview]:
        """The shown job's JSON text, in pieces (the job as received, its id first)."""
        if self._data is not None:
            return self._data.parts(self.job_id or "")
        assert self.detail is not None
        return [job_json(self.detail, self.job_id or "").encode()]

    @work(exclusive=True, group="raw", thread=True, exit_on_error=False)
    def _dump_raw(self, box: list[list[bytes | memoryview]]) -> None:
        """Index the JSON's pretty lines in a thread (nothing is pretty-printed: lines are
        made as they are drawn); the first screenfuls show while the rest is indexed."""
        worker = get_current_worker()
        view = self.query_one("#raw", JsonView)
        lines = JsonLines(b"".join(box.pop()))
        lines.index(RAW_FIRST)
        self.app.call_from_thread(view.set_json, lines)
        told = time.monotonic()
        while not lines.done:
            if worker.is_cancelled:
                return
            lines.index(lines.indexed + RAW_STEP)
            # The index is pure Python: between pieces the event loop gets the GIL at once,
            # not after the interpreter's 5 ms switch interval, and the view is told a few
            # times a second, not per piece (each repaints the scroll bar).
            time.sleep(0.001)
            if time.monotonic() - told > RAW_TELL or lines.done:
                self.app.call_from_thread(view.grew)
                told = time.monotonic()

    def action_find(self) -> None:
        self.query_one(TabbedContent).active = "tab-raw"
        self.query_one("#raw-find", Input).focus()

    @on(Input.Submitted, "#raw-find")
    def _find(self, event: Input.Submitted) -> None:
        found = self.query_one("#raw", JsonView).find(event.value)
        if found is None and event.value:
            self.notify(f"'{clean(event.value, True)}' not found in the JSON.", severity="warning")

    @on(Input.Changed, "#raw-find")
    def _find_live(self, event: Input.Changed) -> None:
        view = self.query_one("#raw", JsonView)
        view.match_line = None
        view.find(event.value)

    def raw_json(self) -> str | None:
        """The open job's JSON; raises :class:`ReductoError` for JSON too deep to write."""
        if self.detail is None or self.job_id is None:
            return None
        try:
            text = b"".join(self._raw_parts())
            return dumps(decode_in_pieces(text))
        except TOO_DEEP as exc:
            raise too_deep("copy", then="nothing was copied") from exc
