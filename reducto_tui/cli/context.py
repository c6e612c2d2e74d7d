"""Global options (accepted before or after any subcommand), settings and the API client."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from reducto_tui import config
from reducto_tui.api.client import ReductoClient
from reducto_tui.cli.exits import AUTH, USAGE, CliError
from reducto_tui.config import ENV_VARS, ConfigError, Settings, config_path, load_settings

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Globals:
    base_url: str | None = None
    # The demo's key: ``--demo`` before a command points the command at the demo server.
    api_key: str | None = None
    api_key_env: str | None = None
    config: Path | None = None
    debug: bool = False
    read_only: bool = False
    allow_insecure_http: bool = False
    archive: bool = False
    log_path: Path | None = None


def globals_of(ctx: click.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value not in (None, False):
            setattr(globals_of(ctx), name, value)
            if name == "debug":
                from reducto_tui.cli.debuglog import start_debug_log

                start_debug_log(globals_of(ctx), ctx)

    return callback


def global_options(func: F) -> F:
    """The options every command accepts, wherever they appear on the command line."""
    options = [
        click.option(
            "--base-url",
            metavar="URL",
            expose_value=False,
            callback=_store("base_url"),
            help="API base URL (else REDUCTO_BASE_URL or the config file).",
        ),
        click.option(
            "--api-key-env",
            metavar="NAME",
            expose_value=False,
            callback=_store("api_key_env"),
            help="Read the API key from this environment variable (default REDUCTO_API_KEY).",
        ),
        click.option(
            "--config",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_store("config"),
            help="Config file to use (default: REDUCTO_TUI_CONFIG or the user config dir).",
        ),
        click.option(
            "--read-only",
            is_flag=True,
            expose_value=False,
            callback=_store("read_only"),
            help="Refuse cancel, delete, re-run and submit.",
        ),
        click.option(
            "--allow-insecure-http",
            is_flag=True,
            expose_value=False,
            callback=_store("allow_insecure_http"),
            help="Allow sending the key over plain http:// to a non-loopback host.",
        ),
        click.option(
            "--archive",
            is_flag=True,
            expose_value=False,
            callback=_store("archive"),
            help="Store the jobs and results seen in the archive (config: archive = true).",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_store("debug"),
            help="Write a debug log (key redacted) and show tracebacks.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def global_options_but_config(func: F) -> F:
    """:func:`global_options` for a command whose own ``--config`` means something else
    (``jobs submit --config FILE`` is the job's config); the app's goes before the command."""
    func = global_options(func)
    params: list[click.Parameter] = getattr(func, "__click_params__", [])
    params[:] = [p for p in params if p.name != "config"]
    return func


def key_source(g: Globals, env: dict[str, str] | None = None) -> str:
    """Where the API key comes from, in words (never the key)."""
    env = dict(os.environ) if env is None else env
    if g.api_key_env:
        return f"${g.api_key_env}" if env.get(g.api_key_env) else f"${g.api_key_env} (not set)"
    if env.get(ENV_VARS["api_key"]):
        return f"${ENV_VARS['api_key']}"
    return "the config file"


def settings_path(ctx: click.Context) -> Path:
    return globals_of(ctx).config or config_path()


def load(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings from defaults, config file, environment and the global options."""
    g = globals_of(ctx)
    values: dict[str, Any] = {"base_url": g.base_url, **overrides}
    if g.read_only:
        values["read_only"] = True
    if g.allow_insecure_http:
        values["allow_insecure_http"] = True
    if g.archive:
        values["archive"] = True
    if g.api_key is not None:
        values["api_key"] = g.api_key
    elif g.api_key_env:
        key = os.environ.get(g.api_key_env)
        if not key:
            raise CliError(f"--api-key-env: ${g.api_key_env} is not set or empty.", AUTH)
        values["api_key"] = key
    try:
        settings = load_settings(path=settings_path(ctx), overrides=values)
    except ConfigError as exc:
        raise CliError(str(exc), USAGE) from exc
    if g.debug:
        from reducto_tui.cli.debuglog import redact

        redact(settings.api_key_value())
    return settings


def need_key(settings: Settings, demo_hint: bool = False) -> None:
    if settings.api_key is None:
        hint = " Or try it with no account: `reducto-tui --demo`." if demo_hint else ""
        raise CliError(
            "No API key: set REDUCTO_API_KEY (or api_key in the config file, or use "
            f"--api-key-env NAME).{hint}",
            AUTH,
        )


def make_client(settings: Settings) -> ReductoClient:
    """The client; with the archive on, it stores every job it receives (until the command
    ends, when what is queued is written)."""
    need_key(settings)
    try:
        client = config.make_client(settings)
    except ConfigError as exc:
        raise CliError(str(exc), USAGE) from exc
    if settings.archive:
        from reducto_tui.cli.archive_use import attach

        attach(client, settings)
    return client


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one command's coroutine; API errors become exit codes in the root group."""
    return asyncio.run(coro)


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
