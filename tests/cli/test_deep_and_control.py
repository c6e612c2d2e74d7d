"""Tester follow-ups (issue 12): JSON nested hundreds of levels deep gives a clear one-line
error and the documented exit code (4: an answer we cannot use), not 70; human-readable
exports escape server text as the screen does, JSON stays faithful, CSV escapes controls."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reducto_tui.cli.exits import NETWORK
from reducto_tui.demo.hostile import HOSTILE_TEXT, HostileServer
from tests.cli.conftest import KEY, Invoke

#: What a terminal acts on: ESC, the 8-bit CSI, BEL, a bidi override, a lone CR.
RAW_CONTROLS = ("\x1b", "\x9b", "\x07", "\u202e", "\r")


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr and KEY not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("depth", [300, 600, 900])
def test_get_json_of_deeply_nested_json_is_a_clear_error(
    cli: Invoke, hostile: HostileServer, depth: int
) -> None:
    result = cli("jobs", "get", "--base-url", hostile.url, "--format", "json", f"deep-{depth}")
    assert result.exit_code == NETWORK, result.output
    assert "nested too deeply (hundreds of levels) to print" in one_line_error(result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("depth", [600, 900])
def test_export_of_deeply_nested_json_is_a_clear_error_and_writes_nothing(
    cli: Invoke, hostile: HostileServer, depth: int, tmp_path: Path
) -> None:
    target = tmp_path / "deep.json"
    result = cli("jobs", "export", "--base-url", hostile.url, f"deep-{depth}", "-o", str(target))
    assert result.exit_code == NETWORK, result.output
    assert "nested too deeply (hundreds of levels) to write it out" in one_line_error(result.stderr)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def export(cli: Invoke, hostile: HostileServer, fmt: str, path: Path) -> str:
    result = cli("jobs", "export", "--base-url", hostile.url, "osc-result", "--format", fmt,
                 "-o", str(path))  # fmt: skip
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def test_markdown_export_escapes_server_text_and_keeps_its_lines(
    cli: Invoke, hostile: HostileServer, tmp_path: Path
) -> None:
    text = export(cli, hostile, "chunks_md", tmp_path / "out.md")
    assert not any(c in text for c in RAW_CONTROLS), repr(text)
    assert "\\x1b]0;PWNED\\x1b\\Title\\x1b[2J" in text and "\\u202egpj.exe" in text
    assert "a\tb\nnext line" in text and "over\\x0dwrite" in text


def test_jsonl_export_stays_faithful(cli: Invoke, hostile: HostileServer, tmp_path: Path) -> None:
    text = export(cli, hostile, "blocks_jsonl", tmp_path / "out.jsonl")
    assert "\x1b" not in text and "\x9b" not in text  # JSON escapes them...
    first = json.loads(text.splitlines()[0])
    assert first["content"] == HOSTILE_TEXT  # ...and a reader gets the exact text back


def test_csv_export_escapes_controls_but_tab_and_newline_and_neutralises_formulas(
    cli: Invoke, hostile: HostileServer, tmp_path: Path
) -> None:
    text = export(cli, hostile, "blocks_csv", tmp_path / "out.csv")
    assert not any(c in text for c in ("\x1b", "\x9b", "\u202e")), repr(text)
    cells = [row["content"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert cells[0].startswith("\\x1b]0;PWNED") and "a\tb\nnext line" in cells[0]
    assert "over\\x0dwrite" in cells[0]
    assert cells[1] == '\'=HYPERLINK("http://x")'


def test_a_listed_job_no_json_writer_takes_whole_is_still_a_json_line() -> None:
    from reducto_tui.api.models import SingleJob
    from reducto_tui.cli.jobs_list import _job_json
    from reducto_tui.cli.jsonout import escape_json

    deep: object = "x"
    for _ in range(950):
        deep = [deep]
    nested = SingleJob.model_validate({"job_id": "deep", "status": "Failed", "source": deep})
    line = json.loads(_job_json(nested))
    assert line["job_id"] == "deep" and line["status"] == "Failed" and "unreadable" in line
    lone = SingleJob.model_validate({"job_id": "sur-\ud800", "status": "Completed"})
    text = escape_json(_job_json(lone))  # as `jobs list --format jsonl` writes it
    text.encode("utf-8")  # printable: the surrogate is a JSON escape
    assert json.loads(text)["job_id"] == "sur-\ud800"


def test_the_debug_log_escapes_what_the_server_sent() -> None:
    import logging

    from reducto_tui.cli.debuglog import _Redacting

    record = logging.LogRecord(
        "t", logging.WARNING, __file__, 1, "The server said: %s", (HOSTILE_TEXT,), None
    )
    text = _Redacting("%(message)s").format(record)
    assert not any(c in text for c in RAW_CONTROLS), text
