"""The scriptable CLI against the demo server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reducto_tui.cli import main
from reducto_tui.demo.runner import BackgroundServer


def test_jobs_commands_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDUCTO_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("REDUCTO_API_KEY", "cli-SECRET-key")
    runner = CliRunner()
    with BackgroundServer(jobs=60, seed=4, arrival_interval=0) as server:
        base = ["--base-url", server.url]
        listed = runner.invoke(main, [*base, "jobs", "list", "--all", "--limit", "25"])
        assert listed.exit_code == 0, listed.output
        rows = [json.loads(line) for line in listed.output.splitlines()]
        assert len(rows) == 60
        failed = runner.invoke(main, [*base, "jobs", "list", "--all", "--status", "failed"])
        assert all(json.loads(x)["status"] == "Failed" for x in failed.output.splitlines())
        done = next(
            j for j in server.simulator.jobs if j.status(server.simulator.clock()) == "Completed"
        )
        got = runner.invoke(main, [*base, "jobs", "get", done.job_id])
        assert got.exit_code == 0 and json.loads(got.output)["status"] == "Completed"
        out = tmp_path / "job.json"
        exported = runner.invoke(main, [*base, "jobs", "export", done.job_id, str(out)])
        assert exported.exit_code == 0 and json.loads(out.read_text())["job_id"] == done.job_id
        again = runner.invoke(main, [*base, "jobs", "export", done.job_id, str(out)])
        assert again.exit_code != 0 and "--force" in again.output
        cancel = runner.invoke(main, [*base, "jobs", "cancel", done.job_id])
        assert cancel.exit_code == 1 and json.loads(cancel.output)["cancelled"] is False
        missing = runner.invoke(main, [*base, "jobs", "get", "nope"])
        assert missing.exit_code == 1 and "12 hours" in missing.output
        for result in (listed, got, exported, cancel, missing):
            assert "cli-SECRET-key" not in result.output


def test_bad_config_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("page_size = [")
    monkeypatch.setenv("REDUCTO_TUI_CONFIG", str(bad))
    result = CliRunner().invoke(main, ["jobs", "list"])
    assert result.exit_code == 2 and "not valid TOML" in result.stderr
    assert "Traceback" not in result.output


def test_demo_before_a_command_points_it_at_the_demo_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDUCTO_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("REDUCTO_API_KEY", raising=False)
    result = CliRunner().invoke(
        main, ["--demo", "--demo-jobs", "30", "jobs", "list", "--all", "--limit", "10"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 30 and all(row["job_id"] for row in rows)


def test_the_dashboard_without_a_key_says_so_and_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDUCTO_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("REDUCTO_API_KEY", raising=False)
    started: list[object] = []
    monkeypatch.setattr("reducto_tui.cli.app.run_app", started.append)
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 3
    assert "No API key: set REDUCTO_API_KEY" in result.stderr
    assert "reducto-tui --demo" in result.stderr
    assert started == [], "the dashboard opened with no key to ask anything with"
