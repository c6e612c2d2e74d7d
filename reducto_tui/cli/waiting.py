"""``jobs get --wait``: ask again politely until the job finishes (no long-poll: the API has
none). Never more often than every 2 s, backing off 2, 4, 8 … up to 30 s between asks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import JobDetail
from reducto_tui.api.status import is_finished

MIN_INTERVAL = 2.0
MAX_INTERVAL = 30.0


def intervals(first: float = MIN_INTERVAL, cap: float = MAX_INTERVAL) -> Iterator[float]:
    gap = max(MIN_INTERVAL, first)
    while True:
        yield gap
        gap = min(cap, gap * 2)


async def wait_for_job(
    client: ReductoClient,
    job_id: str,
    first: JobDetail,
    timeout: float | None,
    on_update: Callable[[JobDetail], None],
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[JobDetail, bool]:
    """The job once finished (``True``), or as last seen when ``timeout`` ran out (``False``)."""
    detail = first
    started = clock()
    for gap in intervals():
        if is_finished(detail.status):
            return detail, True
        if timeout is not None:
            left = timeout - (clock() - started)
            if left < MIN_INTERVAL:
                return detail, False
            gap = min(gap, left)
        await sleep(gap)
        detail = await client.get_job(job_id)
        on_update(detail)
    raise AssertionError("unreachable")  # pragma: no cover
