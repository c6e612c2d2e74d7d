"""Exit codes, one escaped line on stderr, no tracebacks, never the key, --debug."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from reducto_tui.cli.jsonout import dumps
from reducto_tui.demo.runner import BackgroundServer
from reducto_tui.demo.server import Faults
from tests.cli.conftest import KEY, Invoke, Served
from tests.cli.hostile import app as hostile_app


def _one_line_error(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert KEY not in result.output
    return lines[0]


def test_exit_codes(cli: Invoke, demo: BackgroundServer) -> None:
    with (
        Served(hostile_app) as hostile,
        BackgroundServer(jobs=5, faults=Faults(require_key="other"), arrival_interval=0) as locked,
    ):
        cases = {
            0: cli("jobs", "list", "--base-url", demo.url, "--max", "1"),
            1: cli("jobs", "get", "--base-url", demo.url, "0" * 36),
            2: cli("jobs", "list", "--base-url", demo.url, "--status", "bogus"),
            3: cli("jobs", "list", "--base-url", locked.url),
            4: cli("jobs", "get", "--base-url", hostile.url, "broken"),
            5: cli("jobs", "get", "--base-url", hostile.url, "limited"),
        }
        refused = cli("jobs", "list", "--base-url", "http://127.0.0.1:9")
    for code, result in cases.items():
        assert result.exit_code == code, (code, result.output)
        if code:
            _one_line_error(result)
    assert refused.exit_code == 4 and "Could not reach" in _one_line_error(refused)
    assert "12 hours" in cases[1].stderr


def test_server_text_in_errors_is_escaped(cli: Invoke) -> None:
    with Served(hostile_app) as server:
        result = cli("jobs", "get", "--base-url", server.url, "missing-job")
    line = _one_line_error(result)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07" in line


def test_get_json_is_json_and_escapes_controls(cli: Invoke) -> None:
    with Served(hostile_app) as server:
        result = cli("jobs", "get", "--base-url", server.url, "infinite")
    assert result.exit_code == 0, result.output
    assert "Infinity" not in result.stdout and "\x9b" not in result.stdout
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout
    data = json.loads(result.stdout)
    assert data["duration"] is None and data["reason"] == "x\x9by\u202ez"


def test_a_hostile_body_never_prints_a_traceback(cli: Invoke) -> None:
    with Served(hostile_app) as server:
        result = cli("jobs", "get", "--base-url", server.url, "deep")
    assert result.exit_code != 0
    _one_line_error(result)


def test_missing_key_and_api_key_env(
    cli: Invoke, demo: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDUCTO_API_KEY")
    missing = cli("jobs", "list", "--base-url", demo.url)
    assert missing.exit_code == 3 and "REDUCTO_API_KEY" in _one_line_error(missing)
    monkeypatch.setenv("MY_KEY", "k-123")
    ok = cli("jobs", "list", "--max", "2", "--api-key-env", "MY_KEY", "--base-url", demo.url)
    assert ok.exit_code == 0 and len(ok.stdout.splitlines()) == 2
    unset = cli("jobs", "list", "--api-key-env", "NOT_SET_ANYWHERE", "--base-url", demo.url)
    assert unset.exit_code == 3 and "NOT_SET_ANYWHERE" in _one_line_error(unset)


def test_config_option_and_bad_settings_are_usage_errors(
    cli: Invoke, demo: BackgroundServer, tmp_path: Path
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(f'base_url = "{demo.url}"\npage_size = 7\n')
    listed = cli("jobs", "list", "--max", "3", "--config", str(good))
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) == 3
    bad = tmp_path / "bad.toml"
    bad.write_text("page_size = 9000\n")
    result = cli("jobs", "list", "--config", str(bad))
    assert result.exit_code == 2 and "page_size" in _one_line_error(result)
    absent = cli("jobs", "list", "--config", str(tmp_path / "absent.toml"))
    assert absent.exit_code == 2


def test_debug_writes_a_redacted_log_and_shows_tracebacks(cli: Invoke, tmp_path: Path) -> None:
    with Served(hostile_app) as server:
        plain = cli("jobs", "get", "--base-url", server.url, "broken")
        debug = cli("jobs", "get", "broken", "--base-url", server.url, "--debug")
    assert "Traceback" not in plain.output and "Debug log" not in plain.output
    assert debug.exit_code == 4 and "Traceback" in debug.stderr
    path = Path(debug.stderr.split("Debug log: ", 1)[1].splitlines()[0])
    assert path.is_relative_to(tmp_path / "state")
    log = path.read_text()
    assert "GET" in log and "/job/broken" in log and "503" in log
    assert KEY not in log
    assert path.stat().st_mode & 0o777 == 0o600  # private, like the archive and the config


def test_json_writer_escapes_what_json_dumps_leaves_raw() -> None:
    value = {"a": "\x7f\x9b\u202e\u2066ok\x1b", "n": float("inf"), "m": [float("nan"), 1.5]}
    text = dumps(value)
    assert not any(c in text for c in "\x7f\x9b\u202e\u2066\x1b")
    assert json.loads(text) == {"a": "\x7f\x9b\u202e\u2066ok\x1b", "n": None, "m": [None, 1.5]}
