"""`jobs watch` (transitions as they happen, ctrl+c exits 0) and `doctor`."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from reducto_tui.demo.runner import BackgroundServer
from tests.cli.conftest import Invoke, collect, simulated, until


def start_watch(url: str, *args: str) -> subprocess.Popen[str]:
    """``jobs watch --interval 2 ARGS`` against ``url`` in a child process."""
    command = [sys.executable, "-m", "reducto_tui", "jobs", "watch", "--interval", "2"]
    return subprocess.Popen(
        [*command, *args, "--base-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
        # A shell that started pytest in the background may have set SIGINT to ignored;
        # the child must get the default, as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_watch_prints_transitions_and_exits_0_on_ctrl_c() -> None:
    server, sim, clock = simulated()
    with server:
        proc = start_watch(server.url, "--filter", "type:split")
        out: list[str] = []
        err: list[str] = []
        collect(proc.stdout, out)
        collect(proc.stderr, err)
        try:
            assert until(lambda: any("Watching" in e for e in err)), err
            job = sim.create("Split", {"input": "https://example.com/new.pdf"})
            assert until(lambda: any(job.job_id in line for line in out)), (out, err)
            clock.now += 3600  # it finishes
            assert until(lambda: sum(job.job_id in line for line in out) >= 2), (out, err)
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
    assert code == 0, err
    mine = [json.loads(line) for line in out if job.job_id in line]
    assert mine[0]["from"] is None and mine[0]["to"] == "Pending"
    assert mine[-1]["from"] == "Pending" and mine[-1]["state"] in ("completed", "failed")
    assert all(json.loads(line)["type"] == "Split" for line in out)
    assert not any("Traceback" in e for e in err)
    # polite: the list was asked for no more often than every 2 s
    lists = [t for p, t in zip(server.hits, server.times, strict=True) if p == "/jobs"]
    assert all(b - a >= 1.9 for a, b in itertools.pairwise(lists))


def test_watch_shows_the_tables_state_words_and_never_a_step_back() -> None:
    # Watch printed the server's raw word ("Pending → InProgress"), not the table's glyph and
    # state word; a GET /job "Pending" for a running job would have read as a step back.
    server, sim, clock = simulated()
    with server:
        proc = start_watch(server.url, "--filter", "type:split", "--format", "text")
        out: list[str] = []
        err: list[str] = []
        collect(proc.stdout, out)
        collect(proc.stderr, err)
        try:
            assert until(lambda: any("Watching" in e for e in err)), err
            job = sim.create("Split", {"input": "https://example.com/new.pdf"})
            job.run_s = 7200
            clock.now += job.queue_s + 60  # running
            assert until(lambda: any(job.job_id in line for line in out)), (out, err)
            clock.now += 7200  # it finishes
            assert until(lambda: sum(job.job_id in line for line in out) >= 2), (out, err)
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0, err
    mine = [line for line in out if job.job_id in line]
    assert len(mine) == 2 and "new ▶ InProgress" in mine[0], mine
    assert "InProgress → ✔ Completed" in mine[1] or "InProgress → ✘ Failed" in mine[1], mine


def test_doctor_reports_and_exits_by_what_is_wrong(
    cli: Invoke, demo: BackgroundServer, tmp_path: Path
) -> None:
    good = cli("doctor", "--base-url", demo.url)
    assert good.exit_code == 0, good.output
    text = good.stdout
    for part in ("config file", "from $REDUCTO_API_KEY", demo.url, "reachable", "api version",
                 "clock skew", "export dir", "log dir"):  # fmt: skip
        assert part in text, part
    assert "!!" not in text
    down = cli("doctor", "--base-url", "http://127.0.0.1:9")
    assert down.exit_code == 4 and "!! reachable" in down.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("page_size = [")
    broken = cli("doctor", "--config", str(bad))
    assert broken.exit_code == 2 and "not valid TOML" in broken.stdout
