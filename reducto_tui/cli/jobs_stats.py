"""``jobs stats``: the insight view's numbers for a script or a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any

import click
from rich.console import Console

from reducto_tui.cli.context import global_options, load, make_client, run
from reducto_tui.cli.jobs_list import build_filter
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import default_format, write
from reducto_tui.core.details import DEFAULT_LIMIT, DetailFetcher, Tally
from reducto_tui.core.insight import Insight, InsightNumbers
from reducto_tui.core.store import JobStore
from reducto_tui.render import insight as draw
from reducto_tui.render.text import clean

FORMATS = ("table", "json")


@click.command("stats", epilog="Filter grammar: see the README ('Filter grammar').")
@click.option(
    "--filter", "filter_text", metavar="EXPR", help="Only these jobs, e.g. 'type:extract'."
)
@click.option(
    "--since", metavar="T", help="Created at or after T: 2026-11-24, ISO time, or 2d/3h ago."
)
@click.option(
    "--details",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Ask GET /job for up to N finished jobs (failed first) for the failure codes and "
    "credits the list does not carry; 0 asks none.",
)
@click.option(
    "--format", "form", type=click.Choice(FORMATS), help="table on a terminal, json when piped."
)
@global_options
@click.pass_context
def command(
    ctx: click.Context,
    filter_text: str | None,
    since: str | None,
    details: int,
    form: str | None,
) -> None:
    """Throughput, latency, pages, credits and failures of the jobs that match.

    Reads every page of the list (stopping at --since), then asks a few jobs for details.

    \b
    Examples:
      reducto-tui jobs stats --since 6h
      reducto-tui jobs stats --filter 'type:extract' --format json | jq .failures
    """
    now = time.time()
    flt, oldest = build_filter(filter_text, None, since, None, now)
    settings = load(ctx)
    store = JobStore()
    store.stuck.limit = settings.stuck_after or None
    tally = Tally()
    gone = 0
    problem = ""

    async def go() -> None:
        nonlocal tally, gone, problem
        async with make_client(settings) as client:
            async for page in client.iter_pages(
                limit=settings.page_size, exclude_configs=settings.exclude_configs
            ):
                store.add_page(page.jobs, page.next_cursor, page.skipped)
                created = [c.timestamp() for c in (j.created for j in page.jobs) if c]
                if oldest is not None and created and max(created) < oldest:
                    break  # newest first: every later page is older still
            store.view.set_filter(flt.text)
            if details:
                fetcher = DetailFetcher(client, store)
                await fetcher.fetch(store.view.rows, details)
                tally, gone, problem = fetcher.last, fetcher.unknowable(store.view), fetcher.problem

    run(go())
    numbers = Insight.of(store.view.rows, store.stuck).numbers(time.time())
    if default_format("table", "json", form) == "json":
        write(dumps(as_json(numbers, flt.text, tally, gone, problem), indent=2) + "\n")
        return
    console = Console(file=sys.stdout, highlight=False, soft_wrap=False)
    console.print(draw.headline_table(numbers))
    for table in (
        draw.buckets_table(numbers),
        draw.latency_table(numbers),
        draw.failures_table(numbers, console.width, gone),
    ):
        console.print()
        console.print(table)
    note = f"Details: {draw.details_words(tally)} (--details {details})."
    if problem:
        note += f" Stopped early: {clean(problem, single_line=True)}"
    click.echo(note, err=True)


def as_json(
    numbers: InsightNumbers, flt: str, tally: Tally, gone: int, problem: str
) -> dict[str, Any]:
    body = draw.safe_numbers(numbers, flt, gone)
    body["details_asked"] = tally.asked
    body["details_fetched"] = tally.read
    body["details_gone"] = tally.gone
    body["details_problem"] = clean(problem, single_line=True) or None
    return body
