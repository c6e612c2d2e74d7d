"""``jobs watch``: print status transitions as they happen, until ctrl+c."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import click

from reducto_tui.api.status import shown_status
from reducto_tui.cli.context import global_options, load, make_client, run
from reducto_tui.cli.jobs_list import build_filter
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import default_format, flush, write
from reducto_tui.core.filters import Filter
from reducto_tui.core.poller import Poller
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import JobStore
from reducto_tui.render.status import status_label
from reducto_tui.render.text import clean, file_name


def shown(row: JobRow) -> str:
    """The row's status word as the table shows it: GET /job says "Pending" for a running
    job, which the table (and this) calls InProgress, so a poll never reads as a step back."""
    return shown_status(row.status or "unknown", row.kind)


def _line(form: str, row: JobRow, old: str | None) -> str:
    now = datetime.now(UTC)
    word = shown(row)
    if form == "jsonl":
        record = {
            "time": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "job_id": row.job_id,
            "type": row.type,
            "from": old,
            "to": word,
            "state": row.kind.value,
            "status": row.status,  # the word the server sent
            "source": row.source,
        }
        return dumps(record) + "\n"
    label = status_label(row.status or "unknown", row.kind)
    change = f"{clean(old, True)} → {label}" if old else f"new {label}"
    return (
        f"{now.astimezone().strftime('%H:%M:%S')}  {clean(row.job_id, True)}  "
        f"{clean(row.type, True):<9} {change}  {clean(file_name(row.source), True)}\n"
    )


async def watch(poller: Poller, flt: Filter, form: str) -> None:
    store = poller.store
    known = {r.job_id: shown(r) for r in store.rows}
    reported_error = ""
    while True:
        await asyncio.sleep(max(0.0, poller.seconds_until_next()))
        changes = await poller.poll_once()
        if poller.failures and poller.last_error != reported_error:
            reported_error = poller.last_error
            wait = poller.seconds_until_next()
            click.echo(f"{clean(reported_error, True)} Retrying in {wait:.0f} s.", err=True)
        elif not poller.failures:
            reported_error = ""
        out = []
        for row in [*changes.added, *changes.changed]:
            old, word = known.get(row.job_id), shown(row)
            if old != word:
                known[row.job_id] = word
                if flt.matches(row):
                    out.append(_line(form, row, old))
        if out:
            write("".join(out))
            flush()


@click.command("watch")
@click.option(
    "--filter", "filter_text", metavar="EXPR", help="Only jobs that match (the app's filter)."
)
@click.option(
    "--interval",
    type=click.FloatRange(min=2),
    default=5.0,
    show_default=True,
    help="Seconds between refreshes (at least 2; backs off on errors).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(("text", "jsonl")),
    help="text on a terminal, jsonl when piped.",
)
@global_options
@click.pass_context
def command(ctx: click.Context, filter_text: str | None, interval: float, form: str | None) -> None:
    """Print each status change of the newest jobs as it happens; ctrl+c stops (exit 0).

    \b
    Examples:
      reducto-tui jobs watch --filter 'type:parse'
      reducto-tui jobs watch --format jsonl | jq -c 'select(.state == "failed")'
    """
    flt = build_filter(filter_text, None, None, None, time.time())[0]
    settings = load(ctx)
    form = default_format("text", "jsonl", form)

    async def go() -> None:
        async with make_client(settings) as client:
            store = JobStore()
            poller = Poller(
                client,
                store,
                interval=interval,
                page_size=settings.page_size,
                exclude_configs=settings.exclude_configs,
            )
            first = await client.list_jobs(None, settings.page_size, settings.exclude_configs)
            store.add_page(first.jobs, first.next_cursor)
            poller.next_due = poller.clock() + interval
            click.echo(
                f"Watching the newest {len(first.jobs)} jobs and new ones every {interval:g} s; "
                "ctrl+c stops.",
                err=True,
            )
            await watch(poller, flt, form)

    try:
        run(go())
    except KeyboardInterrupt:
        flush()
