"""``jobs list``: stream jobs, newest first, through the app's filter grammar."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import SingleJob
from reducto_tui.api.status import StatusKind, status_kind
from reducto_tui.cli.context import global_options, load, make_client, run
from reducto_tui.cli.exits import USAGE, CliError
from reducto_tui.cli.jsonout import dumps, escape_json
from reducto_tui.cli.output import default_format, flush, write
from reducto_tui.core.filters import Filter, compile_filter, parse_when
from reducto_tui.core.rows import JobRow, row_from_job
from reducto_tui.export import LIST_FIELDS, row_record, to_csv
from reducto_tui.render import format as fmt
from reducto_tui.render.status import status_badge
from reducto_tui.render.text import clean, file_name

FORMATS = ("table", "json", "jsonl", "csv", "id")
ID_WIDTH = 8
#: The source column keeps this much before it ends in "…".
SOURCE_MIN = 12
KINDS = tuple(k.value for k in StatusKind)


def build_filter(
    text: str | None, status: str | None, since: str | None, until: str | None, now: float
) -> tuple[Filter, float | None]:
    """The filter for the options, and the oldest creation time that can match (for --since)."""
    terms = [text] if text else []
    if status is not None:
        if status.lower() not in KINDS and status_kind(status) is StatusKind.UNKNOWN:
            raise CliError(
                f"--status: '{status}' is not a status (try {', '.join(KINDS)}, or a raw "
                "status such as InProgress).",
                USAGE,
            )
        terms.append(f"status:{status}")
    oldest = None
    for flag, value, op in (("--since", since, ">="), ("--until", until, "<=")):
        if value is None:
            continue
        try:
            start, _ = parse_when(value, now)
        except ValueError as exc:
            raise CliError(f"{flag}: {exc}", USAGE) from None
        if flag == "--since":
            oldest = start
        terms.append(f"created{op}{value.strip()}")
    compiled = compile_filter(" ".join(terms), now)
    if compiled.errors:
        raise CliError(f"--filter: {'; '.join(compiled.errors)}", USAGE)
    return compiled, oldest


class _Writer:
    """One output format, written a page at a time so memory stays flat."""

    def __init__(self, form: str, now: float) -> None:
        self.form = form
        self.now = now
        self.count = 0
        self.console = Console(file=sys.stdout, highlight=False, soft_wrap=False)

    def page(self, jobs: list[SingleJob], rows: list[JobRow] | None) -> None:
        if not jobs:
            return
        form = self.form
        if form == "jsonl":
            write(escape_json("\n".join(_job_json(j) for j in jobs)) + "\n")
        elif form == "json":
            sep = "[\n" if self.count == 0 else ",\n"
            body = ",\n".join(_job_json(j) for j in jobs)
            write(sep + escape_json(body))
        elif form == "id":
            write("".join(clean(j.job_id, single_line=True) + "\n" for j in jobs))
        elif form == "csv":
            write(self._csv(_rows(jobs, rows)))
        else:
            self._table(_rows(jobs, rows))
        self.count += len(jobs)
        flush()

    def _csv(self, rows: list[JobRow]) -> str:
        records = [
            {k: clean(v) if isinstance(v, str) else v for k, v in row_record(r).items()}
            for r in rows
        ]
        text = to_csv(records, LIST_FIELDS)
        if self.count:  # the header once, on the first page
            text = text.partition("\n")[2]
        return text

    def _table(self, rows: Iterable[JobRow]) -> None:
        table = Table(box=None, show_header=self.count == 0, pad_edge=False, header_style="bold")
        # Eight characters, as in the app: a prefix that `jobs get` accepts.
        table.add_column("JOB ID", no_wrap=True, min_width=ID_WIDTH)
        table.add_column("STATUS", no_wrap=True, min_width=12)
        table.add_column("TYPE", no_wrap=True, min_width=8)
        table.add_column("CREATED", no_wrap=True, min_width=15)
        table.add_column("PAGES", no_wrap=True, justify="right", min_width=5)
        table.add_column("DURATION", no_wrap=True, justify="right", min_width=8)
        # The one column that gives way: a long source ends in "…" and the others keep
        # their width (with every column no_wrap, Rich shrank them all and cut the source).
        table.add_column("SOURCE", overflow="ellipsis", min_width=SOURCE_MIN)
        for r in rows:
            table.add_row(
                Text(clean(r.job_id[:ID_WIDTH], single_line=True)),
                status_badge(clean(r.status or "unknown", single_line=True), r.kind),
                Text(clean(r.type, single_line=True)),
                Text(fmt.ago(r.created, self.now)),
                Text(fmt.pages(r.num_pages, r.total_pages)),
                Text(_duration(r.duration)),
                Text(
                    clean(file_name(r.source), single_line=True),
                    no_wrap=True,
                    overflow="ellipsis",
                ),
            )
        self.console.print(table)

    def close(self, ok: bool) -> None:
        if self.form == "json":
            write("\n]\n" if self.count else "[]\n")
        elif ok and self.form == "table" and not self.count:
            click.echo("No jobs match.", err=True)


def _rows(jobs: list[SingleJob], rows: list[JobRow] | None) -> list[JobRow]:
    return rows if rows is not None else [row_from_job(j, j.job_id) for j in jobs]


@click.command("list", epilog="Filter grammar: see the README ('Filter grammar').")
@click.option("--all", "all_jobs", is_flag=True, help="Every job (streams; no --max).")
@click.option(
    "--max",
    "max_jobs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Stop after this many matching jobs, following pages until it has them.",
)
@click.option("--limit", "limit_alias", type=click.IntRange(min=1), hidden=True)
@click.option("--page-size", type=click.IntRange(1, 500), help="Jobs per request (1-500).")
@click.option(
    "--filter",
    "filter_text",
    metavar="EXPR",
    help="The app's filter, e.g. 'status:failed pages>20'.",
)
@click.option("--status", help="Same as --filter status:STATUS (queued, running, failed, …).")
@click.option(
    "--since", metavar="T", help="Created at or after T: 2026-11-24, ISO time, or 2d/3h ago."
)
@click.option("--until", metavar="T", help="Created at or before T (same forms as --since).")
@click.option(
    "--format",
    "form",
    type=click.Choice(FORMATS),
    help="table on a terminal, jsonl when piped; id prints one id per line.",
)
@global_options
@click.pass_context
def command(
    ctx: click.Context,
    all_jobs: bool,
    max_jobs: int,
    limit_alias: int | None,
    page_size: int | None,
    filter_text: str | None,
    status: str | None,
    since: str | None,
    until: str | None,
    form: str | None,
) -> None:
    """List jobs, newest first.

    \b
    Examples:
      reducto-tui jobs list --filter 'status:failed type:parse' --since 2d
      reducto-tui jobs list --all --format id | xargs reducto-tui jobs cancel --yes
      reducto-tui jobs list --all --format csv > jobs.csv
    """
    now = time.time()
    flt, oldest = build_filter(filter_text, status, since, until, now)
    settings = load(ctx, page_size=page_size)
    limit = None if all_jobs else (limit_alias or max_jobs)
    writer = _Writer(default_format("table", "jsonl", form), now)

    async def go() -> None:
        async with make_client(settings) as client:
            async for page in client.iter_pages(
                limit=settings.page_size, exclude_configs=settings.exclude_configs
            ):
                jobs = page.jobs
                rows = None
                if not flt.empty:
                    rows = [row_from_job(j, j.job_id) for j in jobs]
                    keep = [flt.matches(r) for r in rows]
                    jobs = [j for j, k in zip(jobs, keep, strict=True) if k]
                    rows = [r for r, k in zip(rows, keep, strict=True) if k]
                if limit is not None and writer.count + len(jobs) >= limit:
                    cut = limit - writer.count
                    writer.page(jobs[:cut], rows[:cut] if rows is not None else None)
                    return
                writer.page(jobs, rows)
                if oldest is not None and _all_older(page.jobs, oldest):
                    return  # newest first: every later page is older still

    ok = False
    try:
        run(go())
        ok = True
    finally:
        writer.close(ok)


def _all_older(jobs: list[SingleJob], oldest: float) -> bool:
    times = [c.timestamp() for c in (j.created for j in jobs) if c is not None]
    return bool(times) and max(times) < oldest


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return fmt.duration(seconds) if math.isfinite(seconds) else "unknown"


def _job_json(job: SingleJob) -> str:
    """One listed job as JSON; a job no JSON writer takes whole (lone surrogates, nesting
    deeper than any writer goes) is written escaped, or with the fields every row has."""
    try:
        return job.model_dump_json(exclude_unset=True)
    except ValueError:
        pass
    try:
        return dumps(job.model_dump(mode="json", exclude_unset=True))
    except (ValueError, RecursionError, TypeError):
        return dumps(
            {
                "job_id": job.job_id,
                "status": job.status,
                "created_at": job.created_at,
                "unreadable": "the job's other fields are nested too deeply to write",
            }
        )
