"""Cancel and delete, one job or many, with bounded concurrency and an honest report."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.errors import JobDeletedError, ReductoError
from reducto_tui.api.status import can_cancel
from reducto_tui.core.rows import JobRow
from reducto_tui.core.store import Changes, JobStore


@dataclass
class Report:
    verb: str
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.verb} {len(self.done)}"]
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)} (already finished)")
        if self.failed:
            why = self.failed[0][1]
            parts.append(f"failed {len(self.failed)} ({why})")
        return ", ".join(parts)


def split_cancellable(rows: Iterable[JobRow]) -> tuple[list[JobRow], list[JobRow]]:
    send: list[JobRow] = []
    skip: list[JobRow] = []
    for row in rows:
        (send if can_cancel(row.status) else skip).append(row)
    return send, skip


async def cancel_jobs(
    client: ReductoClient,
    store: JobStore,
    rows: list[JobRow],
    *,
    concurrency: int = 4,
    on_change: Callable[[JobRow], None] | None = None,
) -> tuple[Report, Changes]:
    """Cancel what can be cancelled, then verify each with ``GET /job/{id}``."""
    report = Report("cancelled")
    changes = Changes()
    send, skip = split_cancellable(rows)
    report.skipped = [r.job_id for r in skip]
    gate = asyncio.Semaphore(concurrency)

    async def one(row: JobRow) -> None:
        async with gate:
            store.set_local(row.job_id, "cancelling")
            if on_change:
                on_change(row)
            try:
                await client.cancel_job(row.job_id)
                detail = await client.get_job(row.job_id)
            except ReductoError as exc:
                store.set_local(row.job_id, None)
                report.failed.append((row.job_id, exc.message))
            else:
                store.set_local(row.job_id, None)
                changes.extend(store.update_detail(row.job_id, detail))
                report.done.append(row.job_id)
            if on_change:
                on_change(row)

    await asyncio.gather(*(one(r) for r in send))
    return report, changes


async def delete_jobs(
    client: ReductoClient,
    store: JobStore,
    rows: list[JobRow],
    *,
    include_persisted: bool = False,
    concurrency: int = 4,
    on_change: Callable[[JobRow], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    checks: int = 30,
) -> Report:
    report = Report("deleted")
    gate = asyncio.Semaphore(concurrency)

    async def one(row: JobRow) -> None:
        async with gate:
            store.set_local(row.job_id, "deleting")
            if on_change:
                on_change(row)
            try:
                await client.delete_job(row.job_id, include_persisted=include_persisted)
                store.set_local(row.job_id, await _until_gone(client, row.job_id, sleep, checks))
            except ReductoError as exc:
                store.set_local(row.job_id, None)
                report.failed.append((row.job_id, exc.message))
            else:
                report.done.append(row.job_id)
            if on_change:
                on_change(row)

    await asyncio.gather(*(one(r) for r in rows))
    return report


async def _until_gone(
    client: ReductoClient, job_id: str, sleep: Callable[[float], Awaitable[None]], checks: int
) -> str:
    """Reads answer 409 while the server cleans up and 410 once the data is gone."""
    for _ in range(checks):
        try:
            await client.get_job(job_id)
        except JobDeletedError as exc:
            if exc.gone:
                return "deleted"
        else:
            return "delete requested"
        await sleep(1.0)
    return "deleting (cleanup still running)"
