"""The archive under real processes: a writer killed mid-write, two writers at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from reducto_tui.archive.sqlite import SqliteArchive

ROOT = Path(__file__).resolve().parents[2]


def _child(url: str, first: int, count: int, rounds: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.archive.writer_child",
            url,
            str(first),
            str(count),
            str(rounds),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_killed_writer_loses_at_most_the_last_second_and_never_the_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    for attempt in range(3):
        child = _child(str(db_path), attempt * 10_000_000, 0, "forever")
        lines: list[tuple[int, float]] = []

        def pump(
            child: subprocess.Popen[str] = child, lines: list[tuple[int, float]] = lines
        ) -> None:
            assert child.stdout is not None
            for line in child.stdout:
                _, n, t = line.split()
                lines.append((int(n), float(t)))

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + 30
        while (
            not lines or lines[-1][1] - lines[0][1] < 1.5 + attempt * 0.37
        ) and time.monotonic() < deadline:
            time.sleep(0.01)
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        reader.join(5)
        assert lines, "the writer never started"
        # Everything handed over a second before the kill is in the file.
        safe = max((n for n, t in lines if t <= killed_at - 1.0), default=0)
        db = sqlite3.connect(db_path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        low, high = attempt * 10_000_000, (attempt + 1) * 10_000_000
        stored = db.execute(
            "SELECT count(*) FROM jobs WHERE job_key >= ? AND job_key < ?",
            (f"job-{low:08d}".encode(), f"job-{high:08d}".encode()),
        ).fetchone()[0]
        db.close()
        assert safe > 0
        assert stored >= safe, f"lost {safe - stored} jobs handed over >1 s before the kill"
    reopened = SqliteArchive(db_path)  # and the archive opens and writes again
    assert reopened.stats().jobs > 0
    reopened.close()


def test_two_processes_writing_the_same_jobs_store_each_once_with_its_latest_status(
    db_path: Path,
) -> None:
    SqliteArchive(db_path).close()
    # Overlapping ranges; only the first writer saw jobs 0..5999 complete, the others
    # saw them (and 6000..8999) as Pending, possibly after the first stored Completed.
    one = _child(str(db_path), 0, 6000, "PIC")
    two = _child(str(db_path), 3000, 6000, "PPPPPP")
    three = _child(str(db_path), 0, 9000, "PPPP")
    outs = [p.communicate(timeout=120)[0] for p in (one, two, three)]
    assert [p.returncode for p in (one, two, three)] == [0, 0, 0], outs
    db = sqlite3.connect(db_path)
    rows = dict(db.execute("SELECT job_key, status FROM jobs").fetchall())
    assert len(rows) == 9000
    expect_completed = {f"job-{n:08d}".encode() for n in range(6000)}
    assert {rows[k] for k in expect_completed} == {'"Completed"'}
    assert {v for k, v in rows.items() if k not in expect_completed} == {'"Pending"'}
