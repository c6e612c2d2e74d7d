"""`jobs get`: short ids, formats, and --wait that asks politely (no long-poll)."""

from __future__ import annotations

import json
import threading
import time

from reducto_tui.cli.waiting import intervals
from reducto_tui.demo.runner import BackgroundServer
from tests.cli.conftest import Invoke, Served, simulated
from tests.cli.hostile import app as hostile_app


def _completed(demo: BackgroundServer, kind: str = "Parse", pages: range = range(1, 100)) -> str:
    now = demo.simulator.clock()
    return next(
        j.job_id
        for j in demo.simulator.jobs
        if j.status(now) == "Completed" and j.type == kind and j.num_pages in pages
    )


def test_a_short_id_resolves_through_the_listing(cli: Invoke, demo: BackgroundServer) -> None:
    job_id = _completed(demo)
    result = cli("jobs", "get", "--base-url", demo.url, job_id[:8])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["job_id"] == job_id
    upper = cli("jobs", "get", "--base-url", demo.url, job_id[:6].upper())
    assert upper.exit_code == 0 and json.loads(upper.stdout)["job_id"] == job_id
    short = cli("jobs", "get", "--base-url", demo.url, job_id[:5])
    assert short.exit_code == 1 and "at least 6" in short.stderr


def test_an_ambiguous_prefix_lists_the_candidates(cli: Invoke) -> None:
    with Served(hostile_app) as server:
        result = cli("jobs", "get", "--base-url", server.url, "abcdef")
    assert result.exit_code == 2
    assert "abcdef01-0000" in result.stderr and "abcdef02-0000" in result.stderr
    assert "\u202e" not in result.stderr and "\\u202e" in result.stderr


def test_summary_and_markdown(cli: Invoke, demo: BackgroundServer) -> None:
    job_id = _completed(demo)
    summary = cli("jobs", "get", "--base-url", demo.url, job_id, "--format", "summary")
    assert summary.exit_code == 0 and "Completed" in summary.stdout and job_id in summary.stdout
    markdown = cli("jobs", "get", "--base-url", demo.url, job_id, "--format", "markdown")
    assert markdown.exit_code == 0 and markdown.stdout.startswith(f"# Job {job_id}")
    other = _completed(demo, "Extract")
    refused = cli("jobs", "get", "--base-url", demo.url, other, "--format", "markdown")
    assert refused.exit_code == 1 and "no parse result" in refused.stderr


def test_wait_intervals_back_off_from_two_seconds() -> None:
    gen = intervals()
    assert [next(gen) for _ in range(7)] == [2, 4, 8, 16, 30, 30, 30]


def test_wait_polls_no_more_than_every_two_seconds(cli: Invoke) -> None:
    server, sim, clock = simulated()
    job = sim.create("Parse", {"input": "https://example.com/a.pdf"})
    while job.outcome != "Completed":
        job = sim.create("Parse", {"input": "https://example.com/a.pdf"})
    with server:
        # The job finishes 1 s after the first ask: seen on the second ask, 2 s later.
        timer = threading.Timer(1.0, lambda: setattr(clock, "now", clock.now + 3600))
        timer.start()
        started = time.monotonic()
        result = cli("jobs", "get", "--base-url", server.url, job.job_id, "--wait")
        elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "Completed"
    asks = [t for path, t in zip(server.hits, server.times, strict=True) if job.job_id in path]
    assert len(asks) == 2 and asks[1] - asks[0] >= 1.95
    assert elapsed < 4
    assert all("timeout" not in p for p in server.hits)


def test_wait_gives_up_at_the_timeout_with_exit_1(cli: Invoke) -> None:
    server, sim, clock = simulated()
    job = sim.create("Parse", {"input": "https://example.com/a.pdf"})
    with server:
        result = cli(
            "jobs", "get", "--base-url", server.url, job.job_id, "--wait", "--timeout", "3"
        )
    assert result.exit_code == 1
    assert "still Pending after 3 s" in result.stderr
    assert json.loads(result.stdout)["status"] == "Pending"
    assert sum(job.job_id in p for p in server.hits) == 2  # at 0 s and 2 s, not in a loop


def test_wait_on_a_failed_job_exits_1(cli: Invoke, demo: BackgroundServer) -> None:
    now = demo.simulator.clock()
    failed = next(j.job_id for j in demo.simulator.jobs if j.status(now) == "Failed")
    result = cli("jobs", "get", "--base-url", demo.url, failed, "--wait")
    assert result.exit_code == 1 and "failed" in result.stderr
    assert "--timeout only applies" in cli("jobs", "get", failed, "--timeout", "3").stderr


def test_a_huge_failure_reason_is_capped_in_the_summary_and_whole_in_json(cli: Invoke) -> None:
    from reducto_tui.demo.simulator import Failure
    from reducto_tui.render.summary import MESSAGE_CHARS

    server, sim, clock = simulated(jobs=5)
    job = sim.create("Parse", {"input": "https://example.com/a.pdf"})
    reason = "The page could not be read. " + "x" * 100_000 + " THE-END"
    job.failure = Failure("DOCUMENT_CORRUPT", 400, reason, 1)
    job.outcome = "Failed"
    clock.now += 3600
    with server:
        assert sim.by_id[job.job_id].status(clock()) == "Failed"
        shown = cli("jobs", "get", "--base-url", server.url, job.job_id, "--format", "summary")
        whole = cli("jobs", "get", "--base-url", server.url, job.job_id, "--format", "json")
        waited = cli("jobs", "get", "--base-url", server.url, job.job_id, "--wait")
    assert "The page could not be read." in shown.stdout and "THE-END" not in shown.stdout
    more = f"{len(reason) - MESSAGE_CHARS:,} more characters"
    assert more in shown.stdout and "jobs get ID --format json" in shown.stdout
    assert len(shown.stdout) < 3 * MESSAGE_CHARS + 5_000  # the reason and the error: capped
    assert json.loads(whole.stdout)["reason"] == reason
    assert waited.exit_code == 1 and "THE-END" not in waited.stderr and more in waited.stderr
