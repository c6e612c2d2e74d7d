"""The archive on a PostgreSQL server, shared by a team (psycopg 3 async, a connection pool).

The pool (psycopg_pool's AsyncConnectionPool) lives on an event loop of the archive's own,
on its own thread: the app's loop never waits on the server, and the CLI (which has no loop)
uses the same code. The blocking methods of :class:`~reducto_tui.archive.Archive` hand a
coroutine to that loop and wait for it; the app calls them from worker threads.

Several writers on several machines upsert the same jobs: each batch is written in key
order (so two batches never wait on each other's rows in opposite orders) and retried on
a deadlock or serialisation failure; the upsert keeps the furthest status (records.WIN).
Each row carries the id of the transaction that last wrote it (``changed``), so a reader
asks for what others wrote since its last look (``changed_since``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from reducto_tui.archive import records
from reducto_tui.archive.base import (
    READ_BATCH,
    ArchivedJob,
    ArchiveError,
    ArchiveStats,
    BatchedArchive,
    decompress,
)
from reducto_tui.archive.location import safe_url
from reducto_tui.archive.records import Row
from reducto_tui.archive.writer import BatchWriter

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg_pool import AsyncConnectionPool
except ImportError:  # pragma: no cover - the optional extra is missing
    psycopg = None  # type: ignore[assignment]

LOG = logging.getLogger(__name__)
T = TypeVar("T")

TABLE = "reducto_tui_jobs"
META = "reducto_tui_meta"
SCHEMA = 2
MIGRATIONS = {
    1: [
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            job_key bytea PRIMARY KEY,
            status text NOT NULL,
            state text NOT NULL,
            stage integer NOT NULL,
            at double precision NOT NULL,
            seen_at double precision NOT NULL,
            listing text,
            detail text,
            body bytea
        )""",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {TABLE} (at, job_key)",
    ],
    # Who wrote a row last, and the transaction that did (rows from before: 0, "long ago").
    2: [
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS writer bytea",
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS changed xid8 NOT NULL DEFAULT '0'",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_changed ON {TABLE} (changed)",
    ],
}
SELECT = (
    f"SELECT job_key, status, state, at, seen_at, listing, detail, body IS NOT NULL FROM {TABLE}"
)
#: The oldest transaction still running: every transaction that has not committed yet has
#: this id or a later one, so reading from it next time misses no commit that comes late.
HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"
RETRIES = 5


def upsert(writer: bytes) -> str:
    return records.upsert_sql(
        TABLE, "%s", "least", f"decode('{writer.hex()}', 'hex')", "pg_current_xact_id()"
    )


