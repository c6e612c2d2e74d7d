"""`jobs list`: global options anywhere, the app's filter grammar, --max across pages, formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from reducto_tui.api.status import StatusKind, status_kind
from reducto_tui.demo.runner import BackgroundServer
from tests.cli.conftest import Invoke, Served, simulated
from tests.cli.hostile import app as hostile_app


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def _failed_ids(demo: BackgroundServer) -> list[str]:
    now = demo.simulator.clock()
    return [
        j.job_id
        for j in sorted(demo.simulator.jobs, key=lambda j: -j.created)
        if status_kind(j.status(now)) is StatusKind.FAILED
    ]


def test_global_options_work_after_the_subcommand(cli: Invoke, demo: BackgroundServer) -> None:
    after = cli("jobs", "list", "--base-url", demo.url, "--max", "3")
    before = cli("--base-url", demo.url, "jobs", "list", "--max", "3")
    middle = cli("jobs", "--base-url", demo.url, "list", "--max", "3")
    assert after.exit_code == before.exit_code == middle.exit_code == 0, after.output
    assert len(_lines(after.stdout)) == 3
    assert after.stdout == before.stdout == middle.stdout


def test_max_counts_matching_jobs_across_pages(cli: Invoke, demo: BackgroundServer) -> None:
    failed = _failed_ids(demo)
    assert len(failed) > 5
    # Page size 10: five failed jobs are spread over several pages.
    result = cli("jobs", "list", "--base-url", demo.url, "--status", "failed", "--max", "5",
                 "--page-size", "10")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [r["job_id"] for r in _lines(result.stdout)] == failed[:5]
    every = cli("jobs", "list", "--base-url", demo.url, "--all", "--filter", "status:failed")
    assert [r["job_id"] for r in _lines(every.stdout)] == failed


def test_bad_status_and_bad_filter_are_usage_errors(cli: Invoke, demo: BackgroundServer) -> None:
    for args in (("--status", "bogus"), ("--filter", "pages>many"), ("--since", "yesterdayish")):
        result = cli("jobs", "list", "--base-url", demo.url, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1


def test_filter_is_the_apps_grammar(cli: Invoke, demo: BackgroundServer) -> None:
    result = cli("jobs", "list", "--base-url", demo.url, "--all", "--filter", "type:parse pages>10 -status:failed")  # fmt: skip
    rows = _lines(result.stdout)
    assert rows and all(
        r["type"] == "Parse"
        and (r["num_pages"] or r["total_pages"]) > 10
        and r["status"] != "Failed"
        for r in rows
    )


def test_since_and_until_select_by_creation_time(cli: Invoke, demo: BackgroundServer) -> None:
    times = sorted(j.created for j in demo.simulator.jobs)
    cut = times[len(times) // 2]
    iso = datetime.fromtimestamp(cut, UTC).isoformat()
    newer = _lines(cli("jobs", "list", "--base-url", demo.url, "--all", "--since", iso).stdout)
    older = _lines(cli("jobs", "list", "--base-url", demo.url, "--all", "--until", iso).stdout)
    assert len(newer) + len(older) == len(times) + 1  # the job created at `cut` is in both
    hour = _lines(cli("jobs", "list", "--base-url", demo.url, "--all", "--since", "1h").stdout)
    start = demo.simulator.clock() - 3600
    assert sum(t >= start + 10 for t in times) <= len(hour) <= sum(t >= start - 10 for t in times)
    assert all(
        datetime.fromisoformat(str(r["created_at"]).replace("Z", "+00:00")).timestamp()
        >= start - 10
        for r in hour
    )


def test_formats(cli: Invoke, demo: BackgroundServer) -> None:
    base = ("jobs", "list", "--base-url", demo.url, "--max", "30", "--page-size", "7")
    jsonl = _lines(cli(*base).stdout)  # piped: JSON lines by default
    whole = json.loads(cli(*base, "--format", "json").stdout)
    ids = cli(*base, "--format", "id").stdout.splitlines()
    table = cli(*base, "--format", "table").stdout
    rows = list(csv.DictReader(io.StringIO(cli(*base, "--format", "csv").stdout)))
    assert len(jsonl) == len(whole) == len(ids) == len(rows) == 30
    assert [r["job_id"] for r in jsonl] == [r["job_id"] for r in whole] == ids
    assert [r["job_id"] for r in rows] == ids
    assert table.splitlines()[0].split()[:3] == ["JOB", "ID", "STATUS"]
    assert table.count("JOB ID") == 1 and ids[0][:8] in table


def test_hostile_list_output_is_escaped_and_valid_json(cli: Invoke) -> None:
    with Served(hostile_app) as server:
        out = cli("jobs", "list", "--base-url", server.url).stdout
        table = cli("jobs", "list", "--base-url", server.url, "--format", "table").stdout
        ids = cli("jobs", "list", "--base-url", server.url, "--format", "id").stdout
        rows = cli("jobs", "list", "--base-url", server.url, "--format", "csv").stdout
    assert "Infinity" not in out
    parsed = _lines(out)
    assert parsed[0]["duration"] is None
    assert parsed[2]["job_id"] == "abcdef01-\x9b31m-\u202egpj.exe"  # exact once decoded
    for text in (out, table, ids, rows):
        assert not any(c in text for c in "\x1b\x7f\x9b\u202e"), repr(text)
    assert "\\u009b" in out and "\\u202e" in out
    assert "\\x9b" in ids and "\\u202e" in ids
    assert "'=HYPERLINK(1)" in rows  # a spreadsheet does not run it as a formula


def test_a_long_source_ends_in_an_ellipsis_and_the_other_columns_stay(
    cli: Invoke, monkeypatch: Any
) -> None:
    # A tester's table lost its JOB ID and TYPE columns and cut a long source without "…".
    monkeypatch.setenv("COLUMNS", "100")
    server, sim, _ = simulated(jobs=5)
    name = "quarterly-report-for-the-board-with-all-appendices-and-the-signed-minutes-v2.pdf"
    job = sim.create("Parse", {"input": f"https://example.com/{name}"})
    with server:
        table = cli("jobs", "list", "--base-url", server.url, "--format", "table").stdout
    lines = table.splitlines()
    assert lines[0].split() == [
        "JOB", "ID", "STATUS", "TYPE", "CREATED", "PAGES", "DURATION", "SOURCE"
    ]  # fmt: skip
    [row] = [line for line in lines if line.startswith(job.job_id[:8])]
    assert "Parse" in row and row.rstrip().endswith("…") and name[:12] in row
    assert all(len(line) <= 100 for line in lines)
