"""Raw JSON lines made from the text as received: the same lines ``json.dumps(indent=2)``
would print, indexed a piece at a time, found by search."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from reducto_tui.demo import payloads
from reducto_tui.render.json_lines import JsonLines

SHAPES: list[Any] = [
    {"a": [1, 2.5, {"b": [], "c": {}, "d": 'x,]}"y\\'}], "": None, "e": [[]], "f": {"g": [{}]}},
    [],
    {},
    "just a string, with [brackets]",
    [[[[1]]], [[]], {"k": [True, False, None]}],
    {"é": "accents é and — dashes", "ctl": "tab\there\nnewline"},
]


def all_lines(doc: bytes, step: int) -> list[str]:
    lines = JsonLines(doc)
    while not lines.done:
        lines.index(lines.indexed + step)
    return [lines.line(n) for n in range(lines.line_count)]


@pytest.mark.parametrize("value", SHAPES)
@pytest.mark.parametrize(
    "dump",
    [
        lambda v: json.dumps(v),
        lambda v: json.dumps(v, separators=(",", ":")),
        lambda v: json.dumps(v, indent=4),
        lambda v: json.dumps(v, indent="\t", ensure_ascii=False),
    ],
    ids=["default", "compact", "indent4", "tabs-utf8"],
)
@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_lines_are_what_pretty_printing_gives(value: Any, dump: Any, step: int) -> None:
    doc = dump(value).encode()
    want = json.dumps(value, indent=2, ensure_ascii=False).splitlines()
    assert all_lines(doc, step) == want


def test_a_parse_result_indexed_in_pieces_reads_like_the_pretty_text() -> None:
    rng = random.Random(5)
    job = {"result": payloads.parse_result(rng, "j", pages=40, blocks_per_page=10)}
    doc = json.dumps(job).encode()
    want = json.dumps(job, indent=2, ensure_ascii=False).splitlines()
    lines = JsonLines(doc)
    lines.index(4096)
    shown = lines.line_count
    assert 0 < shown < len(want) and not lines.done  # a first screenful, before the rest
    assert [lines.line(n) for n in range(shown)] == want[:shown]
    assert all_lines(doc, 64 * 1024) == want


def test_control_and_bidi_escapes_stay_escaped() -> None:
    # Shown as received; only printable characters are unescaped (and the view cleans them).
    doc = b'{"a": "\\u202e\\u0007\\u00e9\\ud83d\\ude00\\\\u00e9"}'
    assert all_lines(doc, 100)[1] == '  "a": "\\u202e\\u0007é\\ud83d\\ude00\\\\u00e9"'


def test_a_long_line_is_read_only_as_far_as_it_shows() -> None:
    doc = json.dumps({"big": "x" * 1_000_000}).encode()
    lines = JsonLines(doc)
    lines.index(len(doc))
    assert len(lines.line(1, limit=100)) < 1000
    assert lines.line(1, limit=100).startswith('  "big": "xxx')


def test_find_wraps_round_and_ignores_case() -> None:
    doc = json.dumps({"first": "Needle", "list": list(range(100)), "last": "needle"}).encode()
    lines = JsonLines(doc)
    lines.index(len(doc))
    first = lines.find("NEEDLE", None)
    assert first == 1
    last = lines.find("needle", first)
    assert last is not None and '"last"' in lines.line(last)
    assert lines.find("needle", last) == first
    assert lines.find("no such text", None) is None
