"""``reducto-tui``: the dashboard (default), ``--demo``, and the scriptable commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from reducto_tui import __version__
from reducto_tui.cli.context import global_options, globals_of, load, need_key, settings_path
from reducto_tui.cli.exits import CRASH, EXIT_CODES_HELP
from reducto_tui.cli.root import RootGroup

if TYPE_CHECKING:
    from textual.app import App

DEMO_KEY = "demo-key"


@click.group(
    cls=RootGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
@click.option(
    "--demo",
    is_flag=True,
    help="Run the dashboard (or the command after it) against a built-in demo server on loopback.",
)
@click.option(
    "--demo-jobs", type=click.IntRange(min=0), default=500, show_default=True, help="Demo jobs."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Demo data seed.")
@click.option(
    "--refresh",
    "refresh",
    type=click.FloatRange(min=0),
    help="Live refresh interval in seconds (0 = off).",
)
@click.option("--page-size", type=click.IntRange(1, 500), help="Jobs per page (1-500).")
@click.option(
    "--archive-results",
    is_flag=True,
    default=None,
    help="With the archive: also fetch and keep the result of every job that completes.",
)
@global_options
@click.version_option(__version__, prog_name="reducto-tui")
@click.pass_context
def main(
    ctx: click.Context,
    demo: bool,
    demo_jobs: int,
    seed: int,
    refresh: float | None,
    page_size: int | None,
    archive_results: bool | None,
) -> None:
    """A terminal dashboard for Reducto async jobs, and a CLI for scripts.

    Set REDUCTO_API_KEY, then run `reducto-tui`. Try it with no account: `reducto-tui --demo`.

    \b
    Examples:
      reducto-tui --demo
      reducto-tui jobs list --filter 'status:failed age<1h' --format table
      reducto-tui jobs get c7d791cb --wait
    """
    g = globals_of(ctx)
    if ctx.invoked_subcommand is not None:
        if demo:  # `reducto-tui --demo jobs list`: the command talks to the demo server
            from reducto_tui.demo.runner import BackgroundServer

            server = BackgroundServer(jobs=demo_jobs, seed=seed).start()
            ctx.call_on_close(server.stop)
            g.base_url, g.api_key = server.url, DEMO_KEY
        return
    overrides: dict[str, Any] = {
        "refresh_interval": refresh,
        "page_size": page_size,
        "archive_results": archive_results,
    }
    if archive_results:
        overrides["archive"] = True
    from reducto_tui.ui.app import ReductoApp

    if demo:
        from reducto_tui.demo.runner import BackgroundServer
        from reducto_tui.demo.simulator import LIVELY_STUCK_SPAN

        server = BackgroundServer(jobs=demo_jobs, seed=seed, stuck_span=LIVELY_STUCK_SPAN).start()
        g.base_url = server.url
        settings = load(ctx, api_key=DEMO_KEY, **overrides)
        try:
            run_app(ReductoApp(settings, demo=True, config_file=settings_path(ctx)))
        finally:
            server.stop()
        return
    settings = load(ctx, **overrides)
    # Without a key the dashboard could only fail every request: say so and stop, as the
    # commands do (the message would be hidden behind the app's screen until it quits).
    need_key(settings, demo_hint=True)
    run_app(ReductoApp(settings, config_file=settings_path(ctx)))


def run_app(app: App[None]) -> None:
    """Run the TUI; a crash (Textual prints its traceback and stops) exits with CRASH."""
    app.run()
    if app.return_code:
        sys.exit(CRASH)


@main.group(epilog=EXIT_CODES_HELP)
@global_options
def jobs() -> None:
    """Scriptable job commands: list, get, cancel, delete, rerun, submit, export, watch, stats.

    Output is a table (or text) on a terminal and JSON lines when piped; choose with --format.

    \b
    Example:
      reducto-tui jobs list --all --format id | head
    """


def _register() -> None:
    from reducto_tui.cli import (
        archive_cmd,
        demo_cmd,
        doctor,
        jobs_cancel,
        jobs_delete,
        jobs_export,
        jobs_get,
        jobs_list,
        jobs_rerun,
        jobs_stats,
        jobs_submit,
        jobs_watch,
    )

    main.add_command(demo_cmd.demo_server)
    main.add_command(doctor.command)
    main.add_command(archive_cmd.archive)
    for module in (
        jobs_list,
        jobs_get,
        jobs_cancel,
        jobs_delete,
        jobs_rerun,
        jobs_submit,
        jobs_export,
        jobs_watch,
        jobs_stats,
    ):
        jobs.add_command(module.command)


_register()
