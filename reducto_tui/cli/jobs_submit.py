"""``jobs submit``: upload local files and create a job for each; prints the new job ids."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import KINDS, JobCreator, LocalFileError, with_input
from reducto_tui.api.create import Progress as Progress_
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.status import StatusKind, status_kind
from reducto_tui.cli.context import (
    global_options_but_config,
    load,
    make_client,
    run,
    stdout_is_terminal,
)
from reducto_tui.cli.exits import FAILED, USAGE, CliError, exit_code
from reducto_tui.cli.jsonout import dumps
from reducto_tui.cli.output import write
from reducto_tui.cli.waiting import wait_for_job
from reducto_tui.core.local_files import expand
from reducto_tui.core.rerun import parse_config
from reducto_tui.render.text import clean


def read_config(source: str | None) -> dict[str, Any]:
    """The job config from a JSON file (``-`` reads stdin); ``{}`` when none is given."""
    if source is None:
        return {}
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"--config {source}: cannot read it ({exc}).", USAGE) from None
    body, problem = parse_config(text, f"--config {source}")
    if body is None:
        raise CliError(f"{problem} Nothing was sent.", USAGE)
    return body


class _Bars:
    """One file's upload progress on stderr (only on a terminal), cleared before its line."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.progress: Progress | None = None

    def track(self, name: str) -> Progress_ | None:
        if not self.enabled:
            return None
        self.done()
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        task = progress.add_task(clean(name, single_line=True)[:40], total=None)
        progress.start()
        self.progress = progress

        def update(sent: int, total: int) -> None:
            progress.update(task, completed=sent, total=total)

        return update

    def done(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


@click.command("submit")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--kind", type=click.Choice(list(KINDS)), default="parse", show_default=True, help="Job kind."
)
@click.option(
    "--config",
    "config_source",
    metavar="FILE",
    help="The job's config: a JSON object (- reads stdin); its input is the uploaded file.",
)
@click.option("--wait", is_flag=True, help="Wait until each job finishes (exit 1 if any fails).")
@global_options_but_config
@click.pass_context
def command(
    ctx: click.Context, files: tuple[str, ...], kind: str, config_source: str | None, wait: bool
) -> None:
    """Upload each FILE (POST /upload; big files to a presigned URL) and create a KIND job
    for it with the config; prints one new job id per file. A quoted glob ('scans/*.pdf')
    is expanded. The app's own config file goes before the command here:
    reducto-tui --config app.toml jobs submit ...

    \b
    Examples:
      reducto-tui jobs submit invoice.pdf
      reducto-tui jobs submit 'scans/*.pdf' --kind extract --config schema.json --wait
      reducto-tui jobs get c7d791cb --format json | jq .raw_config -r | \\
        reducto-tui jobs submit new.pdf --config -
    """
    settings = load(ctx)
    if settings.read_only:
        raise CliError("Read-only mode: submit is disabled.", FAILED)
    config = read_config(config_source)
    targets = expand(files)
    text = stdout_is_terminal()

    async def go() -> list[int]:
        codes: list[int] = []
        async with make_client(settings) as client:
            creator = JobCreator(client)
            bars = _Bars(sys.stderr.isatty())
            try:
                for shown, path in targets:
                    if path is None:
                        _report(text, {"file": shown, "error": "No file matches this pattern."})
                        codes.append(FAILED)
                        continue
                    try:
                        uploaded = await creator.upload(path, bars.track(path.name))
                        created = await creator.create(
                            kind, with_input(kind, config, uploaded.file_id)
                        )
                    except ReductoError as exc:
                        bars.done()
                        _report(text, {"file": shown, "error": str(exc)})
                        # A missing file is that file's failure (1), like cat's, not usage.
                        codes.append(FAILED if isinstance(exc, LocalFileError) else exit_code(exc))
                        continue
                    record: dict[str, Any] = {
                        "file": shown,
                        "file_id": uploaded.file_id,
                        "job_id": created.job_id,
                    }
                    if created.recovered:
                        record["recovered"] = True
                    bars.done()
                    if not wait:
                        _report(text, record)
                    if wait:
                        codes.append(await _wait(client, record, text))
            finally:
                bars.done()
        return codes

    bad = [c for c in run(go()) if c]
    if bad:
        raise click.exceptions.Exit(max(bad))


async def _wait(client: ReductoClient, record: dict[str, Any], text: bool) -> int:
    job_id = record["job_id"]
    try:
        first = await client.get_job(job_id)
        detail, _ = await wait_for_job(client, job_id, first, None, lambda d: None)
    except ReductoError as exc:
        _report(text, {**record, "error": str(exc)})
        return exit_code(exc)
    record["status"] = detail.status
    if status_kind(detail.status) is not StatusKind.COMPLETED:
        record["error"] = detail.reason or detail.status or "unknown"
        _report(text, record)
        return FAILED
    _report(text, record)
    return 0


def _report(text: bool, record: dict[str, Any]) -> None:
    if not text:
        write(dumps(record) + "\n")
        return
    name = clean(record["file"], single_line=True)
    if "job_id" not in record:
        click.echo(f"failed     {name}: {clean(record['error'], single_line=True)}")
        return
    job = clean(record["job_id"], single_line=True)
    status = f"  {clean(record['status'], single_line=True)}" if "status" in record else ""
    note = "  (found in the job list after its answer was lost)" if record.get("recovered") else ""
    line = f"submitted  {name} → {job}{status}{note}"
    if record.get("error") and "status" in record:
        line += f": {clean(record['error'], single_line=True)}"
    click.echo(line)
