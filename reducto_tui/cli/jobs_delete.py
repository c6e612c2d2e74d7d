"""``jobs delete``: delete jobs' stored data (``DELETE /job/{id}``); one report line per job.

Irreversible, so it always asks: on a terminal it waits for a yes, elsewhere it needs
``--yes``, ids or filter alike."""

from __future__ import annotations

import asyncio
import sys
from functools import partial

import click

from reducto_tui.api.errors import ReductoError
from reducto_tui.cli.bulk import Words, matching, prepare
from reducto_tui.cli.context import global_options, make_client, run, stdout_is_terminal
from reducto_tui.cli.exits import FAILED, USAGE, CliError, exit_code
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import write
from reducto_tui.cli.resolve import with_job
from reducto_tui.render.text import clean

CONCURRENCY = 4


WORDS = Words("delete", "Delete", "Deleting", "deleted")


def on_a_terminal() -> bool:
    """A person is there to answer: stdin and stdout are both a terminal."""
    return stdout_is_terminal() and sys.stdin.isatty()


def _confirm(count: int, interactive: bool, yes: bool, persisted: bool) -> None:
    if yes:
        return
    if not interactive:
        raise CliError("Deleting cannot be undone: give --yes when not on a terminal.", USAGE)
    what = "their persisted artifacts too" if persisted else "their results and inputs"
    question = (
        f"Delete the stored data of {count} job{'s' * (count != 1)} ({what})? It cannot be undone."
    )
    if not click.confirm(question, err=True):
        raise CliError("Nothing deleted.", FAILED)


@click.command("delete")
@click.argument("job_refs", nargs=-1, metavar="[ID|PREFIX]...")
@click.option("--filter", "filter_text", metavar="EXPR", help="Delete every job that matches.")
@click.option(
    "--include-persisted",
    is_flag=True,
    help="Also delete artifacts kept by persist_results (include_persisted=true).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when not on a terminal).")
@global_options
@click.pass_context
def command(
    ctx: click.Context,
    job_refs: tuple[str, ...],
    filter_text: str | None,
    include_persisted: bool,
    yes: bool,
) -> None:
    """Delete the stored data of jobs (DELETE /job/{id}); it cannot be undone. Asks first on
    a terminal, needs --yes elsewhere. Exits 1 if any could not be deleted.

    \b
    Examples:
      reducto-tui jobs delete c7d791cb
      reducto-tui jobs delete --filter 'status:completed source:payroll' --yes
    """
    bulk = prepare(ctx, job_refs, filter_text, WORDS)
    # Deleting asks even for ids given one by one (its own question, see _confirm).
    interactive = on_a_terminal()
    text = bulk.text

    async def go() -> list[int]:
        async with make_client(bulk.settings) as client:
            refs = list(job_refs)
            if bulk.filter is not None:
                refs += await matching(client, bulk.filter, bulk.settings.page_size)
                click.echo(f"{len(refs)} job(s) to delete.", err=True)
            refs = list(dict.fromkeys(refs))
            if not refs:
                return []
            _confirm(len(refs), interactive, yes, include_persisted)
            gate = asyncio.Semaphore(CONCURRENCY)
            delete = partial(client.delete_job, include_persisted=include_persisted)

            async def one(ref: str) -> int:
                async with gate:
                    try:
                        job_id, _ = await with_job(client, ref, delete)
                    except ReductoError as exc:
                        _report(text, ref, str(exc))
                        return exit_code(exc)
                    _report(text, job_id, None)
                    return 0

            return await asyncio.gather(*(one(r) for r in refs))

    bad = [c for c in run(go()) if c]
    if bad:
        raise click.exceptions.Exit(max(bad))


def _report(text: bool, job_id: str, error: str | None) -> None:
    if text:
        shown = clean(job_id, single_line=True)
        line = f"deleted {shown}" if error is None else f"failed  {shown}: {clean(error, True)}"
        click.echo(line)
    else:
        record: dict[str, object] = {"job_id": job_id, "deleted": error is None}
        if error is not None:
            record["error"] = error
        write(dumps(record) + "\n")
