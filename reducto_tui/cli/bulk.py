"""What the commands that act on many jobs (``jobs cancel``, ``jobs rerun``) share: jobs
named by id or prefix or chosen by ``--filter``, refused in read-only mode, confirmed on a
terminal (and required ``--yes`` in a script when chosen by a filter)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import click

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import SingleJob
from reducto_tui.cli.context import load, stdout_is_terminal
from reducto_tui.cli.exits import FAILED, USAGE, CliError
from reducto_tui.cli.jobs_list import build_filter
from reducto_tui.config import Settings
from reducto_tui.core.filters import Filter
from reducto_tui.core.rows import row_from_job


@dataclass(frozen=True, slots=True)
class Words:
    """How a command speaks of what it does: "cancel", "Cancel", "Cancelling", "cancelled"."""

    action: str
    verb: str
    doing: str
    done: str


@dataclass(frozen=True, slots=True)
class Bulk:
    settings: Settings
    #: The ``--filter``, when one was given.
    filter: Filter | None
    #: A person is there to answer a question (stdin and stdout are a terminal).
    interactive: bool
    #: Report in lines of text (stdout is a terminal), else in JSON lines.
    text: bool
    words: Words


def prepare(
    ctx: click.Context, job_refs: tuple[str, ...], filter_text: str | None, words: Words
) -> Bulk:
    """Check the command line before anything is asked of the server."""
    if not job_refs and not filter_text:
        raise click.UsageError("Give job ids, or --filter EXPR.")
    flt = build_filter(filter_text, None, None, None, time.time())[0] if filter_text else None
    settings = load(ctx)
    if settings.read_only:
        raise CliError(f"Read-only mode: {words.action} is disabled.", FAILED)
    text = stdout_is_terminal()
    return Bulk(settings, flt, text and sys.stdin.isatty(), text, words)


async def matching(
    client: ReductoClient,
    flt: Filter,
    page_size: int,
    wanted: Callable[[SingleJob], bool] = lambda job: True,
) -> list[str]:
    """The ids of the listed jobs that are ``wanted`` and match ``flt``."""
    found: list[str] = []
    async for page in client.iter_pages(limit=page_size):
        found += [
            j.job_id for j in page.jobs if wanted(j) and flt.matches(row_from_job(j, j.job_id))
        ]
    return found


def confirm(bulk: Bulk, count: int, yes: bool) -> None:
    """Ask before acting on ``count`` jobs, unless ``--yes`` was given."""
    if yes:
        return
    words = bulk.words
    if bulk.interactive:
        if not click.confirm(f"{words.verb} {count} job{'s' * (count != 1)}?", err=True):
            raise CliError(f"Nothing {words.done}.", FAILED)
    elif bulk.filter is not None:
        raise CliError(f"{words.doing} by --filter needs --yes when not on a terminal.", USAGE)
