"""Exit codes, and the one way an error leaves the CLI: one escaped line on stderr.

0 ok · 1 a job failed, was not found, or an action was refused · 2 usage · 3 authentication ·
4 network, server unreachable or 5xx · 5 rate limited past the retry budget ·
70 an unexpected error (a bug: run again with ``--debug`` for the traceback).
"""

from __future__ import annotations

from typing import IO, Any

import click

from reducto_tui.api import errors
from reducto_tui.render.text import clean

OK = 0
FAILED = 1
USAGE = 2
AUTH = 3
NETWORK = 4
RATE_LIMITED = 5
CRASH = 70

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 job failed, not found or action refused; 2 usage; "
    "3 authentication; 4 network or server error; 5 rate limited; 70 unexpected error."
)


class CliError(click.ClickException):
    """A failure with its exit code; shown as one line, with server text escaped."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        setattr(self, "exit_code", code)  # noqa: B010  # click reads it; a ClassVar to mypy

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {clean(self.message, single_line=True)}", err=True)


def exit_code(exc: errors.ReductoError) -> int:
    if isinstance(exc, errors.AuthError):
        return AUTH
    if isinstance(exc, errors.RateLimitError):
        return RATE_LIMITED
    if isinstance(exc, errors.NetworkError | errors.ServerError | errors.BadResponseError):
        return NETWORK
    if isinstance(exc, errors.InvalidRequestError | errors.InsecureConnectionError):
        return USAGE  # refused before sending: what was asked (an id, a URL) cannot go out
    return FAILED


def from_api(exc: errors.ReductoError) -> CliError:
    return CliError(str(exc), exit_code(exc))
