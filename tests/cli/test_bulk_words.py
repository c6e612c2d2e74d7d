"""`jobs cancel` and `jobs rerun` share their command-line checks (cli.bulk): each says them
in its own words."""

from __future__ import annotations

from tests.cli.conftest import Invoke
from tests.cli.test_rerun_submit import served


def test_cancel_and_rerun_by_filter_say_the_same_things_in_their_own_words(cli: Invoke) -> None:
    server, sim, _ = served()
    queued = sim.create("Split", {"input": "https://example.com/q.pdf"})
    before = len(sim.jobs)
    with server:
        words = {
            command: (
                cli("jobs", command, "--base-url", server.url),
                cli(
                    "jobs",
                    command,
                    "--base-url",
                    server.url,
                    "--filter",
                    "type:split status:queued",
                ),
                cli("jobs", command, "--read-only", "--base-url", server.url, "--filter", "x"),
            )
            for command in ("cancel", "rerun")
        }
    for bare, unasked, read_only in words.values():
        assert bare.exit_code == 2 and "Give job ids, or --filter EXPR." in bare.stderr
        assert unasked.exit_code == 2 and read_only.exit_code == 1
    assert "Cancelling by --filter needs --yes when not on a terminal." in words["cancel"][1].stderr
    assert "Re-running by --filter needs --yes when not on a terminal." in words["rerun"][1].stderr
    assert "Read-only mode: cancel is disabled." in words["cancel"][2].stderr
    assert "Read-only mode: re-run is disabled." in words["rerun"][2].stderr
    assert len(sim.jobs) == before
    assert queued.status(sim.clock()) != "Cancelled"
