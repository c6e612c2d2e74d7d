"""`jobs rerun` and `jobs submit` against the demo server on loopback, faults injected."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.cli.conftest import Clock, Invoke, Served

Scope = dict[str, Any]


class Faulty:
    """The demo app; the Nth ``POST /*_async`` (1-based) gets a fault instead of its answer."""

    def __init__(self, sim: Simulator, faults: dict[int, str]) -> None:
        self.app = create_app(sim)
        self.faults = faults
        self.posts = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "POST" or not path.endswith("_async"):
            await self.app(scope, receive, send)
            return
        self.posts += 1
        fault = self.faults.get(self.posts)
        if fault == "429":
            body = b'{"detail": "Rate limit exceeded"}'
            headers = [(b"content-type", b"application/json"), (b"retry-after", b"1")]
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if fault == "hang":  # the job is made, its answer never comes

            async def swallow(message: Any) -> None:
                return None

            await self.app(scope, receive, swallow)
            await asyncio.sleep(4)
            return
        await self.app(scope, receive, send)


def served(faults: dict[int, str] | None = None) -> tuple[Served, Simulator, Faulty]:
    sim = Simulator(jobs=80, seed=4, clock=Clock(), arrival_interval=0)
    app = Faulty(sim, faults or {})
    return Served(app), sim, app


def settings(tmp_path: Path, **values: float) -> None:
    lines = [f"{k} = {v}" for k, v in values.items()]
    Path(os.environ["REDUCTO_TUI_CONFIG"]).write_text("\n".join(lines) + "\n")


def failed_ids(sim: Simulator, type_: str = "Parse") -> list[str]:
    now = sim.clock()
    return [j.job_id for j in sim.jobs if j.type == type_ and j.status(now) == "Failed"]


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_rerun_prints_new_ids_with_the_same_config(cli: Invoke) -> None:
    server, sim, _ = served()
    old = failed_ids(sim)[0]
    with server:
        result = cli("jobs", "rerun", "--base-url", server.url, old[:8])
    assert result.exit_code == 0, result.output
    [record] = lines(result.stdout)
    assert record["job_id"] == old and record["recovered"] is False
    new = sim.by_id[record["new_job_id"]]
    assert new.raw_config == sim.by_id[old].raw_config and new.type == "Parse"


def test_bulk_rerun_waits_out_a_429_in_the_middle_and_creates_each_once(
    cli: Invoke, tmp_path: Path
) -> None:
    settings(tmp_path, retry_after_cap=0)  # the client hands every 429 to the bulk sender
    server, sim, app = served({3: "429"})
    olds = failed_ids(sim)[:4] + failed_ids(sim, "Extract")[:2]
    before = len(sim.jobs)
    with server:
        result = cli("jobs", "rerun", "--base-url", server.url, *olds, "--yes")
    assert result.exit_code == 0, result.output
    records = lines(result.stdout)
    assert sorted(r["job_id"] for r in records) == sorted(olds)
    assert len(sim.jobs) == before + len(olds) and app.posts == len(olds) + 1
    assert "Rate limited: waiting 1 s" in result.stderr
    for r in records:
        assert sim.by_id[r["new_job_id"]].raw_config == sim.by_id[r["job_id"]].raw_config


def test_a_lost_answer_is_found_in_the_list_not_sent_twice(cli: Invoke, tmp_path: Path) -> None:
    settings(tmp_path, request_deadline=1)
    server, sim, app = served({1: "hang"})
    old = failed_ids(sim)[0]
    before = len(sim.jobs)
    with server:
        result = cli("jobs", "rerun", "--base-url", server.url, old)
    assert result.exit_code == 0, result.output
    [record] = lines(result.stdout)
    assert record["recovered"] is True and record["new_job_id"] in sim.by_id
    assert len(sim.jobs) == before + 1 and app.posts == 1


def test_rerun_refuses_a_config_that_is_not_json_and_shows_a_422(cli: Invoke) -> None:
    server, sim, _ = served()
    broken, refused, good = failed_ids(sim)[:3]
    sim.by_id[broken]._raw_config = '{"input": "https://x/a.pdf",'
    sim.by_id[refused]._raw_config = json.dumps({"input": "https://x/a.pdf", "queue_priority": 9})
    before = len(sim.jobs)
    with server:
        result = cli("jobs", "rerun", "--base-url", server.url, broken, refused, good, "--yes")
    assert result.exit_code == 1
    by_old = {r["job_id"]: r for r in lines(result.stdout)}
    assert "is not JSON" in by_old[broken]["error"]
    assert (
        "body.queue_priority: Input should be 'auto', 'standard' or 'batch'"
        in (by_old[refused]["error"])
    )
    assert by_old[good]["new_job_id"] in sim.by_id and len(sim.jobs) == before + 1


def test_rerun_edit_sends_the_edited_config(cli: Invoke, tmp_path: Path, monkeypatch: Any) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, sys\n"
        "p = sys.argv[1]\n"
        "c = json.load(open(p))\n"
        "c['queue_priority'] = 'batch'\n"
        "json.dump(c, open(p, 'w'))\n"
    )
    monkeypatch.setenv("EDITOR", f"python3 {editor}")
    server, sim, _ = served()
    old = failed_ids(sim)[0]
    with server:
        result = cli("jobs", "rerun", "--base-url", server.url, old, "--edit", "--yes")
    assert result.exit_code == 0, result.output
    [record] = lines(result.stdout)
    sent = json.loads(sim.by_id[record["new_job_id"]].raw_config)
    assert sent == {**json.loads(sim.by_id[old].raw_config), "queue_priority": "batch"}


def test_read_only_refuses_rerun_and_submit(cli: Invoke, tmp_path: Path) -> None:
    server, sim, _ = served()
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF")
    before = len(sim.jobs)
    with server:
        rerun = cli("jobs", "rerun", "--read-only", "--base-url", server.url, sim.jobs[0].job_id)
        submit = cli("jobs", "submit", "--read-only", "--base-url", server.url, str(doc))
    assert rerun.exit_code == 1 and "Read-only mode: re-run is disabled" in rerun.stderr
    assert submit.exit_code == 1 and "Read-only mode: submit is disabled" in submit.stderr
    assert len(sim.jobs) == before and not sim.uploads


def test_submit_uploads_each_file_and_reports_the_missing_one(cli: Invoke, tmp_path: Path) -> None:
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.7 " * 10_000)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"instructions": {"schema": {"type": "object"}}}))
    server, sim, _ = served()
    with server:
        result = cli(
            "jobs", "submit", "--base-url", server.url, str(tmp_path / "*.pdf"),
            str(tmp_path / "gone.pdf"), "--kind", "extract", "--config", str(config),
        )  # fmt: skip
    assert result.exit_code == 1
    records = lines(result.stdout)
    made = [r for r in records if "job_id" in r]
    assert [Path(r["file"]).name for r in made] == ["a.pdf", "b.pdf"]
    for r in made:
        job = sim.by_id[r["job_id"]]
        assert job.type == "Extract" and job.source == r["file_id"]
        assert json.loads(job.raw_config)["instructions"] == {"schema": {"type": "object"}}
        assert sim.uploads[r["file_id"]].size == 90_000
    [missing] = [r for r in records if "error" in r]
    assert missing["file"].endswith("gone.pdf") and "does not exist" in missing["error"]


def test_submit_refuses_a_config_that_is_not_json_before_sending(
    cli: Invoke, tmp_path: Path
) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF")
    bad = tmp_path / "bad.json"
    bad.write_text("{'single': 'quotes'}")
    server, sim, _ = served()
    with server:
        result = cli("jobs", "submit", "--base-url", server.url, str(doc), "--config", str(bad))
    assert result.exit_code == 2
    assert "is not JSON: Expecting property name enclosed in double quotes" in result.stderr
    assert not sim.uploads


def test_submit_a_kind_the_api_refuses_shows_its_details(cli: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF")
    server, sim, _ = served()
    before = len(sim.jobs)
    with server:
        result = cli("jobs", "submit", "--base-url", server.url, str(doc), "--kind", "split")
    assert result.exit_code == 1
    [record] = lines(result.stdout)
    assert "body.split_description: Field required" in record["error"]
    assert len(sim.jobs) == before


def test_submit_wait_reports_the_final_status(cli: Invoke, tmp_path: Path) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(b"%PDF")
    server, sim, _ = served()
    clock = sim.clock
    assert isinstance(clock, Clock)
    stop = threading.Event()

    def time_flies() -> None:  # a simulated job takes up to a minute: 50 s pass per second
        while not stop.wait(0.2):
            clock.now += 10

    threading.Thread(target=time_flies, daemon=True).start()
    with server:
        result = cli("jobs", "submit", "--base-url", server.url, str(doc), "--wait")
    stop.set()
    [record] = lines(result.stdout)
    assert record["status"] in ("Completed", "Failed")
    assert (result.exit_code == 0) == (record["status"] == "Completed")


def test_rerun_edit_asks_after_the_edit_on_a_terminal(tmp_path: Path) -> None:
    """In a real terminal (a pty): the editor runs first, then the question shows the edited
    config's job and is answered; "n" sends nothing."""
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import json, sys\n"
        "p = sys.argv[1]\n"
        "c = json.load(open(p))\n"
        "c['queue_priority'] = 'batch'\n"
        "json.dump(c, open(p, 'w'))\n"
        "print('EDITOR-RAN', flush=True)\n"
    )
    server, sim, _ = served()
    old = failed_ids(sim)[0]
    before = len(sim.jobs)
    primary, secondary = pty.openpty()
    env = {**os.environ, "EDITOR": f"{sys.executable} {editor}", "TERM": "dumb"}
    with server:
        command = ["jobs", "rerun", old, "--edit", "--base-url", server.url]
        proc = subprocess.Popen(
            [sys.executable, "-m", "reducto_tui", *command],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env=env,
            close_fds=True,
        )
        os.close(secondary)
        seen = b""
        try:
            deadline = time.monotonic() + 60
            while b"[y/N]" not in seen and time.monotonic() < deadline:
                ready, _, _ = select.select([primary], [], [], 0.5)
                if ready:
                    seen += os.read(primary, 4096)
            os.write(primary, b"n\n")
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(primary)
    text = seen.decode(errors="replace")
    assert "EDITOR-RAN" in text and "Re-run 1 job?" in text, text
    assert text.index("EDITOR-RAN") < text.index("Re-run 1 job?")
    assert code == 1 and len(sim.jobs) == before  # answered no: nothing sent
