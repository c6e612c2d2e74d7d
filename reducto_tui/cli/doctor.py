"""``doctor``: what the CLI would use and whether it works, never showing the key."""

from __future__ import annotations

import email.utils
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx

from reducto_tui.api.errors import ReductoError
from reducto_tui.cli.context import (
    global_options,
    globals_of,
    key_source,
    load,
    make_client,
    run,
    settings_path,
)
from reducto_tui.cli.debuglog import log_dir
from reducto_tui.cli.exits import AUTH, FAILED, OK, CliError, exit_code
from reducto_tui.config import Settings
from reducto_tui.render.text import clean

#: More clock skew than this makes presigned result links look expired or not yet valid.
MAX_SKEW_S = 300.0


@dataclass
class Report:
    lines: list[tuple[str, str, bool]] = field(default_factory=list)
    code: int = OK

    def add(self, name: str, value: str, ok: bool = True, code: int = FAILED) -> None:
        self.lines.append((name, clean(value, single_line=True), ok))
        if not ok and self.code == OK:
            self.code = code


def _writable(directory: Path) -> bool:
    return directory.is_dir() and os.access(directory, os.W_OK)


async def _probe(settings: Settings, report: Report) -> None:
    try:
        client = make_client(settings)
    except CliError as exc:
        report.add("connection", exc.message, False, exc.exit_code)
        return
    async with client:
        started = time.monotonic()
        try:
            await client.list_jobs(None, 1, True)
        except ReductoError as exc:
            report.add("reachable", str(exc), False, exit_code(exc))
            return
        report.add(
            "reachable",
            f"yes, GET /jobs in {(time.monotonic() - started) * 1000:.0f} ms; key accepted",
        )
        try:
            report.add("api version", await client.version())
        except ReductoError as exc:
            report.add("api version", f"unknown ({exc.message})")
    # The Date header of an unauthenticated request: no key needed to read the server's clock.
    try:
        async with httpx.AsyncClient(timeout=10) as raw:
            sent = time.time()
            answer = await raw.get(settings.base_url + "/version")
            got = time.time()
        date = answer.headers.get("date")
        server = email.utils.parsedate_to_datetime(date).timestamp() if date else None
    except (httpx.HTTPError, TypeError, ValueError):
        server = None
    if server is None:
        report.add("clock skew", "unknown (no Date header)")
    else:
        skew = server - (sent + got) / 2  # Date has 1 s resolution
        report.add(
            "clock skew",
            f"{skew:+.1f} s (server Date header)",
            abs(skew) <= MAX_SKEW_S,
        )


@click.command("doctor")
@global_options
@click.pass_context
def command(ctx: click.Context) -> None:
    """Check the setup: config file, key source, base URL, reachability, version, clock, dirs.

    Exits non-zero when something is wrong (2 config, 3 key, 4 unreachable, 1 otherwise).

    \b
    Example:
      reducto-tui doctor --base-url https://platform.reducto.ai
    """
    report = Report()
    path = settings_path(ctx)
    settings: Settings | None = None
    try:
        settings = load(ctx)
    except CliError as exc:
        report.add("config file", f"{path}: {exc.message}", False, exc.exit_code)
    else:
        report.add(
            "config file", f"{path} ({'parsed' if path.exists() else 'not found; defaults'})"
        )
    if settings is not None:
        has_key = settings.api_key is not None
        report.add(
            "api key",
            f"from {key_source(globals_of(ctx))}" if has_key else "missing: set REDUCTO_API_KEY",
            has_key,
            AUTH,
        )
        report.add("base url", settings.base_url)
        if has_key:
            run(_probe(settings, report))
        report.add(
            "export dir",
            f"{settings.export_dir} ({'writable' if _writable(settings.export_dir) else 'not writable'})",
            _writable(settings.export_dir),
        )
    report.add("log dir", f"{log_dir()} (written with --debug)")
    width = max(len(name) for name, _, _ in report.lines)
    for name, value, ok in report.lines:
        mark = "ok " if ok else "!! "
        click.echo(f"{mark}{name:<{width}}  {value}")
    if report.code:
        raise click.exceptions.Exit(report.code)
