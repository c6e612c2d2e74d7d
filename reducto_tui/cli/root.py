"""The root command group: turns every failure into an exit code and one line on stderr."""

from __future__ import annotations

import traceback
from typing import Any

import click

from reducto_tui.api.errors import ReductoError
from reducto_tui.cli.context import globals_of
from reducto_tui.cli.debuglog import LOG
from reducto_tui.cli.exits import CRASH, CliError, from_api
from reducto_tui.render.text import clean


class RootGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as exc:
            LOG.info("exit %s: %s", exc.exit_code, exc.message)
            raise
        except ReductoError as exc:
            _debug_traceback(ctx)
            raise from_api(exc) from exc
        except Exception as exc:
            _debug_traceback(ctx)
            hint = "" if globals_of(ctx).debug else " Run with --debug for the traceback."
            raise CliError(f"Unexpected error ({type(exc).__name__}): {exc}.{hint}", CRASH) from exc


def _debug_traceback(ctx: click.Context) -> None:
    LOG.exception("command failed")
    if globals_of(ctx).debug:
        click.echo(clean(traceback.format_exc().rstrip()), err=True)
