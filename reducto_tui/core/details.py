"""Fetch ``GET /job`` for a few finished jobs, for what the list never carries: failure codes
and reasons, and credits. Used by ``jobs stats`` and the insight view, so both count the same.

Politely: finished jobs never change, so each is asked once (``asked``); failed jobs first
(their answers are small and their codes are what people look for), newest first; a few
requests at a time; the first 429, 5xx, network or key error ends the round.
"""

from __future__ import annotations

import asyncio
import heapq
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import JobDeletedError, NotFoundError, ReductoError
from reducto_tui.api.models import JobDetail, Usage
from reducto_tui.api.status import StatusKind
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import JobStore, JobView

#: How many jobs one round asks about by default.
DEFAULT_LIMIT = 100
CONCURRENCY = 4


@dataclass
class Tally:
    """What rounds of ``GET /job`` got: the view and ``jobs stats`` word it alike."""

    #: Jobs asked about.
    asked: int = 0
    #: Answers read (a failure code or credits learned, or that there are none).
    read: int = 0
    #: Answered 404/410: the API no longer keeps the job (it expired, or was deleted), so
    #: what only its detail said can never be known; archived jobs often are.
    gone: int = 0

    def add(self, other: Tally) -> None:
        self.asked += other.asked
        self.read += other.read
        self.gone += other.gone


@dataclass
class DetailFetcher:
    client: ReductoClient
    store: JobStore
    concurrency: int = CONCURRENCY
    asked: set[str] = field(default_factory=set)
    #: The error that ended the last round early, if one did (already safe to show).
    problem: str = ""
    #: The last round's counts.
    last: Tally = field(default_factory=Tally)
    #: Jobs the API answered 404/410 for: their detail-only fields are gone for good.
    gone: set[str] = field(default_factory=set)

    def wanted(self, rows: Iterable[JobRow], limit: int) -> list[JobRow]:
        """Up to ``limit`` finished rows still missing what only their detail says, newest
        first, failed ones before completed ones."""
        asked = self.asked
        failed: list[JobRow] = []
        completed: list[JobRow] = []
        for row in rows:
            kind = row.kind
            if kind is StatusKind.FAILED:
                # ``rare`` is None for rows nothing but the list ever told about (nearly all).
                if row.rare is None or (row.error is None and row.reason is None):
                    failed.append(row)
            elif kind is StatusKind.COMPLETED and (row.rare is None or row.credits is None):
                completed.append(row)
        failed = [r for r in failed if r.job_id not in asked and not r.local]
        newest = heapq.nsmallest(limit, failed, key=_age)
        more = limit - len(newest)
        if more <= 0:
            return newest
        # Few are asked at a time: skip the asked ones lazily, not with a pass over all.
        fresh = (r for r in completed if r.job_id not in asked and not r.local)
        return newest + heapq.nsmallest(more, fresh, key=_age)

    async def fetch(self, rows: Iterable[JobRow], limit: int = DEFAULT_LIMIT) -> int:
        """Ask about the rows :meth:`wanted` picks; returns how many answers arrived."""
        todo = self.wanted(rows, limit)
        self.problem = ""
        gate = asyncio.Semaphore(self.concurrency)
        got = 0
        tally = self.last = Tally()

        async def one(row: JobRow) -> None:
            nonlocal got
            async with gate:
                if self.problem:
                    return
                self.asked.add(row.job_id)
                tally.asked += 1
                try:
                    raw = await self.client.get_job_raw(row.job_id)
                except (NotFoundError, JobDeletedError):
                    self.gone.add(row.job_id)  # expired or deleted: nothing to learn
                    tally.gone += 1
                    return
                except ReductoError as exc:
                    self.problem = self.problem or exc.message
                    return
                read = await asyncio.to_thread(light_detail, raw)
                if read is None:
                    return  # not a job's JSON: nothing to learn (the detail view says why)
                detail, credits = read
                self.store.update_detail(row.job_id, detail, credits=credits)
                got += 1
                tally.read += 1

        await asyncio.gather(*(one(r) for r in todo))
        return got

    def unknowable(self, view: JobView) -> int:
        """Failed jobs in ``view`` with no reason that the API no longer keeps: their reason
        will never be known (``r`` would not find it), unlike one not asked yet."""
        count = 0
        for job_id in self.gone:
            row = self.store.by_id.get(job_id)
            if (
                row is not None
                and row.kind is StatusKind.FAILED
                and not (row.error or row.reason)
                and view.contains(row)
            ):
                count += 1
        return count


def light_detail(raw: bytes) -> tuple[JobDetail, float | None] | None:
    """A ``GET /job`` body read for what the aggregates need: everything but the result,
    and the result's credits (``Usage.total_credits``). Validating a whole parse result (chunks, blocks) for
    a hundred jobs would hold the event loop for seconds; this runs in a thread and skips it.
    """
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    result = body.pop("result", None)
    try:
        detail = JobDetail.model_validate(body)
    except ValidationError:
        return None
    usage = result.get("usage") if isinstance(result, dict) else None
    credits = None
    if isinstance(usage, dict):
        try:
            credits = Usage.model_validate(usage).total_credits
        except ValidationError:
            credits = None
    return detail, credits


def _age(row: JobRow) -> float:
    return -(row.created or 0.0)
