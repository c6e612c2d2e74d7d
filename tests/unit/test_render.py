"""Renderers: server text shown literally, tables and page drawings, humane formats."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from rich.console import RenderableType

from reducto_tui.api.models import BoundingBox, JobDetail, ParseBlock
from reducto_tui.cli.jsonout import dumps
from reducto_tui.demo import payloads
from reducto_tui.render import format as fmt
from reducto_tui.render.parse import block_body, page_drawing, table_rows
from reducto_tui.render.split import page_list
from reducto_tui.render.summary import summary
from reducto_tui.render.text import clean, safe_text, sentence
from tests.conftest import FROZEN
from tests.plain import plain


def test_control_characters_become_visible_escapes_and_markup_stays_literal() -> None:
    hostile = "[bold red]x[/] \x1b[2J\x07\x9bname\u202e\rover\r\nnext\tcol"
    assert clean(hostile) == ("[bold red]x[/] \\x1b[2J\\x07\\x9bname\\u202e\\x0dover\nnext\tcol")
    assert clean(hostile, single_line=True) == (
        "[bold red]x[/] \\x1b[2J\\x07\\x9bname\\u202e\\x0dover next col"
    )
    assert safe_text(hostile).plain.startswith("[bold red]x[/]")
    failed = JobDetail.model_validate(
        {
            "status": "Failed",
            "type": "Parse",
            "reason": "[link=file:///etc]boom[/link]\x1b]0;pwn\x07",
            "source": "[red]evil[/red].pdf",
            "created_at": "2026-03-01T11:00:00Z",
        }
    )
    text = plain(summary("id-1", failed, FROZEN))
    assert "[link=file:///etc]boom[/link]" in text and "[red]evil[/red].pdf" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "an hour ago" in text


def test_tables_render_as_tables() -> None:
    html = "<table><tr><th>A</th><th>B</th></tr><tr><td>1 &amp; 2</td><td>3</td></tr></table>"
    assert table_rows(html) == [["A", "B"], ["1 & 2", "3"]]
    assert table_rows("| A | B |\n|---|---|\n| 1 | 2 |") == [["A", "B"], ["1", "2"]]
    assert table_rows("plain text") is None
    out = plain(block_body(ParseBlock(type="Table", content=html))).splitlines()
    # A header row in heavy rules, then each cell of the body row in its own column.
    assert [" ".join(line.split()) for line in out[1:4:2]] == ["┃ A ┃ B ┃", "│ 1 & 2 │ 3 │"]
    assert out[3].index("│ 3") == out[1].index("┃ B"), "cells line up under the heads"
    prose = plain(block_body(ParseBlock(type="Text", content="| not | a table")))
    assert "│" not in prose and "┃" not in prose and "| not | a table" in prose


def test_page_drawing_puts_the_box_in_place() -> None:
    art = page_drawing(
        BoundingBox(left=0.5, top=0.5, width=0.25, height=0.25, page=3), width=22, height=12
    ).plain
    lines = art.splitlines()
    assert "page 3" in lines[0]
    filled = [
        (y, x) for y, line in enumerate(lines[1:-1]) for x, ch in enumerate(line) if ch == "█"
    ]
    assert filled and min(y for y, _ in filled) == 5 and min(x for _, x in filled) == 11


def test_formats() -> None:
    assert fmt.duration(0.25) == "250 ms" and fmt.duration(12.34) == "12.3 s"
    assert (
        fmt.duration(75) == "1m 15s" and fmt.duration(7300) == "2h 01m" and fmt.duration(None) == ""
    )
    assert fmt.ago(None, 10) == "unknown" and fmt.ago(100, 102) == "just now"
    assert fmt.ago(0, 240) == "4 minutes ago"
    assert fmt.pages(3, 10) == "3/10" and fmt.pages(None, 10) == "–/10" and fmt.pages(4, 4) == "4"
    assert page_list([1, 2, 3, 5, 7, 8]) == "1–3, 5, 7–8"
    assert fmt.sparkline([0, 1, 2, 4]) == "▁▃▅█"


def test_every_kind_renders_without_error() -> None:
    from reducto_tui.render.chart import chart_view
    from reducto_tui.render.classify import classify_view
    from reducto_tui.render.edit import edit_view
    from reducto_tui.render.extract import citations_table, extract_header
    from reducto_tui.render.split import split_view

    rng = random.Random(9)
    # Each view takes its own kind of result; the payload decides which kind validates.
    cases: list[tuple[Callable[[Any], RenderableType], dict[str, Any], str]] = [
        (split_view, payloads.split_result(rng, "s", 9, deep=False), "Section mapping"),
        (split_view, payloads.split_result(rng, "s", 9, deep=True), "Evidence"),
        (classify_view, payloads.classify_result(rng, "c", 1), "Category:"),
        (chart_view, payloads.chart_result(rng, "c"), "Revenue"),
        (edit_view, payloads.edit_result(rng, "e", 1), "Applicant full name"),
        (citations_table, payloads.extract_result(rng, "x", 1), "invoice_number"),
        (extract_header, payloads.extract_result(rng, "x", 1), "Confidence"),
    ]
    for view, payload, words in cases:
        result = JobDetail.model_validate({"status": "Completed", "result": payload}).result
        assert words in plain(view(result), width=140)


def test_file_names_for_the_table() -> None:
    from reducto_tui.render.text import file_name

    assert file_name("reducto://ab12/q3 report.pdf") == "q3 report.pdf"
    assert file_name("https://h/in/a.pdf?sig=1") == "a.pdf"
    assert file_name("[bold]x[/] y.pdf") == "[bold]x[/] y.pdf"
    assert file_name("plain.pdf") == "plain.pdf"


def test_invisible_and_line_breaking_characters_become_visible() -> None:
    for char in "\u061c\u200b\u200e\u200f\u2028\u2029\ufeff":
        shown = clean(f"job{char}id", single_line=True)
        assert char not in shown and f"\\u{ord(char):04x}" in shown


def test_sentence_keeps_the_case_of_quoted_server_text() -> None:
    assert sentence("cancelled 1 job; job AbC-\\x1b[2J failed: HTTP 400") == (
        "Cancelled 1 job; job AbC-\\x1b[2J failed: HTTP 400"
    )


def test_a_hostile_citation_page_and_confidence_are_shown_as_text() -> None:
    from reducto_tui.api.models import ExtractResponse
    from reducto_tui.render.extract import citations_table

    cites = [
        {"bbox": {"page": "\x1b[2J[red]3", "left": 0}, "content": "a", "confidence": "[b]hi"},
        {"bbox": {"page": 10**5000}, "content": "b", "confidence": 10**5000},
    ]
    shown = plain(citations_table(ExtractResponse(citations=[{"total": cites}])))
    assert "\x1b" not in shown and "│ \\x1b… │" in shown and "│ [b]hi │" in shown
    assert "│ unkn… │" in shown  # a number too long to print degrades, it does not raise


INVISIBLE = [0x00AD, 0x034F, 0x115F, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x2060, 0x3164,
             0xFEFF, 0xFFF9, 0xE0001, 0xE0041, 0xD800, 0xDFFF]  # fmt: skip


def test_invisible_format_characters_and_lone_surrogates_are_shown_escaped() -> None:
    for code in INVISIBLE:
        shown = clean(f"id{chr(code)}x", single_line=True)
        assert chr(code) not in shown, hex(code)
        assert shown.startswith("id\\") and shown.endswith("x")
        shown.encode("utf-8")  # a lone surrogate can no longer stop the CLI's output
    assert clean("日本 ❤ ✔") == "日本 ❤ ✔"  # ordinary text stays as it is


def test_the_cli_json_escapes_what_the_screen_escapes_and_reads_back_exactly() -> None:
    value = {"id": "".join(f"a{chr(code)}" for code in INVISIBLE) + "\x9b"}
    text = dumps(value)
    assert all(chr(code) not in text for code in INVISIBLE)
    text.encode("utf-8")
    assert json.loads(text) == value
