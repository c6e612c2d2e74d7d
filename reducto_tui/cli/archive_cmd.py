"""``archive stats | prune | export | path | vacuum``: the stored job history."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from reducto_tui.archive import Archive, ArchiveError
from reducto_tui.archive.base import ArchivedJob, load_data
from reducto_tui.archive.location import describe
from reducto_tui.cli.archive_use import opened
from reducto_tui.cli.context import global_options, load, stdout_is_terminal
from reducto_tui.cli.exits import EXIT_CODES_HELP, FAILED, USAGE, CliError
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import flush, write
from reducto_tui.core.filters import parse_duration, parse_when
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean

T = TypeVar("T")


def _archive(ctx: click.Context) -> Archive:
    archive = opened(load(ctx), required=True)
    assert archive is not None
    return archive


def _do(call: Callable[[], T]) -> T:
    try:
        return call()
    except ArchiveError as exc:
        raise CliError(clean(str(exc), single_line=True), FAILED) from None


@click.group(epilog=EXIT_CODES_HELP)
@global_options
def archive() -> None:
    """The archive of jobs and results (see the README: off unless --archive or
    `archive = true`; SQLite in the data dir, or PostgreSQL via archive_url).

    \b
    Examples:
      reducto-tui archive stats
      reducto-tui archive export --since 7d > week.jsonl
      reducto-tui archive prune --older-than 90d
    """


@archive.command("path")
@global_options
@click.pass_context
def path_cmd(ctx: click.Context) -> None:
    """Print where the archive is (a file path, or the PostgreSQL URL without password)."""
    write(clean(describe(load(ctx).archive_url_value()), single_line=True) + "\n")


@archive.command("stats")
@click.option("--format", "form", type=click.Choice(("text", "json")), default="text")
@global_options
@click.pass_context
def stats_cmd(ctx: click.Context, form: str) -> None:
    """How many jobs and results the archive holds, by state, and how old they are."""
    stats = _do(_archive(ctx).stats)
    if form == "json":
        write(dumps(stats.__dict__) + "\n")
        return
    now = time.time()
    lines = [
        f"archive      {clean(stats.location, single_line=True)}",
        f"jobs         {stats.jobs:,}",
        f"with result  {stats.with_result:,} (completed jobs whose result is stored)",
        f"details      {stats.details:,} (GET /job answers, {_mb(stats.stored_bytes)} compressed)",
        f"oldest       {_when(stats.oldest, now)}",
        f"newest       {_when(stats.newest, now)}",
        f"size         {_mb(stats.size_bytes)}",
    ]
    lines += [f"  {state:<11}{n:,}" for state, n in sorted(stats.by_state.items())]
    write("\n".join(lines) + "\n")


@archive.command("prune")
@click.option(
    "--older-than", "older", required=True, metavar="AGE", help="e.g. 30d, 12h (creation time)."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when not on a terminal).")
@global_options
@click.pass_context
def prune_cmd(ctx: click.Context, older: str, yes: bool) -> None:
    """Delete archived jobs (and their results) created longer ago than AGE; asks first on
    a terminal, and needs --yes in scripts.

    \b
    Examples:
      reducto-tui archive prune --older-than 90d
      reducto-tui archive prune --older-than 30d --yes     # from cron
    """
    try:
        age = parse_duration(older)
    except ValueError as exc:
        raise CliError(f"--older-than: {exc}", USAGE) from None
    if age <= 0:
        # "0" reads like "nothing" but means "created before now": every job.
        raise CliError(
            "--older-than 0 would delete every archived job: give an age such as 30d.", USAGE
        )
    interactive = stdout_is_terminal() and sys.stdin.isatty()
    if not yes and not interactive:
        raise CliError("Pruning the archive needs --yes when not on a terminal.", USAGE)
    before = time.time() - age
    archive = _archive(ctx)
    count = _do(lambda: archive.count_before(before))
    when = fmt.absolute(before)
    if not count:
        click.echo(f"No archived jobs were created before {when}: nothing to delete.", err=True)
        return
    jobs = f"{count:,} archived job{'s' * (count != 1)}"
    if not yes and not click.confirm(
        f"Delete {jobs} created before {when} (and their results)?", err=True
    ):
        raise CliError("Nothing deleted.", FAILED)
    gone = _do(lambda: archive.prune(before))
    click.echo(f"Deleted {gone:,} archived jobs created before {when}.", err=True)


@archive.command("vacuum")
@global_options
@click.pass_context
def vacuum_cmd(ctx: click.Context) -> None:
    """Give the space of deleted jobs back to the disk (after a prune)."""
    _do(_archive(ctx).vacuum)
    click.echo("Vacuumed.", err=True)


@archive.command("export")
@click.option("--since", metavar="T", help="Created at or after T: 2026-11-24, ISO time, or 2d.")
@click.option("--until", metavar="T", help="Created at or before T (same forms).")
@click.option("--format", "form", type=click.Choice(("jsonl",)), default="jsonl", show_default=True)
@click.option("--results/--no-results", default=True, help="Include stored results (default).")
@global_options
@click.pass_context
def export_cmd(
    ctx: click.Context, since: str | None, until: str | None, form: str, results: bool
) -> None:
    """Every archived job created in the range, newest first, one JSON object per line:
    the job as the API last sent it, with `result` when one was fetched."""
    now = time.time()
    low = _when_option("--since", since, now, 0)
    high = _when_option("--until", until, now, 1)
    archive = _archive(ctx)

    def go() -> None:
        for batch in archive.iter_jobs(low, high):
            write("".join(dumps(_record(archive, job, results)) + "\n" for job in batch))
            flush()

    _do(go)


def _record(archive: Archive, job: ArchivedJob, results: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"job_id": job.job_id, **job.data}
    if results and job.has_body:
        body = archive.body(job.job_id)
        if body is not None:
            record["result"] = load_data(body.decode("utf-8", "replace")).get("result")
    return record


def _when_option(flag: str, value: str | None, now: float, end: int) -> float | None:
    if value is None:
        return None
    try:
        return parse_when(value, now)[end]
    except ValueError as exc:
        raise CliError(f"{flag}: {exc}", USAGE) from None


def _when(ts: float | None, now: float) -> str:
    return "—" if ts is None else f"{fmt.absolute(ts)} ({fmt.ago(ts, now)})"


def _mb(size: int | None) -> str:
    return "unknown" if size is None else f"{size / 1e6:.1f} MB"
