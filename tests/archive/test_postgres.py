"""PostgreSQL only: concurrent writer processes, a newer schema, a password kept out of
messages. Runs against the real server the session starts (tests.archive.postgres_server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from reducto_tui.api.models import SingleJob
from reducto_tui.archive import ArchiveError, open_archive
from reducto_tui.demo.runner import free_port
from tests.archive.postgres_server import Cluster

ROOT = Path(__file__).resolve().parents[2]
STAGE = {"P": 1, "I": 2, "C": 3}
STATUS = {1: "Pending", 2: "InProgress", 3: "Completed"}


def test_four_writer_processes_store_every_job_once_with_its_latest_status(
    pg_cluster: Cluster,
) -> None:
    url = pg_cluster.new_database()
    open_archive(url).close()  # the schema exists before the race (the race is tested below)
    n = 3000
    # (first job, what it sees): ranges overlap by half; two writers keep seeing stale
    # answers while the others move on. A job's latest status is the furthest any writer saw.
    writers = [(0, "PIC"), (n // 2, "PPPPPP"), (n, "IIIII"), (3 * n // 2, "PIC")]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.archive.writer_child", url, str(first), str(n), str(r)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, r in writers
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    furthest: dict[bytes, int] = {}
    for first, rounds in writers:
        for i in range(first, first + n):
            k = f"job-{i:08d}".encode()
            furthest[k] = max(max(STAGE[x] for x in rounds), furthest.get(k, 0))
    expected = {k: f'"{STATUS[r]}"' for k, r in furthest.items()}
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT job_key, status FROM reducto_tui_jobs").fetchall()
    keys = [bytes(k) for k, _ in rows]
    assert len(keys) == len(set(keys)) == len(expected) == n * 5 // 2
    assert {bytes(k): s for k, s in rows} == expected


def test_many_processes_opening_a_new_database_at_once_migrate_it_once(
    pg_cluster: Cluster,
) -> None:
    url = pg_cluster.new_database()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.archive.writer_child", url, str(i * 100), "100", "P"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    archive = open_archive(url)
    try:
        assert archive.stats().jobs == 400
    finally:
        archive.close()


def test_a_reader_sees_another_writers_jobs(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    mine, theirs = open_archive(url), open_archive(url)
    try:
        theirs.saw_jobs([SingleJob(job_id="from-a-colleague", status="Completed")])
        assert theirs.flush()
        seen = mine.get("from-a-colleague")
        assert seen is not None and seen.state == "completed"
    finally:
        mine.close()
        theirs.close()


def test_a_newer_schema_is_left_alone(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    open_archive(url).close()
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE reducto_tui_meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(ArchiveError, match=r"newer reducto-tui \(schema 99"):
        open_archive(url)


def test_an_unreachable_server_is_a_clear_message_without_the_password() -> None:
    url = f"postgresql://team:s3cret-PASS@127.0.0.1:{free_port()}/history"
    with pytest.raises(ArchiveError) as refused:
        open_archive(url, timeout=2)
    message = str(refused.value)
    assert "s3cret-PASS" not in message
    assert "postgresql://team:***@127.0.0.1" in message and "cannot be used" in message
