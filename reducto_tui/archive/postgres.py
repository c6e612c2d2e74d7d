"""The archive on a PostgreSQL server, shared by a team (psycopg 3 and a connection pool).

Several writers on several machines upsert the same jobs: each batch is written in key
order (so two batches never wait on each other's rows in opposite orders) and retried on
a deadlock or serialisation failure; the upsert keeps the furthest status (records.WIN).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

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
    from psycopg_pool import ConnectionPool
except ImportError:  # pragma: no cover - the optional extra is missing
    psycopg = None  # type: ignore[assignment]

LOG = logging.getLogger(__name__)

TABLE = "reducto_tui_jobs"
META = "reducto_tui_meta"
SCHEMA = 1
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
}
UPSERT = records.upsert_sql(TABLE, "%s", "least")
SELECT = (
    f"SELECT job_key, status, state, at, seen_at, listing, detail, body IS NOT NULL FROM {TABLE}"
)
RETRIES = 5


class PostgresArchive(BatchedArchive):
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        if psycopg is None:
            raise ArchiveError(
                "archive_url is a PostgreSQL URL but psycopg is not installed: "
                "pip install 'reducto-tui[postgres]'."
            )
        self.location = safe_url(url)
        self._url = url
        try:
            with psycopg.connect(url, connect_timeout=max(1, int(timeout))) as conn:
                self._migrate(conn)
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=4,
                timeout=max(timeout, 30.0),
                kwargs={"connect_timeout": max(1, int(timeout))},
                open=True,
            )
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be used: {self._hide(str(exc))}"
            ) from None
        self._writer = BatchWriter(self._write_rows, "archive-postgres")

    def _hide(self, text: str) -> str:
        match = re.search(r"//[^/:@]*:([^/@]*)@", self._url)
        text = text.strip().splitlines()[0] if text.strip() else "unknown error"
        return text.replace(match.group(1), "***") if match and match.group(1) else text

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            # One migrating process at a time; the others find the work done.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('reducto_tui_archive'))")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {META} (key text PRIMARY KEY, value text)")
            row = conn.execute(f"SELECT value FROM {META} WHERE key = 'schema'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA:
                raise ArchiveError(
                    f"The archive {self.location} was written by a newer reducto-tui (schema "
                    f"{version}, this one knows {SCHEMA}): upgrade reducto-tui."
                )
            for step in range(version + 1, SCHEMA + 1):
                for statement in MIGRATIONS[step]:
                    conn.execute(statement)
            conn.execute(
                f"INSERT INTO {META} VALUES ('schema', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(max(version, SCHEMA)),),
            )

    # ---------------------------------------------------------------- writing

    def _write_rows(self, rows: list[Row]) -> None:
        ordered = sorted(rows, key=lambda row: row.job_key)
        for attempt in range(RETRIES):
            try:
                with self._pool.connection() as conn, conn.transaction():
                    conn.cursor().executemany(UPSERT, ordered)
                return
            except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
            except psycopg.Error as exc:
                raise ArchiveError(self._hide(str(exc))) from None

    def close(self) -> None:
        self._writer.stop()
        self._pool.close()

    # ---------------------------------------------------------------- reading

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            with self._pool.connection() as conn:
                cur = conn.execute(sql, args)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be read: {self._hide(str(exc))}"
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
        self, since: float | None = None, until: float | None = None, batch: int = READ_BATCH
    ) -> Iterator[list[ArchivedJob]]:
        low = float("-inf") if since is None else since
        cursor: tuple[float, bytes] = (float("inf") if until is None else until, b"\xff")
        first = True
        while True:
            op = "<=" if first else "<"
            rows = self._query(
                f"{SELECT} WHERE at >= %s AND (at, job_key) {op} (%s, %s) "
                "ORDER BY at DESC, job_key DESC LIMIT %s",
                (low, cursor[0], cursor[1], batch),
            )
            first = False
            if not rows:
                return
            yield [_job(r) for r in rows]
            cursor = (float(rows[-1][3]), bytes(rows[-1][0]))
            if len(rows) < batch:
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

    def prune(self, before: float) -> int:
        self.flush()
        try:
            with self._pool.connection() as conn:
                return conn.execute(f"DELETE FROM {TABLE} WHERE at < %s", (before,)).rowcount
        except psycopg.Error as exc:
            raise ArchiveError(
                f"The archive {self.location} cannot be pruned: {self._hide(str(exc))}"
            ) from None

    def vacuum(self) -> None:
        self.flush()
        try:
            with self._pool.connection() as conn:
                conn.autocommit = True
                conn.execute(f"VACUUM {TABLE}")
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
