"""``reducto-tui``: the dashboard (default), ``--demo``, the demo server, and scriptable commands."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from reducto_tui import __version__
from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import ReductoError
from reducto_tui.api.status import is_finished
from reducto_tui.config import ConfigError, Settings, load_settings, make_client

T = TypeVar("T")
DEMO_KEY = "demo-key"
#: ``jobs get --wait`` never asks for the same job more often than this.
POLL_INTERVAL = 2.0


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    try:
        return load_settings(overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _client(settings: Settings) -> ReductoClient:
    return make_client(settings)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except ReductoError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--demo", is_flag=True, help="Run against a built-in demo server on loopback.")
@click.option("--demo-jobs", type=int, default=500, show_default=True, help="Jobs in the demo.")
@click.option("--seed", type=int, default=0, show_default=True, help="Demo data seed.")
@click.option("--base-url", help="API base URL (else REDUCTO_BASE_URL or the config file).")
@click.option(
    "--refresh", "refresh", type=float, help="Live refresh interval in seconds (0 = off)."
)
@click.option("--page-size", type=click.IntRange(1, 500), help="Jobs per page (1-500).")
@click.option("--read-only", is_flag=True, default=None, help="Disable cancel and delete.")
@click.version_option(__version__, prog_name="reducto-tui")
@click.pass_context
def main(
    ctx: click.Context,
    demo: bool,
    demo_jobs: int,
    seed: int,
    base_url: str | None,
    refresh: float | None,
    page_size: int | None,
    read_only: bool | None,
) -> None:
    """A terminal dashboard for Reducto async jobs.

    Set REDUCTO_API_KEY, then run `reducto-tui`. Try it with no account: `reducto-tui --demo`.
    """
    ctx.ensure_object(dict)
    ctx.obj["base_url"] = base_url
    if ctx.invoked_subcommand is not None:
        return
    overrides: dict[str, Any] = {
        "base_url": base_url,
        "refresh_interval": refresh,
        "page_size": page_size,
        "read_only": read_only,
    }
    from reducto_tui.ui.app import ReductoApp

    if demo:
        from reducto_tui.demo.runner import BackgroundServer

        server = BackgroundServer(jobs=demo_jobs, seed=seed).start()
        overrides.update(base_url=server.url, api_key=DEMO_KEY)
        settings = _settings(ctx, **overrides)
        try:
            ReductoApp(settings, demo=True).run()
        finally:
            server.stop()
        return
    settings = _settings(ctx, **overrides)
    if settings.api_key is None:
        click.echo(
            "No API key: set REDUCTO_API_KEY (or api_key in the config file), "
            "or try `reducto-tui --demo`.",
            err=True,
        )
    ReductoApp(settings).run()


@main.command("demo-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--jobs", type=int, default=500, show_default=True, help="Jobs to pre-populate.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--latency", type=float, default=0.0, help="Seconds added to every API answer.")
@click.option(
    "--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of answers that are 5xx."
)
@click.option(
    "--rate-limit", type=float, default=0.0, help="Requests per second before 429 (0 = none)."
)
@click.option("--require-key", help="Answer 401 unless this exact bearer key is sent.")
@click.option(
    "--arrival-interval",
    type=float,
    default=8.0,
    show_default=True,
    help="Mean seconds between new jobs (0 = none).",
)
@click.option(
    "--long-poll",
    is_flag=True,
    help="Honour GET /job/{id}?timeout= (the older Jobs spec); v1.12.20 has no such parameter.",
)
@click.option(
    "--extended-statuses",
    is_flag=True,
    help="GET /job/{id} also answers InProgress/Completing/Cancelled (not in v1.12.20).",
)
def demo_server(
    host: str,
    port: int,
    jobs: int,
    seed: int,
    latency: float,
    error_rate: float,
    rate_limit: float,
    require_key: str | None,
    arrival_interval: float,
    long_poll: bool,
    extended_statuses: bool,
) -> None:
    """Serve the Reducto-compatible demo Jobs API in the foreground."""
    from reducto_tui.demo.runner import serve_forever
    from reducto_tui.demo.server import Extras, Faults

    faults = Faults(
        latency=latency,
        error_rate=error_rate,
        rate_limit=rate_limit,
        require_key=require_key,
        seed=seed,
    )
    extras = Extras(long_poll=long_poll, extended_statuses=extended_statuses)
    serve_forever(host, port, jobs, seed, faults, arrival_interval, extras)


@main.group()
def jobs() -> None:
    """Scriptable job commands (JSON on stdout)."""


@jobs.command("list")
@click.option("--limit", type=click.IntRange(1, 500), default=100, show_default=True)
@click.option("--all", "all_pages", is_flag=True, help="Follow the cursor to the last page.")
@click.option("--status", help="Only jobs whose status matches (e.g. failed, running).")
@click.pass_context
def jobs_list(ctx: click.Context, limit: int, all_pages: bool, status: str | None) -> None:
    """List jobs, newest first, one JSON object per line."""
    from reducto_tui.api.status import status_kind

    settings = _settings(ctx, base_url=ctx.obj.get("base_url"))

    async def go() -> None:
        async with _client(settings) as client:
            async for page in client.iter_pages(limit=limit):
                for job in page.jobs:
                    if (
                        status
                        and status.lower() not in (job.status or "").lower()
                        and status_kind(job.status).value != status.lower()
                    ):
                        continue
                    click.echo(job.model_dump_json(exclude_unset=True))
                if not all_pages:
                    return

    _run(go())


@jobs.command("get")
@click.argument("job_id")
@click.option(
    "--wait", type=float, help="Ask again (every 2 s) up to this many seconds for a change."
)
@click.pass_context
def jobs_get(ctx: click.Context, job_id: str, wait: float | None) -> None:
    """Print one job (with its result) as JSON."""
    from reducto_tui.export import job_json

    settings = _settings(ctx, base_url=ctx.obj.get("base_url"))

    async def go() -> str:
        async with _client(settings) as client:
            detail = await client.get_job(job_id)
            end = asyncio.get_running_loop().time() + (wait or 0)
            first = detail.status
            while detail.status == first and not is_finished(detail.status):
                left = end - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                await asyncio.sleep(POLL_INTERVAL)
                detail = await client.get_job(job_id)
            return job_json(detail, job_id)

    click.echo(_run(go()), nl=False)


@jobs.command("cancel")
@click.argument("job_ids", nargs=-1, required=True)
@click.pass_context
def jobs_cancel(ctx: click.Context, job_ids: tuple[str, ...]) -> None:
    """Cancel jobs; exits 1 if any could not be cancelled."""
    settings = _settings(ctx, base_url=ctx.obj.get("base_url"))
    if settings.read_only:
        raise click.ClickException("Read-only mode: cancel is disabled.")

    async def go() -> int:
        failed = 0
        async with _client(settings) as client:
            for job_id in job_ids:
                try:
                    await client.cancel_job(job_id)
                    click.echo(json.dumps({"job_id": job_id, "cancelled": True}))
                except ReductoError as exc:
                    failed += 1
                    click.echo(
                        json.dumps({"job_id": job_id, "cancelled": False, "error": exc.message})
                    )
        return failed

    if _run(go()):
        sys.exit(1)


@jobs.command("export")
@click.argument("job_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_key",
    default="job_json",
    show_default=True,
    type=click.Choice(
        ["job_json", "chunks_md", "blocks_csv", "blocks_jsonl", "split_csv", "extract_json"]
    ),
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def jobs_export(ctx: click.Context, job_id: str, path: Path, format_key: str, force: bool) -> None:
    """Export one job's result to PATH (written atomically)."""
    from reducto_tui import export

    fmt = next(
        f
        for f in (
            export.JOB_JSON,
            export.CHUNKS_MD,
            export.BLOCKS_CSV,
            export.BLOCKS_JSONL,
            export.SPLIT_CSV,
            export.EXTRACT_JSON,
        )
        if f.key == format_key
    )
    settings = _settings(ctx, base_url=ctx.obj.get("base_url"))

    async def go() -> Path:
        async with _client(settings) as client:
            detail = await client.get_job(job_id)
        try:
            return export.write_atomic(
                path, export.render_job(fmt, detail, job_id), overwrite=force
            )
        except FileExistsError as exc:
            raise click.ClickException(f"{exc} Use --force to overwrite.") from exc
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"Export failed, nothing written: {exc}") from exc

    click.echo(f"Wrote {_run(go())}")
