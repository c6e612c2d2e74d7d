"""``jobs rerun``: send jobs again with the config they were created with; one line per job."""

from __future__ import annotations

import sys
from functools import partial

import click

from reducto_tui.api.create import JobCreator
from reducto_tui.api.errors import ReductoError
from reducto_tui.cli.bulk import Words, confirm, matching, prepare
from reducto_tui.cli.context import global_options, make_client, run
from reducto_tui.cli.exits import FAILED, USAGE, CliError, exit_code
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import write
from reducto_tui.cli.resolve import with_job
from reducto_tui.core.rerun import RerunPlan, RerunResult, fetch_plan, send_plans, with_body
from reducto_tui.render.text import clean

CONCURRENCY = 4


WORDS = Words("re-run", "Re-run", "Re-running", "re-run")


def _describe(plan: RerunPlan) -> str:
    what = clean(plan.document if isinstance(plan.document, str) else "(see config)", True)
    head = f"{clean(plan.job_id, True)}  {plan.endpoint}  {what[:120]}"
    return head if plan.ready else f"{head}  — cannot re-run: {clean(plan.problem, True)}"


def _edit(plan: RerunPlan) -> RerunPlan:
    """Open the config in $EDITOR until it is a JSON object, or the user gives up."""
    text = dumps(plan.body, indent=2)
    while True:
        edited = click.edit(text, extension=".json", require_save=False)
        if edited is None:
            raise CliError("The editor was closed without saving; nothing was sent.", FAILED)
        changed = with_body(plan, edited)
        if changed.ready:
            return changed
        click.echo(clean(changed.problem), err=True)
        if not (sys.stdin.isatty() and click.confirm("Edit it again?", err=True, default=True)):
            raise CliError(f"{changed.problem} Nothing was sent.", USAGE)
        text = edited


@click.command("rerun")
@click.argument("job_refs", nargs=-1, metavar="[ID|PREFIX]...")
@click.option("--filter", "filter_text", metavar="EXPR", help="Re-run every job that matches.")
@click.option("--edit", is_flag=True, help="Edit the config in $EDITOR first (one job only).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed with --filter in scripts).")
@global_options
@click.pass_context
def command(
    ctx: click.Context, job_refs: tuple[str, ...], filter_text: str | None, edit: bool, yes: bool
) -> None:
    """Create each job again with its input and config (POST /{kind}_async); prints the new
    ids. Asks first on a terminal. Exits 1 if any could not be re-run.

    Nothing is created twice: a request whose answer was lost is checked against the job
    list before it is sent again, and a 429 is waited out as the server asks.

    \b
    Examples:
      reducto-tui jobs rerun c7d791cb
      reducto-tui jobs rerun --filter 'status:failed age<1h' --yes
      reducto-tui jobs rerun c7d791cb --edit
    """
    bulk = prepare(ctx, job_refs, filter_text, WORDS)
    text = bulk.text

    async def go() -> list[int]:
        async with make_client(bulk.settings) as client:
            refs = list(job_refs)
            if bulk.filter is not None:
                refs += await matching(client, bulk.filter, bulk.settings.page_size)
            refs = list(dict.fromkeys(refs))
            if not refs:
                click.echo("No job matches.", err=True)
                return []
            if edit and len(refs) != 1:
                raise CliError(f"--edit re-runs one job; {len(refs)} were given.", USAGE)
            codes: list[int] = []
            plans: list[RerunPlan] = []
            for ref in refs:
                try:
                    _, plan = await with_job(client, ref, partial(fetch_plan, client))
                except ReductoError as exc:
                    _report(text, RerunResult(ref, error=str(exc)))
                    codes.append(exit_code(exc))
                    continue
                plans.append(plan)
            if not plans:
                return codes
            if edit:
                plans = [_edit(plans[0])]
            if text or not yes:
                for plan in plans:
                    click.echo(_describe(plan), err=True)
            confirm(bulk, len(plans), yes)

            def waited(seconds: float) -> None:
                click.echo(f"Rate limited: waiting {seconds:.0f} s as the server asked.", err=True)

            def reported(result: RerunResult) -> None:
                _report(text, result)
                if result.error is not None:
                    codes.append(exit_code(result.failure) if result.failure else FAILED)

            creator = JobCreator(client)
            await send_plans(
                creator, plans, concurrency=CONCURRENCY, on_result=reported, on_wait=waited
            )
            return codes

    bad = [c for c in run(go()) if c]
    if bad:
        raise click.exceptions.Exit(max(bad))


def _report(text: bool, result: RerunResult) -> None:
    old = clean(result.old_id, single_line=True)
    if text:
        if result.new_id is not None:
            note = "  (found in the job list after its answer was lost)" if result.recovered else ""
            click.echo(f"rerun   {old} → {clean(result.new_id, single_line=True)}{note}")
        else:
            click.echo(f"failed  {old}: {clean(result.error, single_line=True)}")
        return
    record: dict[str, object] = {"job_id": result.old_id}
    if result.new_id is not None:
        record |= {"new_job_id": result.new_id, "recovered": result.recovered}
    else:
        record["error"] = result.error
    write(dumps(record) + "\n")
