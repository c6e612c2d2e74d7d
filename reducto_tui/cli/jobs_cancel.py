"""``jobs cancel``: cancel jobs by id, prefix or filter; one report line per job."""

from __future__ import annotations

import asyncio
from functools import partial

import click

from reducto_tui.api.errors import ReductoError
from reducto_tui.api.status import can_cancel
from reducto_tui.cli.bulk import Words, confirm, matching, prepare
from reducto_tui.cli.context import global_options, make_client, run
from reducto_tui.cli.exits import exit_code
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import write
from reducto_tui.cli.resolve import with_job
from reducto_tui.render.text import clean

CONCURRENCY = 4


WORDS = Words("cancel", "Cancel", "Cancelling", "cancelled")


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
    bulk = prepare(ctx, job_refs, filter_text, WORDS)
    text = bulk.text

    async def go() -> list[int]:
        async with make_client(bulk.settings) as client:
            refs = list(job_refs)
            if bulk.filter is not None:
                refs += await matching(
                    client, bulk.filter, bulk.settings.page_size, lambda j: can_cancel(j.status)
                )
                click.echo(f"{len(refs)} job(s) to cancel.", err=True)
            if not refs:
                return []
            confirm(bulk, len(refs), yes)
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
