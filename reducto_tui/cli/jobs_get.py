"""``jobs get``: one job as JSON, a summary or Markdown; ``--wait`` until it finishes."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from reducto_tui.api.errors import JobDeletedError, NotFoundError
from reducto_tui.api.models import JobDetail, UnknownResult
from reducto_tui.api.status import StatusKind, status_kind
from reducto_tui.api.url_results import inline_url_results
from reducto_tui.cli.archive_use import archived_detail
from reducto_tui.cli.context import global_options, load, make_client, run, stdout_is_terminal
from reducto_tui.cli.exits import FAILED, CliError, from_api
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import default_format, write
from reducto_tui.cli.resolve import with_job
from reducto_tui.cli.waiting import wait_for_job
from reducto_tui.export import TOO_DEEP, chunks_markdown, full_result, too_deep
from reducto_tui.render import format as fmt
from reducto_tui.render.summary import capped, summary
from reducto_tui.render.text import clean

FORMATS = ("json", "summary", "markdown")


def job_record(detail: JobDetail, job_id: str) -> dict[str, Any]:
    """The job as the API sent it (non-finite numbers become null), with its id first."""
    data = json.loads(detail.model_dump_json(exclude_unset=True))
    if isinstance(detail.result, UnknownResult):
        data["result"] = detail.result.raw
    data.pop("job_id", None)
    return {"job_id": job_id, **data}


class _Bar:
    """A progress bar on stderr while waiting, only when both streams are a terminal."""

    def __init__(self, job_id: str, enabled: bool) -> None:
        self.progress: Progress | None = None
        if enabled:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.progress.add_task(
                clean(job_id[:13], single_line=True), total=100, status=""
            )
            self.progress.start()

    def update(self, detail: JobDetail) -> None:
        if self.progress is None:
            return
        fraction = detail.progress_fraction
        done = status_kind(detail.status) is StatusKind.COMPLETED
        self.progress.update(
            self.task,
            completed=100 if done else (fraction or 0) * 100,
            status=clean(detail.status or "unknown", single_line=True),
        )

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@click.command("get")
@click.argument("job_ref", metavar="ID|PREFIX")
@click.option(
    "--format", "form", type=click.Choice(FORMATS), help="summary on a terminal, json when piped."
)
@click.option(
    "--wait", is_flag=True, help="Ask again (every 2 s, backing off to 30 s) until it finishes."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="With --wait: give up after this long (exit 1).",
)
@global_options
@click.pass_context
def command(
    ctx: click.Context, job_ref: str, form: str | None, wait: bool, timeout: float | None
) -> None:
    """Show one job (with its result). A unique prefix of 6+ characters is enough.

    With --wait, exits 0 when the job completed and 1 when it failed, was cancelled or was
    still unfinished at --timeout.

    \b
    Examples:
      reducto-tui jobs get c7d791cb --format summary
      reducto-tui jobs get c7d791cb --wait --timeout 600 | jq .result
    """
    if timeout is not None and not wait:
        raise click.UsageError("--timeout only applies with --wait.")
    settings = load(ctx)
    form = default_format("summary", "json", form)
    terminal = stdout_is_terminal() and sys.stderr.isatty()

    async def go() -> tuple[str, JobDetail, bool]:
        async with make_client(settings) as client:
            try:
                job_id, detail = await with_job(client, job_ref, client.get_job)
            except (NotFoundError, JobDeletedError):
                stored = archived_detail(settings, job_ref) if settings.archive else None
                if stored is None:
                    raise
                job_id, detail, seen = stored
                click.echo(
                    f"The API no longer has job {clean(job_id, single_line=True)}; shown from "
                    f"the archive (last seen {fmt.absolute(seen)}).",
                    err=True,
                )
                return job_id, detail, True
            finished = True
            if wait:
                bar = _Bar(job_id, terminal)
                bar.update(detail)
                try:
                    detail, finished = await wait_for_job(
                        client, job_id, detail, timeout, bar.update
                    )
                finally:
                    bar.stop()
            if form == "markdown":
                detail = await inline_url_results(client, detail)
            return job_id, detail, finished

    job_id, detail, finished = run(go())
    _print(form, job_id, detail)
    if wait:
        kind = status_kind(detail.status)
        if not finished:
            raise CliError(
                f"Job {job_id} is still {detail.status or 'unknown'} after {timeout:g} s.", FAILED
            )
        if kind is not StatusKind.COMPLETED:
            why = capped(detail.reason or detail.status or "unknown")
            raise CliError(f"Job {job_id} {kind.value}: {why}.", FAILED)


def _print(form: str, job_id: str, detail: JobDetail) -> None:
    if form == "json":
        try:
            text = dumps(job_record(detail, job_id), indent=2) + "\n"
        except TOO_DEEP as exc:
            raise from_api(too_deep("print")) from exc
        write(text)
    elif form == "summary":
        Console(file=sys.stdout, highlight=False).print(summary(job_id, detail, time.time()))
    else:
        result = full_result(detail)
        if result is None:
            raise CliError("This job has no parse result to show as Markdown.", FAILED)
        write(clean(chunks_markdown(result, f"Job {job_id}")))
