"""Short job ids: a unique prefix (at least 6 characters) stands for the whole id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import NotFoundError
from reducto_tui.cli.exits import USAGE, CliError

T = TypeVar("T")
MIN_PREFIX = 6
#: A full job id (a UUID) is 36 characters; a 404 for one is final, not a prefix to look up.
FULL_ID = 36
SHOWN = 10


async def find_by_prefix(client: ReductoClient, prefix: str) -> list[str]:
    """Ids of listed jobs that start with ``prefix`` (case-insensitive), reading every page."""
    wanted = prefix.lower()
    found: list[str] = []
    async for page in client.iter_pages(limit=500):
        found += [j.job_id for j in page.jobs if j.job_id.lower().startswith(wanted)]
    return found


async def with_job(
    client: ReductoClient, ref: str, call: Callable[[str], Awaitable[T]]
) -> tuple[str, T]:
    """``call(job_id)`` for ``ref``; if the API does not know ``ref``, try it as a prefix."""
    try:
        return ref, await call(ref)
    except NotFoundError as missing:
        if len(ref) >= FULL_ID:
            raise
        if len(ref) < MIN_PREFIX:
            missing.hint = (
                f"{missing.hint} A short id needs at least {MIN_PREFIX} characters.".strip()
            )
            raise
        candidates = await find_by_prefix(client, ref)
        if not candidates:
            raise
        if len(candidates) > 1:
            listed = ", ".join(candidates[:SHOWN]) + (" …" if len(candidates) > SHOWN else "")
            raise CliError(
                f"'{ref}' matches {len(candidates)} jobs: {listed}. Give more characters.", USAGE
            ) from None
        job_id = candidates[0]
        return job_id, await call(job_id)
