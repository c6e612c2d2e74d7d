"""`jobs stats`: the insight numbers from the real CLI against the demo server on loopback."""

from __future__ import annotations

import json

from reducto_tui.api.status import StatusKind, status_kind
from reducto_tui.demo.simulator import Failure
from tests.cli.conftest import Invoke, simulated


def test_json_counts_pages_and_failure_codes_match_the_server(cli: Invoke) -> None:
    served, sim, clock = simulated(jobs=60, seed=4)
    with served:
        result = cli("jobs", "stats", "--base-url", served.url, "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    now = clock()
    kinds = [status_kind(j.status(now)) for j in sim.jobs]
    assert body["jobs"] == 60
    assert body["counts"]["failed"] == kinds.count(StatusKind.FAILED) > 0
    assert body["counts"]["queued"] == kinds.count(StatusKind.QUEUED)
    assert body["pages"] == sum(
        j.num_pages for j, k in zip(sim.jobs, kinds, strict=True) if k is StatusKind.COMPLETED
    )
    codes: dict[str, int] = {}
    for job, kind in zip(sim.jobs, kinds, strict=True):
        if kind is StatusKind.FAILED and job.failure is not None:
            codes[job.failure.name] = codes.get(job.failure.name, 0) + 1
    assert {f["key"]: f["count"] for f in body["failures"]} == codes
    assert body["failures_unknown"] == 0
    assert sum(b["completed"] for b in body["buckets"]) == body["counts"]["completed"]
    assert {lat["type"] for lat in body["latency"]} <= {j.type for j in sim.jobs}
    assert body["details_fetched"] >= len(codes)
    assert body["details_asked"] == body["details_fetched"] and body["details_gone"] == 0
    assert body["filter"] == "" and body["failures_gone"] == 0


def test_details_zero_asks_no_job_and_leaves_reasons_unknown(cli: Invoke) -> None:
    served, sim, clock = simulated(jobs=60, seed=4)
    with served:
        result = cli(
            "jobs", "stats", "--base-url", served.url, "--details", "0", "--format", "json"
        )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert not [path for path in served.hits if path.startswith("/job/")]
    assert body["failures"] == [] and body["failures_unknown"] == body["counts"]["failed"]
    assert body["credits_known"] == 0 and body["details_fetched"] == 0


def test_table_shows_the_filtered_selection(cli: Invoke) -> None:
    served, sim, clock = simulated(jobs=60, seed=4)
    with served:
        result = cli(
            "jobs", "stats", "--base-url", served.url, "--filter", "type:parse", "--format", "table"
        )
    assert result.exit_code == 0, result.output
    parses = sum(1 for j in sim.jobs if j.type == "Parse")
    first = result.stdout.splitlines()[0].split()
    assert first == ["jobs", str(parses)]
    assert "P90" in result.stdout and "pages/min" in result.stdout
    assert "Classify" not in result.stdout
    # The same words as the insight view's header (issue 26, defect 3).
    asked = len([path for path in served.hits if path.startswith("/job/")])
    assert asked > 0
    assert f"Details: {asked} jobs asked (GET /job): {asked} read (--details 100)." in (
        result.stderr
    )


def test_hostile_failure_codes_and_reasons_are_shown_escaped(cli: Invoke) -> None:
    served, sim, clock = simulated(jobs=60, seed=4)
    now = clock()
    failed = [j for j in sim.jobs if status_kind(j.status(now)) is StatusKind.FAILED]
    evil = Failure("EVIL\x1b[2J", 500, "gone \x1b]0;pwned\x07 \u202eevil", 1)
    for job in failed:
        job.failure = evil
    with served:
        table = cli("jobs", "stats", "--base-url", served.url, "--format", "table")
        raw = cli("jobs", "stats", "--base-url", served.url, "--format", "json")
    for result in (table, raw):
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\u202e" not in result.stdout
    assert "EVIL\\x1b[2J" in table.stdout
    failures = json.loads(raw.stdout)["failures"]
    assert failures == [
        {
            "key": "EVIL\\x1b[2J",
            "count": len(failed),
            "reason": "gone \\x1b]0;pwned\\x07 \\u202eevil",
        }
    ]


def test_a_bad_since_is_a_usage_error(cli: Invoke) -> None:
    result = cli("jobs", "stats", "--base-url", "http://127.0.0.1:9", "--since", "soon")
    assert result.exit_code == 2
    assert "--since" in result.output
