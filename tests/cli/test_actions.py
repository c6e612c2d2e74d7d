"""`jobs cancel`, `jobs export` (URL results included) and `demo-server`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reducto_tui.demo.runner import BackgroundServer
from tests.cli.conftest import Invoke, collect, simulated, until


def test_cancel_reports_per_job_and_exits_1_if_any_failed(cli: Invoke) -> None:
    server, sim, clock = simulated()
    running = sim.create("Parse", {"input": "https://example.com/a.pdf"})
    done = next(j for j in sim.jobs if j.status(clock()) == "Completed")
    with server:
        ok = cli("jobs", "cancel", "--base-url", server.url, running.job_id[:8])
        again = cli("jobs", "cancel", "--base-url", server.url, done.job_id, running.job_id)
        refused = cli("jobs", "cancel", "--read-only", "--base-url", server.url, done.job_id)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"job_id": running.job_id, "cancelled": True}
    assert running.status(clock()) == "Cancelled"
    assert again.exit_code == 1
    reports = {r["job_id"]: r for r in map(json.loads, again.stdout.splitlines())}
    assert (
        reports[done.job_id]["cancelled"] is False and "Completed" in reports[done.job_id]["error"]
    )
    assert refused.exit_code == 1 and "Read-only" in refused.stderr


def test_cancel_by_filter_needs_yes_in_scripts(cli: Invoke) -> None:
    server, sim, clock = simulated()
    made = [sim.create("Split", {"input": f"https://example.com/{n}.pdf"}) for n in range(3)]
    with server:
        unasked = cli(
            "jobs", "cancel", "--base-url", server.url, "--filter", "type:split status:queued"
        )
        assert unasked.exit_code == 2 and "--yes" in unasked.stderr
        assert all(j.status(clock()) != "Cancelled" for j in made)
        done = cli("jobs", "cancel", "--base-url", server.url, "--filter", "type:split status:queued", "--yes")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert {r["job_id"] for r in map(json.loads, done.stdout.splitlines())} >= {
        j.job_id for j in made
    }
    assert all(j.status(clock()) == "Cancelled" for j in made)
    assert "job(s) to cancel" in done.stderr


def test_export_of_a_url_result(cli: Invoke, demo: BackgroundServer, tmp_path: Path) -> None:
    now = demo.simulator.clock()
    big = next(
        j for j in demo.simulator.jobs
        if j.type == "Parse" and j.status(now) == "Completed" and j.num_pages >= 120
    )  # fmt: skip
    raw = demo.simulator.detail(big, demo.url)
    assert raw["result"]["result"]["type"] == "url"  # really stored behind a link
    out = tmp_path / "big.md"
    result = cli("jobs", "export", big.job_id, "--format", "chunks_md", "-o", str(out),
                 "--base-url", demo.url)  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith(f"# Job {big.job_id}") and "## Chunk 1" in text
    blocks = tmp_path / "blocks.csv"
    csv_result = cli("jobs", "export", big.job_id[:8], "--format", "blocks_csv", "-o", str(blocks),
                     "--base-url", demo.url)  # fmt: skip
    assert csv_result.exit_code == 0 and blocks.read_text().startswith("chunk,type,page")
    again = cli("jobs", "export", big.job_id, "-o", str(out), "--base-url", demo.url)
    assert again.exit_code == 1 and "--force" in again.stderr


def test_demo_server_validates_its_options(cli: Invoke) -> None:
    for args in (("--port", "99999"), ("--jobs", "-5"), ("--latency", "-1")):
        result = cli("demo-server", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_demo_server_says_how_to_connect() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "reducto_tui", "demo-server", "--port", "0", "--jobs", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    collect(proc.stdout, lines)
    try:
        assert until(lambda: len(lines) >= 4), lines
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    url = lines[0].split(" on ", 1)[1].strip()
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    assert f"export REDUCTO_BASE_URL={url} REDUCTO_API_KEY=demo-key" in lines[2]


def test_every_command_help_has_an_example(cli: Invoke) -> None:
    for command in ([], ["jobs"], ["jobs", "list"], ["jobs", "get"], ["jobs", "cancel"],
                    ["jobs", "export"], ["demo-server"]):  # fmt: skip
        result = cli(*command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command
    assert "Exit codes" in cli("--help").stdout