class _Loop:
    """An event loop on a daemon thread: the pool's home. ``run`` waits for a coroutine from
    any other thread (never from this one)."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()


class PostgresArchive(BatchedArchive):
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        if psycopg is None:
            raise ArchiveError(
                "archive_url is a PostgreSQL URL but psycopg is not installed: "
                "pip install 'reducto-tui[postgres]'."
            )
        self.location = safe_url(url)
        self._url = url
        self._me = os.urandom(8)
        self._upsert = upsert(self._me)
        self._loop = _Loop("archive-postgres-io")
        try:
            self._pool = self._loop.run(self._open(url, timeout))
        except BaseException:
            self._loop.stop()
            raise
        self._writer = BatchWriter(self._write_rows, "archive-postgres")

    async def _open(self, url: str, timeout: float) -> AsyncConnectionPool:
        connect_timeout = max(1, int(timeout))
        try:
            conn = await psycopg.AsyncConnection.connect(url, connect_timeout=connect_timeout)
            async with conn:
                await self._migrate(conn)
            pool: AsyncConnectionPool = AsyncConnectionPool(
                url,
                min_size=1,
                max_size=4,
                timeout=max(timeout, 30.0),
                kwargs={"connect_timeout": connect_timeout},
                open=False,
            )
            await pool.open(wait=True, timeout=max(timeout, 30.0))
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be used: {self._hide(str(exc))}"
            ) from None
        return pool

    def _hide(self, text: str) -> str:
        match = re.search(r"//[^/:@]*:([^/@]*)@", self._url)
        text = text.strip().splitlines()[0] if text.strip() else "unknown error"
        return text.replace(match.group(1), "***") if match and match.group(1) else text

    async def _migrate(self, conn: psycopg.AsyncConnection[Any]) -> None:
        async with conn.transaction():
            # One migrating process at a time; the others find the work done.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('reducto_tui_archive'))")
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text)"
            )
            cur = await conn.execute(f"SELECT value FROM {META} WHERE key = 'schema'")
            row = await cur.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA:
                raise ArchiveError(
                    f"The archive {self.location} was written by a newer reducto-tui (schema "
                    f"{version}, this one knows {SCHEMA}): upgrade reducto-tui."
                )
            for step in range(version + 1, SCHEMA + 1):
                for statement in MIGRATIONS[step]:
                    await conn.execute(statement)
            await conn.execute(
                f"INSERT INTO {META} VALUES ('schema', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(max(version, SCHEMA)),),
            )

    # ---------------------------------------------------------------- writing

    def _write_rows(self, rows: list[Row]) -> None:
        self._loop.run(self._write(sorted(rows, key=lambda row: row.job_key)))

    async def _write(self, ordered: list[Row]) -> None:
        for attempt in range(RETRIES):
            try:
                async with self._pool.connection() as conn, conn.transaction():
                    await conn.cursor().executemany(self._upsert, ordered)
                return
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
            except psycopg.Error as exc:
                raise ArchiveError(self._hide(str(exc))) from None

    def close(self) -> None:
        self._writer.stop()
        try:
            self._loop.run(self._pool.close())
        finally:
            self._loop.stop()

    # ---------------------------------------------------------------- reading

    def _query(self, sql: str, args: tuple[Any, ...] = (), verb: str = "read") -> list[Any]:
        return self._loop.run(self._aquery(sql, args, verb))

    async def _aquery(self, sql: str, args: tuple[Any, ...], verb: str) -> list[Any]:
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(sql, args)
                return await cur.fetchall() if cur.description else []
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be {verb}: {self._hide(str(exc))}"
            ) from None

    def get(self, job_id: str) -> ArchivedJob | None:
        rows = self._query(f"{SELECT} WHERE job_key = %s", (records.key(job_id),))
        return _job(rows[0]) if rows else None

    def body(self, job_id: str) -> bytes | None:
        rows = self._query(f"SELECT body FROM {TABLE} WHERE job_key = %s", (records.key(job_id),))
        blob = rows[0][0] if rows else None
        return decompress(bytes(blob)) if blob is not None else None

    def ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        low = records.key(prefix)
        rows = self._query(
            f"SELECT job_key FROM {TABLE} WHERE job_key >= %s AND substr(job_key, 1, %s) = %s "
            "ORDER BY job_key LIMIT %s",
            (low, len(low), low, limit),
        )
        return [records.job_id_of(bytes(r[0])) for r in rows]

    def iter_jobs(
        self,
        since: float | None = None,
        until: float | None = None,
        batch: int = READ_BATCH,
        first: int | None = None,
    ) -> Iterator[list[ArchivedJob]]:
        low = float("-inf") if since is None else since
        cursor: tuple[float, bytes] = (float("inf") if until is None else until, b"\xff")
        op = "<="
        while True:
            limit = first if first and op == "<=" else batch
            rows = self._query(
                f"{SELECT} WHERE at >= %s AND (at, job_key) {op} (%s, %s) "
                "ORDER BY at DESC, job_key DESC LIMIT %s",
                (low, cursor[0], cursor[1], limit),
            )
            op = "<"
            if not rows:
                return
            yield [_job(r) for r in rows]
            cursor = (float(rows[-1][3]), bytes(rows[-1][0]))
            if len(rows) < limit:
                return

    def stats(self) -> ArchiveStats:
        stats = ArchiveStats(self.location)
        row = self._query(
            f"SELECT count(*), count(body), "
            "count(CASE WHEN body IS NOT NULL AND state = 'completed' THEN 1 END), min(at), max(at), "
            f"coalesce(sum(length(body)), 0) FROM {TABLE}"
        )[0]
        stats.jobs, stats.details, stats.with_result = int(row[0]), int(row[1]), int(row[2])
        stats.oldest, stats.newest = row[3], row[4]
        stats.stored_bytes = int(row[5])
        stats.by_state = {
            str(s): int(n)
            for s, n in self._query(f"SELECT state, count(*) FROM {TABLE} GROUP BY state")
        }
        size = self._query(f"SELECT pg_total_relation_size('{TABLE}')")
        stats.size_bytes = int(size[0][0]) if size else None
        return stats

    def count_before(self, before: float) -> int:
        self.flush()
        return int(self._query(f"SELECT count(*) FROM {TABLE} WHERE at < %s", (before,))[0][0])

    def change_cursor(self) -> int:
        return int(self._query(HORIZON)[0][0])

    def changed_since(
        self, cursor: int, since: float | None = None
    ) -> tuple[list[ArchivedJob], int]:
        return self._loop.run(self._changed_since(cursor, since))

    async def _changed_since(
        self, cursor: int, since: float | None
    ) -> tuple[list[ArchivedJob], int]:
        low = float("-inf") if since is None else since
        try:
            async with self._pool.connection() as conn:
                # The horizon first: a transaction that commits after the rows are read
                # has an id at or above it, so the next look (from it) finds its rows.
                horizon = await (await conn.execute(HORIZON)).fetchone()
                cur = await conn.execute(
                    f"{SELECT} WHERE changed >= %s::text::xid8 "
                    "AND writer IS DISTINCT FROM %s AND at >= %s",
                    (str(cursor), self._me, low),
                )
                rows = await cur.fetchall()
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be read: {self._hide(str(exc))}"
            ) from None
        assert horizon is not None
        return [_job(r) for r in rows], int(horizon[0])

    def prune(self, before: float) -> int:
        self.flush()
        return self._loop.run(self._prune(before))

    async def _prune(self, before: float) -> int:
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(f"DELETE FROM {TABLE} WHERE at < %s", (before,))
                return cur.rowcount
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be pruned: {self._hide(str(exc))}"
            ) from None

    def vacuum(self) -> None:
        self.flush()
        self._loop.run(self._vacuum())

    async def _vacuum(self) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.set_autocommit(True)  # VACUUM runs outside a transaction
                try:
                    await conn.execute(f"VACUUM {TABLE}")
                finally:
                    await conn.set_autocommit(False)
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be vacuumed: {self._hide(str(exc))}"
            ) from None


def _job(row: Any) -> ArchivedJob:
    job_key, status, state, at, seen_at, listing, detail, has_body = row
    return records.archived_job(
        bytes(job_key),
        str(status),
        str(state),
        float(at),
        float(seen_at),
        listing,
        detail,
        bool(has_body),
    )
