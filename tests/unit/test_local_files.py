"""Files to submit as the user names them: globs, ~ and quoting, and completion of a typed
path (core.local_files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reducto_tui.core.local_files import complete, expand, split_typed


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("q3 report.pdf", "q3-summary.pdf", "invoice.pdf", ".hidden.pdf"):
        (tmp_path / name).write_text("x")
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.png").write_text("x")
    (tmp_path / "scans" / "deep").mkdir()
    (tmp_path / "scans" / "deep" / "b.png").write_text("x")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_globs_name_their_files_and_a_pattern_matching_nothing_is_reported(folder: Path) -> None:
    assert expand(["invoice.pdf", "q3*.pdf", "nothing*.pdf", "missing.pdf"]) == [
        ("invoice.pdf", Path("invoice.pdf")),
        ("q3 report.pdf", Path("q3 report.pdf")),
        ("q3-summary.pdf", Path("q3-summary.pdf")),
        ("nothing*.pdf", None),
        ("missing.pdf", Path("missing.pdf")),  # a plain name is passed on, checked later
    ]
    assert expand(["scans/**/*.png"]) == [
        ("scans/a.png", Path("scans/a.png")),
        ("scans/deep/b.png", Path("scans/deep/b.png")),
    ]
    assert expand(["scans*"]) == [("scans*", None)], "a folder is not a file to send"
    assert expand(["~/invoice.pdf"]) == [("~/invoice.pdf", folder / "invoice.pdf")]
    assert expand(["~/q3-*.pdf"]) == [(str(folder / "q3-summary.pdf"), folder / "q3-summary.pdf")]
    (folder / "odd[1].pdf").write_text("x")
    assert expand(["odd[1].pdf"]) == [("odd[1].pdf", Path("odd[1].pdf"))], "an existing name"


def test_a_typed_line_splits_like_a_shell_and_an_open_quote_does_not_fail() -> None:
    assert split_typed("a.pdf 'q3 report.pdf' \"b c.pdf\"") == ["a.pdf", "q3 report.pdf", "b c.pdf"]
    assert split_typed("a.pdf 'unclosed b.pdf") == ["a.pdf", "'unclosed", "b.pdf"]
    assert split_typed("") == []


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("inv", "invoice.pdf"),
        ("q3", None),  # two names start so; nothing longer in common than "q3"
        ("q3-", "q3-summary.pdf"),
        ("q3 ", None),  # after a space a new path begins: nothing typed yet
        ("q3 r", None),  # "r" begins a new path
        # Inside a quote the name goes on there, and the quote closes after a file's name.
        ("'q3 r", "'q3 report.pdf'"),
        ('"q3 r', '"q3 report.pdf"'),
        ("a.pdf 'q3 r", "a.pdf 'q3 report.pdf'"),
        ("q3\\ r", "q3\\ report.pdf"),
        ("sc", "scans/"),
        ("scans/d", "scans/deep/"),
        ("a.pdf inv", "a.pdf invoice.pdf"),
        ("~/inv", "~/invoice.pdf"),
        (".hid", ".hidden.pdf"),
        ("nope", None),
        ("nowhere/x", None),
        ("", None),
    ],
)
def test_completion_extends_the_last_path_as_far_as_it_is_unambiguous(
    folder: Path, typed: str, completed: str | None
) -> None:
    assert complete(typed) == completed


def test_completion_continues_what_was_typed_and_ignores_hidden_files(folder: Path) -> None:
    # A tester saw `qq3 report.pdf'`: the suggestion re-quoted the name, so it no longer
    # began with the text typed. It continues it now, escaping what a shell would split on.
    (folder / "invoice.pdf").unlink()
    (folder / "q3-summary.pdf").unlink()
    assert complete("q") == "q3\\ report.pdf"
    assert split_typed("q3\\ report.pdf") == ["q3 report.pdf"]
    (folder / "my scans").mkdir()
    (folder / "my scans" / "it's $5.pdf").write_text("x")
    assert complete("'my") == "'my scans/"  # a folder: the quote stays open
    assert complete("my") == "my\\ scans/"
    assert complete("my\\ scans/i") == "my\\ scans/it\\'s\\ \\$5.pdf"
    assert split_typed(complete("my\\ scans/i") or "") == ["my scans/it's $5.pdf"]
    assert complete("'my scans/i") is None  # a ' cannot go on inside '…'
    assert complete('"my scans/i') is None  # nor a $ inside "…"
    assert complete("") is None
    os.remove(folder / ".hidden.pdf")
    (folder / ".only").write_text("x")
    assert complete("x.pdf .o") == "x.pdf .only"
