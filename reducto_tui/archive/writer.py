"""The background thread that stores what the client saw, in batches.

``saw_*`` only append to a queue, so neither the UI's event loop nor a CLI command waits on
disk. The thread turns the queued answers into rows (JSON work, compression) and writes
them in one transaction per batch, committing at least every :data:`MAX_DELAY` seconds:
a kill loses at most the jobs of the last moment, never the file (WAL / the server's log).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from reducto_tui.api.listing import Listed
from reducto_tui.archive import records
from reducto_tui.archive.records import Row

LOG = logging.getLogger(__name__)

#: Longest a seen job waits in memory before it is committed.
MAX_DELAY = 0.25
#: Rows per transaction at most (bigger batches are faster, smaller commit sooner).
MAX_ROWS = 5000

#: Rows built between two moments the thread lets go of the GIL (``time.sleep(0)``): the
#: UI thread, waking from network reads every few ms, then gets it at once instead of
#: waiting out the interpreter's 5 ms switch interval behind this thread.
YIELD_EVERY = 25

_STOP = object()


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


class BatchWriter:
    """Runs ``write(rows)`` on its own thread; ``write`` raises to report a lost batch."""

    def __init__(self, write: Callable[[list[Row]], None], name: str) -> None:
        self._write = write
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.problem: str | None = None
        self.written = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- caller's side

    def saw_jobs(self, jobs: Sequence[Listed]) -> None:
        if jobs and self.problem is None:
            self._queue.put(("jobs", jobs, time.time()))

    def saw_job_body(self, job_id: str, body: bytes) -> None:
        if self.problem is None:
            self._queue.put(("body", (job_id, body), time.time()))

    def flush(self, timeout: float = 10.0) -> bool:
        if not self._thread.is_alive():
            return True
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def stop(self, timeout: float = 600.0) -> None:
        """Store everything queued, then end the thread. Writes are bounded (each batch ends
        or fails within the database's timeouts), so this waits for them; rows still waiting
        after ``timeout`` are said lost in ``problem``, never dropped without a word."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
            if self._thread.is_alive() and self.problem is None:
                self.problem = (
                    f"The archive was still storing jobs after {timeout:.0f} s: "
                    "the ones still waiting were not stored."
                )

    # ---------------------------------------------------------------- the thread

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            rows: list[Row] = []
            flushes: list[_Flush] = []
            deadline = time.monotonic() + MAX_DELAY
            while True:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, _Flush):
                    flushes.append(item)
                else:
                    rows.extend(self._rows(item))
                if stopping or flushes or len(rows) >= MAX_ROWS:
                    break
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
            if rows and self.problem is None:
                try:
                    self._write(rows)
                    self.written += len(rows)
                except Exception as exc:  # the thread must outlive any database trouble
                    LOG.warning("archive write failed: %s", exc)
                    self.problem = f"The archive stopped storing jobs: {exc}"
            for flush in flushes:
                flush.done.set()

    @staticmethod
    def _rows(item: tuple[str, Any, float]) -> list[Row]:
        kind, payload, seen_at = item
        if kind == "jobs":
            rows: list[Row] = []
            for start in range(0, len(payload), YIELD_EVERY):
                chunk = payload[start : start + YIELD_EVERY]
                rows.extend(records.listing_row(job, seen_at) for job in chunk)
                time.sleep(0)
            return rows
        job_id, body = payload
        row = records.body_row(job_id, body, seen_at)
        return [row] if row is not None else []
