"""``jobs cancel``: cancel jobs by id, prefix or filter; one report line per job."""

from __future__ import annotations

import asyncio
import sys
import time
from functools import partial

import click

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.status import can_cancel
from reducto_tui.cli.context import global_options, load, make_client, run, stdout_is_terminal
from reducto_tui.cli.exits import FAILED, USAGE, CliError, exit_code
from reducto_tui.cli.jobs_list import build_filter
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import write
from reducto_tui.cli.resolve import with_job
from reducto_tui.core.filters import Filter
from reducto_tui.core.rows import row_from_job
from reducto_tui.render.text import clean

CONCURRENCY = 4


async def _matching(client: ReductoClient, flt: Filter, page_size: int) -> list[str]:
    found: list[str] = []
    async for page in client.iter_pages(limit=page_size):
        for job in page.jobs:
            if can_cancel(job.status) and flt.matches(row_from_job(job, job.job_id)):
                found.append(job.job_id)
    return found


def _confirm(count: int, interactive: bool, yes: bool, by_filter: bool) -> None:
    if yes:
        return
    if interactive:
        if not click.confirm(f"Cancel {count} job{'s' * (count != 1)}?", err=True):
            raise CliError("Nothing cancelled.", FAILED)
    elif by_filter:
        raise CliError("Cancelling by --filter needs --yes when not on a terminal.", USAGE)


@click.command("cancel")
@click.argument("job_refs", nargs=-1, metavar="[ID|PREFIX]...")
@click.option(
    "--filter", "filter_text", metavar="EXPR", help="Cancel every unfinished job that matches."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed with --filter in scripts).")
@global_options
@click.pass_context
def command(
    ctx: click.Context, job_refs: tuple[str, ...], filter_text: str | None, yes: bool
) -> None:
    """Cancel jobs; asks first on a terminal. Exits 1 if any could not be cancelled.

    \b
    Examples:
      reducto-tui jobs cancel c7d791cb 0f12aa09
      reducto-tui jobs cancel --filter 'status:queued source:batch-17' --yes
    """
    if not job_refs and not filter_text:
        raise click.UsageError("Give job ids, or --filter EXPR.")
    flt = build_filter(filter_text, None, None, None, time.time())[0] if filter_text else None
    settings = load(ctx)
    if settings.read_only:
        raise CliError("Read-only mode: cancel is disabled.", FAILED)
    interactive = stdout_is_terminal() and sys.stdin.isatty()
    text = stdout_is_terminal()

    async def go() -> list[int]:
        async with make_client(settings) as client:
            refs = list(job_refs)
            if flt is not None:
                refs += await _matching(client, flt, settings.page_size)
                click.echo(f"{len(refs)} job(s) to cancel.", err=True)
            if not refs:
                return []
            _confirm(len(refs), interactive, yes, flt is not None)
            gate = asyncio.Semaphore(CONCURRENCY)
            # A 5xx is asked again; a cancel that landed before it counts as done.
            retrying_cancel = partial(client.cancel_job, retry=True)

            async def one(ref: str) -> int:
                async with gate:
                    try:
                        job_id, _ = await with_job(client, ref, retrying_cancel)
                    except ReductoError as exc:
                        _report(text, ref, str(exc))
                        return exit_code(exc)
                    _report(text, job_id, None)
                    return 0

            return await asyncio.gather(*(one(r) for r in dict.fromkeys(refs)))

    codes = run(go())
    bad = [c for c in codes if c]
    if bad:
        # One failure reason wins: the most telling (auth, network…) over "refused".
        raise click.exceptions.Exit(max(bad))


def _report(text: bool, job_id: str, error: str | None) -> None:
    if text:
        shown = clean(job_id, single_line=True)
        line = f"cancelled {shown}" if error is None else f"failed    {shown}: {clean(error, True)}"
        click.echo(line)
    else:
        record = {"job_id": job_id, "cancelled": error is None}
        if error is not None:
            record["error"] = error
        write(dumps(record) + "\n")
