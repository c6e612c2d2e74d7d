"""``jobs export``: every format the app offers, URL results included; written atomically."""

from __future__ import annotations

from pathlib import Path

import click

from reducto_tui import export
from reducto_tui.api.url_results import inline_url_results
from reducto_tui.cli.context import global_options, load, make_client, run
from reducto_tui.cli.exits import FAILED, CliError
from reducto_tui.cli.resolve import with_job

FORMATS = {f.key: f for f in export.JOB_FORMATS}


@click.command("export")
@click.argument("job_ref", metavar="ID|PREFIX")
@click.argument("path_arg", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: a name in export_dir).",
)
@click.option(
    "--format",
    "format_key",
    default="job_json",
    show_default=True,
    type=click.Choice(list(FORMATS)),
    help="; ".join(f"{f.key}: {f.label}" for f in FORMATS.values()),
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@global_options
@click.pass_context
def command(
    ctx: click.Context,
    job_ref: str,
    path_arg: Path | None,
    output: Path | None,
    format_key: str,
    force: bool,
) -> None:
    """Export one job's result to a file (written whole or not at all).

    Results stored behind a link (large parses) are downloaded first, within max_result_mb.

    \b
    Examples:
      reducto-tui jobs export c7d791cb --format chunks_md -o report.md
      reducto-tui jobs export c7d791cb --format blocks_csv -o blocks.csv --force
    """
    if path_arg is not None and output is not None:
        raise click.UsageError("Give the file as PATH or -o PATH, not both.")
    fmt = FORMATS[format_key]
    settings = load(ctx)

    async def go() -> tuple[str, str]:
        async with make_client(settings) as client:
            job_id, detail = await with_job(client, job_ref, client.get_job)
            if fmt is not export.JOB_JSON:
                detail = await inline_url_results(client, detail)
        try:
            return job_id, export.render_job(fmt, detail, job_id)
        except ValueError as exc:
            raise CliError(str(exc), FAILED) from exc

    job_id, text = run(go())
    path = path_arg or output or settings.export_dir / export.default_name(job_id, fmt)
    try:
        written = export.write_atomic(path, text, overwrite=force)
    except FileExistsError as exc:
        raise CliError(f"{exc} Use --force to overwrite.", FAILED) from exc
    except OSError as exc:
        raise CliError(f"Export failed, nothing written: {exc.strerror or exc}", FAILED) from exc
    click.echo(f"Wrote {written}", err=True)
