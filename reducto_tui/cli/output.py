"""Writing to stdout: stream chunks, pick a default format, survive a closed pipe."""

from __future__ import annotations

import os
import sys

import click

from reducto_tui.cli.context import stdout_is_terminal


def default_format(terminal: str, piped: str, chosen: str | None) -> str:
    if chosen:
        return chosen
    return terminal if stdout_is_terminal() else piped


def write(text: str) -> None:
    """Write to stdout; a reader that went away (``| head``) ends the command quietly."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        _quiet_exit()


def flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_exit()


def _quiet_exit() -> None:
    # Point stdout at /dev/null so the interpreter's final flush does not complain again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise click.exceptions.Exit(0)
