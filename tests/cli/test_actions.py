"""`jobs cancel`, `jobs export` (URL results included) and `demo-server`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from reducto_tui.demo.runner import BackgroundServer
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.cli.conftest import Clock, Invoke, Served, collect, simulated, until


class CancelFaults:
    """The demo app; the first ``POST /cancel/{id}`` of a job in ``faults`` gets a 5xx:
    ``"before"`` without acting, ``"after"`` once the job is cancelled (the answer lost)."""

    def __init__(self, sim: Simulator, faults: dict[str, str]) -> None:
        self.app = create_app(sim)
        self.faults = faults

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        fault = self.faults.pop(path.removeprefix("/cancel/"), None)
        if fault is None or not path.startswith("/cancel/"):
            await self.app(scope, receive, send)
            return
        if fault == "after":

            async def swallow(message: Any) -> None:
                return None

            await self.app(scope, receive, swallow)
        status = 503 if fault == "before" else 502
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


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


def test_cancel_asks_again_after_a_5xx_and_reports_each_job_cancelled(cli: Invoke) -> None:
    clock = Clock()
    sim = Simulator(jobs=20, seed=4, clock=clock, arrival_interval=0)
    first, second = (sim.create("Parse", {"input": f"https://x/{n}.pdf"}) for n in "ab")
    # One answer is a 503 before the job is touched; the other a 502 after it was cancelled.
    app = CancelFaults(sim, {first.job_id: "before", second.job_id: "after"})
    server = Served(app)
    with server:
        result = cli("jobs", "cancel", "--base-url", server.url, first.job_id, second.job_id)
    assert result.exit_code == 0, result.output
    reports = {r["job_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert reports == {
        first.job_id: {"job_id": first.job_id, "cancelled": True},
        second.job_id: {"job_id": second.job_id, "cancelled": True},
    }
    assert first.status(clock()) == second.status(clock()) == "Cancelled"
    assert server.hits.count(f"/cancel/{first.job_id}") == 2 and not app.faults


def test_delete_asks_refuses_in_read_only_and_reports_per_job(cli: Invoke) -> None:
    server, sim, clock = simulated()
    done = [j for j in sim.jobs if j.status(clock()) == "Completed"][:3]
    with server:
        base = ("jobs", "delete", "--base-url", server.url)
        refused = cli(*base, "--read-only", done[0].job_id, "--yes")
        unasked = cli(*base, done[0].job_id)  # not a terminal: it cannot ask, so it will not
        assert all(j.deleted_at is None for j in done)
        deleted = cli(*base, done[0].job_id[:8], done[1].job_id, "--yes")
        missing = cli(*base, "00000000-0000-0000-0000-000000000000", "--yes")
        gone = cli("jobs", "get", "--base-url", server.url, done[0].job_id)
    assert refused.exit_code == 1 and "Read-only mode: delete is disabled" in refused.stderr
    assert unasked.exit_code == 2 and "--yes" in unasked.stderr
    assert deleted.exit_code == 0, deleted.output
    assert [json.loads(line) for line in deleted.stdout.splitlines()] == [
        {"job_id": done[0].job_id, "deleted": True},
        {"job_id": done[1].job_id, "deleted": True},
    ] or sorted(deleted.stdout.splitlines()) == sorted(
        json.dumps({"job_id": j.job_id, "deleted": True}) for j in done[:2]
    )
    assert done[0].deleted_at is not None and done[1].deleted_at is not None
    assert done[2].deleted_at is None
    assert missing.exit_code == 1 and json.loads(missing.stdout)["deleted"] is False
    assert gone.exit_code == 1 and "deleted" in gone.stderr


def test_delete_on_a_terminal_asks_first(cli: Invoke, monkeypatch: Any) -> None:
    from reducto_tui.cli import jobs_delete

    # As in a terminal: the question is asked and read (the runner's streams are not ttys).
    monkeypatch.setattr(jobs_delete, "on_a_terminal", lambda: True)
    server, sim, clock = simulated()
    job = next(j for j in sim.jobs if j.status(clock()) == "Completed")
    with server:
        no = cli("jobs", "delete", "--base-url", server.url, job.job_id, input="n\n")
        assert job.deleted_at is None
        yes = cli("jobs", "delete", "--base-url", server.url, job.job_id, input="y\n")
    assert no.exit_code == 1 and "cannot be undone" in no.stderr and "Nothing deleted" in no.stderr
    assert yes.exit_code == 0 and json.loads(yes.stdout) == {"job_id": job.job_id, "deleted": True}
    assert job.deleted_at is not None


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
    for command in ([], ["jobs"], ["jobs", "list"], ["jobs", "get"], ["jobs", "cancel"], ["jobs", "delete"],
                    ["jobs", "export"], ["demo-server"]):  # fmt: skip
        result = cli(*command, "--help")
        assert result.exit_code == 0 and "Example" in result.stdout, command
    assert "Exit codes" in cli("--help").stdout
