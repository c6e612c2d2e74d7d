"""The archive from the CLI: --archive stores what commands see; `archive ...` reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reducto_tui.demo.runner import BackgroundServer
from tests.cli.conftest import KEY, Invoke, simulated

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("REDUCTO_TUI_ARCHIVE_URL", raising=False)
    return home


def _db(data_home: Path) -> Path:
    return data_home / "reducto-tui" / "archive.sqlite3"


def _exported(cli: Invoke, *args: str) -> list[dict[str, Any]]:
    result = cli("archive", "export", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_off_by_default_nothing_is_stored(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    assert cli("jobs", "list", "--all", "--base-url", demo.url, "--format", "id").exit_code == 0
    assert not _db(data_home).exists()


def test_archive_flag_stores_every_listed_job(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    listed = cli("jobs", "list", "--all", "--archive", "--base-url", demo.url, "--format", "id")
    assert listed.exit_code == 0, listed.output
    ids = listed.stdout.split()
    path = cli("archive", "path")
    assert path.stdout.strip() == str(_db(data_home))
    stats = json.loads(cli("archive", "stats", "--format", "json").stdout)
    assert stats["jobs"] == len(ids) == 240
    exported = _exported(cli)
    assert sorted(r["job_id"] for r in exported) == sorted(ids)
    # The key is never stored, in the file or its write-ahead log.
    assert all(KEY.encode() not in f.read_bytes() for f in _db(data_home).parent.iterdir())
    text = cli("archive", "stats")
    assert text.exit_code == 0 and "jobs         240" in text.stdout


def test_config_file_turns_it_on(
    cli: Invoke, demo: BackgroundServer, data_home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "on.toml"
    config.write_text(f'archive = true\narchive_url = "{tmp_path / "mine.db"}"\n')
    result = cli("--config", str(config), "jobs", "list", "--max", "7", "--base-url", demo.url)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mine.db").exists() and not _db(data_home).exists()
    assert (
        json.loads(cli("--config", str(config), "archive", "stats", "--format", "json").stdout)[
            "jobs"
        ]
        >= 7
    )


def test_a_job_the_server_forgot_is_shown_from_the_archive_with_its_result(
    cli: Invoke, data_home: Path
) -> None:
    server, sim, clock = simulated()
    done = next(j for j in reversed(sim.jobs) if j.status(clock()) == "Completed")
    with server:
        live = cli("--archive", "jobs", "get", done.job_id, "--base-url", server.url)
        assert live.exit_code == 0, live.output
        clock.now += 13 * 3600  # past the API's 12-hour retention
        gone = cli("jobs", "get", done.job_id, "--base-url", server.url)
        assert gone.exit_code == 1
        kept = cli("--archive", "jobs", "get", done.job_id[:8], "--base-url", server.url)
    assert kept.exit_code == 0, kept.output
    assert "no longer has job" in kept.stderr and "from the archive" in kept.stderr
    stored, fresh = json.loads(kept.stdout), json.loads(live.stdout)
    assert stored["result"] == fresh["result"] and stored["result"] is not None
    assert stored["status"] == "Completed"


def test_stats_with_result_counts_what_export_holds(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    now = demo.simulator.clock()
    done = [j for j in demo.simulator.jobs if j.status(now) == "Completed"][:4]
    failed = [j for j in demo.simulator.jobs if j.status(now) == "Failed"][:3]
    for job in (*done, *failed):
        got = cli("--archive", "jobs", "get", job.job_id, "--base-url", demo.url)
        assert got.exit_code in (0, 1), got.output  # 1: the job failed
    exported = _exported(cli)
    assert len(exported) == 7
    stats = json.loads(cli("archive", "stats", "--format", "json").stdout)
    assert stats["with_result"] == sum(r.get("result") is not None for r in exported) == 4
    assert stats["details"] == 7
    text = cli("archive", "stats").stdout
    assert "with result  4 (completed jobs whose result is stored)" in text
    assert "details      7 (GET /job answers" in text


def test_prune_deletes_what_is_older(cli: Invoke, demo: BackgroundServer, data_home: Path) -> None:
    assert cli("--archive", "jobs", "list", "--all", "--base-url", demo.url).exit_code == 0
    everything = _exported(cli, "--no-results")
    recent = _exported(cli, "--since", "3h")
    assert 0 < len(recent) < len(everything)
    pruned = cli("archive", "prune", "--older-than", "3h", "--yes")
    assert pruned.exit_code == 0, pruned.output
    assert f"Deleted {len(everything) - len(recent):,} archived jobs" in pruned.stderr
    assert sorted(r["job_id"] for r in _exported(cli)) == sorted(r["job_id"] for r in recent)
    assert cli("archive", "vacuum").exit_code == 0
    bad = cli("archive", "prune", "--older-than", "soon")
    assert bad.exit_code == 2 and "not a duration" in bad.stderr


def test_prune_in_a_script_needs_yes_and_never_takes_0(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    assert cli("--archive", "jobs", "list", "--all", "--base-url", demo.url).exit_code == 0
    everything = len(_exported(cli, "--no-results"))
    unasked = cli("archive", "prune", "--older-than", "3h")
    assert unasked.exit_code == 2 and "needs --yes when not on a terminal" in unasked.stderr
    for zero in ("0", "0d", "0.0s"):
        refused = cli("archive", "prune", "--older-than", zero, "--yes")
        assert refused.exit_code == 2 and "would delete every archived job" in refused.stderr
    assert len(_exported(cli, "--no-results")) == everything
    none = cli("archive", "prune", "--older-than", "300d", "--yes")
    assert none.exit_code == 0 and "nothing to delete" in none.stderr


def _on_a_terminal(args: list[str], answer: bytes, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin/stdout/stderr, answer its question."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reducto_tui", *args],
        cwd=ROOT, env=env, stdin=follower, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    try:
        while b"[y/N]" not in seen:
            chunk = os.read(leader, 4096)
            assert chunk, seen
            seen += chunk
        os.write(leader, answer + b"\n")
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        code = proc.wait(timeout=60)
        os.close(leader)
    return code, seen.decode("utf-8", "replace")


def test_prune_on_a_terminal_says_how_many_and_asks(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    assert cli("--archive", "jobs", "list", "--all", "--base-url", demo.url).exit_code == 0
    everything = _exported(cli, "--no-results")
    older = len(everything) - len(_exported(cli, "--since", "3h", "--no-results"))
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    args = ["archive", "prune", "--older-than", "3h"]
    code, screen = _on_a_terminal(args, b"n", env)
    assert f"Delete {older:,} archived jobs created before" in screen, screen
    assert code == 1 and "Nothing deleted." in screen
    assert len(_exported(cli, "--no-results")) == len(everything)
    code, screen = _on_a_terminal(args, b"y", env)
    assert code == 0 and f"Deleted {older:,} archived jobs" in screen, screen
    assert len(_exported(cli, "--no-results")) == len(everything) - older


def test_a_corrupt_archive_is_reported_and_the_command_goes_on(
    cli: Invoke, demo: BackgroundServer, data_home: Path
) -> None:
    db = _db(data_home)
    db.parent.mkdir(parents=True)
    db.write_bytes(b"garbage" * 1000)
    listed = cli(
        "--archive", "jobs", "list", "--max", "5", "--base-url", demo.url, "--format", "id"
    )
    assert listed.exit_code == 0
    assert len(listed.stdout.split()) == 5
    assert "is damaged" in listed.stderr and "Going on without the archive" in listed.stderr
    stats = cli("archive", "stats")
    assert stats.exit_code == 1 and "is damaged" in stats.stderr
    assert db.read_bytes() == b"garbage" * 1000  # left for the user to look at


def test_concurrent_cli_processes_store_each_job_once(
    demo: BackgroundServer, data_home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    command = [sys.executable, "-m", "reducto_tui", "--archive", "jobs", "list", "--all"]
    runs = [
        subprocess.Popen(
            [*command, "--base-url", demo.url, "--format", "id", "--page-size", str(size)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for size in (7, 13, 50)
    ]
    outs = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [0, 0, 0], outs
    ids = {i for out, _ in outs for i in out.split()}
    import sqlite3

    rows = sqlite3.connect(_db(data_home)).execute("SELECT job_key FROM jobs").fetchall()
    assert len(rows) == len({r[0] for r in rows}) == len(ids) == 240
