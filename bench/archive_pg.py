"""PostgreSQL archive: 4 writer processes x 50,000 jobs each, ranges overlapping by half,
two of them seeing only stale statuses. Goal: every job present exactly once, with the
furthest status any writer saw. Starts its own throwaway cluster (as the tests do).

``python bench/archive_pg.py [--jobs N]`` (``--quick``: 5,000 each). Prints ok/MISS lines.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from reducto_tui.archive import open_archive  # noqa: E402
from tests.archive.postgres_server import Cluster  # noqa: E402

STAGE = {"P": 1, "I": 2, "C": 3}
STATUS = {1: "Pending", 2: "InProgress", 3: "Completed"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=50_000, help="jobs per writer")
    parser.add_argument("--quick", action="store_true", help="5,000 jobs per writer")
    n = 5_000 if parser.parse_args().quick else parser.parse_args().jobs
    cluster = Cluster().start()
    try:
        url = cluster.new_database()
        open_archive(url).close()
        writers = [(0, "PC"), (n // 2, "PP"), (n, "IC"), (3 * n // 2, "II")]
        began = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.archive.writer_child", url, str(a), str(n), r],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for a, r in writers
        ]
        outs = [p.communicate() for p in procs]
        elapsed = time.perf_counter() - began
        if any(p.returncode for p in procs):
            print(f"writers failed: {outs}")
            print("pg_writers_exactly_once: MISS")
            return
        furthest: dict[bytes, int] = {}
        for first, rounds in writers:
            for i in range(first, first + n):
                k = f"job-{i:08d}".encode()
                furthest[k] = max(max(STAGE[x] for x in rounds), furthest.get(k, 0))
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT job_key, status FROM reducto_tui_jobs").fetchall()
        keys = [bytes(k) for k, _ in rows]
        once = len(keys) == len(set(keys)) == len(furthest)
        latest = all(s == f'"{STATUS[furthest[bytes(k)]]}"' for k, s in rows)
        upserts = sum(len(r) for _, r in writers) * n
        print(
            f"pg_writers: 4 x {n:,} jobs ({upserts:,} upserts, {len(furthest):,} distinct) in "
            f"{elapsed:.1f} s ({upserts / elapsed:,.0f} upserts/s)"
        )
        print(
            f"pg_writers_exactly_once: {len(keys):,} rows, {len(set(keys)):,} distinct "
            f"(goal: {len(furthest):,}) {'ok' if once else 'MISS'}"
        )
        print(
            f"pg_writers_latest_status: (goal: every job at its furthest status) "
            f"{'ok' if latest else 'MISS'}"
        )
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
