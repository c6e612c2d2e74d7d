"""The summary block at the top of every job's detail."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from rich.console import Group, RenderableType
from rich.style import StyleType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import JobDetail, source_label
from reducto_tui.api.status import StatusKind
from reducto_tui.render import format as fmt
from reducto_tui.render.status import STYLES, status_badge
from reducto_tui.render.text import clean, safe_text
from reducto_tui.render.usage import usage_of, usage_table


def summary(
    job_id: str,
    detail: JobDetail,
    now: float,
    related: Sequence[tuple[str, str]] = (),
    status: tuple[str, StatusKind] | None = None,
    status_styles: Mapping[StatusKind, StyleType] = STYLES,
) -> RenderableType:
    """``related``: (label, job id) rows under the id, e.g. ("Re-run of", old id).
    ``status``: the (word, state) the job list shows, when it knows the job better than
    this ``GET /job`` answer does (that endpoint says "Pending" for a running job).
    ``status_styles``: each state's colour (the app's theme)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    word, kind = status or (detail.status or "unknown", detail.status_kind)
    created = detail.created
    ts = created.timestamp() if created else None
    grid.add_row("Job ID", safe_text(job_id))
    for label, other in related:
        grid.add_row(label, safe_text(other, style="cyan"))
    grid.add_row("Type", safe_text(detail.type or "unknown"))
    grid.add_row("Status", status_badge(word, kind, styles=status_styles))
    if kind == StatusKind.RUNNING and detail.progress_fraction is not None:
        grid.add_row("Progress", Text(fmt.progress_bar(detail.progress_fraction, 40), style="cyan"))
    created_text = "unknown" if ts is None else f"{fmt.absolute(ts)} ({fmt.ago(ts, now)})"
    if ts is None and detail.created_at:
        created_text = f"unknown (server sent {clean(detail.created_at, True)!r})"
    grid.add_row("Created", Text(created_text))
    if detail.duration is not None:
        grid.add_row("Duration", Text(fmt.duration(detail.duration)))
    if detail.num_pages is not None or detail.total_pages is not None:
        grid.add_row("Pages", Text(fmt.pages(detail.num_pages, detail.total_pages)))
    if detail.source is not None:
        grid.add_row("Source", safe_text(source_label(detail.source)))
    priority, metadata = config_facts(detail.raw_config)
    if priority is not None:
        grid.add_row("Queue", safe_text(priority))
    if metadata is not None:
        grid.add_row("Metadata", safe_text(metadata))
    usage = usage_table(usage_of(detail.result))
    if usage is not None:
        grid.add_row("Usage", usage)
    if detail.reason:
        grid.add_row("Reason", safe_text(capped(detail.reason), style="red"))
    if detail.error is not None:
        err = detail.error
        code = (
            f"{clean(err.name or 'ERROR', True)} ({err.code})"
            if err.code
            else clean(err.name or "ERROR", True)
        )
        grid.add_row("Error", Text(code, style="bold red"))
        if err.message and err.message != detail.reason:
            grid.add_row("", safe_text(capped(err.message), style="red"))
    out: list[RenderableType] = [grid]
    if detail.raw_config:
        out.append(Text("\nraw_config", style="bold"))
        out.append(raw_config(detail.raw_config))
    return Group(*out)


#: Longest metadata shown in the Summary (the whole of it is in raw_config below).
METADATA_CHARS = 400
#: Longest failure reason or error message shown in the Summary: a server's 100,000
#: characters would bury everything else (the whole of it is in the job's JSON).
MESSAGE_CHARS = 2000


def capped(text: str) -> str:
    """``text`` up to :data:`MESSAGE_CHARS`, saying how much more there is and where."""
    if len(text) <= MESSAGE_CHARS:
        return text
    more = len(text) - MESSAGE_CHARS
    return (
        f"{text[:MESSAGE_CHARS]}… ({more:,} more characters: all of it is in the job's JSON, "
        "the Raw JSON tab or `jobs get ID --format json`)"
    )


def config_facts(raw: str | None) -> tuple[str | None, str | None]:
    """The queue priority (``standard``/``auto``, ``batch``) and the ``async.metadata`` (as
    compact JSON) of a job's config, when it carries them."""
    if not raw:
        return None, None
    try:
        config = json.loads(raw)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(config, dict):
        return None, None
    priority = config.get("queue_priority")
    if priority is not None and not isinstance(priority, str):
        priority = "unknown"
    settings = config.get("async")
    metadata = settings.get("metadata") if isinstance(settings, dict) else None
    shown = None
    if metadata is not None:
        try:
            shown = json.dumps(metadata, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):
            shown = "unknown"
        if len(shown) > METADATA_CHARS:
            shown = shown[: METADATA_CHARS - 1] + "…"
    return priority, shown


def raw_config(raw: str) -> RenderableType:
    try:
        pretty = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return safe_text(raw)
    return Syntax(
        clean(pretty), "json", theme="ansi_dark", word_wrap=True, background_color="default"
    )
