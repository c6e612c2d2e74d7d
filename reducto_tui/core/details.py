"""Fetch ``GET /job`` for a few finished jobs, for what the list never carries: failure codes
and reasons, and credits. Used by ``jobs stats`` and the insight view, so both count the same.

Politely: finished jobs never change, so each is asked once (``asked``); failed jobs first
(their answers are small and their codes are what people look for), newest first; a few
requests at a time; the first 429, 5xx, network or key error ends the round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import JobDeletedError, NotFoundError, ReductoError
from reducto_tui.api.status import StatusKind
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import JobStore

#: How many jobs one round asks about by default.
DEFAULT_LIMIT = 100
CONCURRENCY = 4


@dataclass
class DetailFetcher:
    client: ReductoClient
    store: JobStore
    concurrency: int = CONCURRENCY
    asked: set[str] = field(default_factory=set)
    #: The error that ended the last round early, if one did (already safe to show).
    problem: str = ""

    def wanted(self, rows: Iterable[JobRow], limit: int) -> list[JobRow]:
        """Up to ``limit`` finished rows still missing what only their detail says."""
        failed: list[JobRow] = []
        completed: list[JobRow] = []
        for row in rows:
            if row.job_id in self.asked or row.local:
                continue
            if row.kind is StatusKind.FAILED and row.error is None and row.reason is None:
                failed.append(row)
            elif row.kind is StatusKind.COMPLETED and row.credits is None:
                completed.append(row)
        newest = sorted(failed, key=_age) + sorted(completed, key=_age)
        return newest[:limit]

    async def fetch(self, rows: Iterable[JobRow], limit: int = DEFAULT_LIMIT) -> int:
        """Ask about the rows :meth:`wanted` picks; returns how many answers arrived."""
        todo = self.wanted(rows, limit)
        self.problem = ""
        gate = asyncio.Semaphore(self.concurrency)
        got = 0

        async def one(row: JobRow) -> None:
            nonlocal got
            async with gate:
                if self.problem:
                    return
                self.asked.add(row.job_id)
                try:
                    detail = await self.client.get_job(row.job_id)
                except (NotFoundError, JobDeletedError):
                    return  # expired or deleted: nothing to learn
                except ReductoError as exc:
                    self.problem = self.problem or exc.message
                    return
                self.store.update_detail(row.job_id, detail)
                got += 1

        await asyncio.gather(*(one(r) for r in todo))
        return got


def _age(row: JobRow) -> float:
    return -(row.created or 0.0)
