"""What reading a job or a download in pieces says when the JSON is bad, and how odd
chunks, blocks and arrays read (the messages are what the detail view and the CLI show)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.lazy import (
    LazyList,
    block_count,
    decode_in_pieces,
    index_body,
    make_block,
    make_chunk,
    read_full_body,
    read_job,
)

HINT = "Check REDUCTO_BASE_URL points at the Reducto API."
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("read", "what"),
    [
        (decode_in_pieces, "The server's answer"),
        (lambda body: index_body(body, ()), "The server's answer"),
        (read_full_body, "The downloaded result"),
    ],
    ids=["pieces", "indexed", "download"],
)
def test_bad_json_is_named_with_a_hint(read: Callable[[bytes], object], what: str) -> None:
    for body in (b'{"chunks": [1, 2', b'{"a": 1} and more', b"\xff"):
        with pytest.raises(BadResponseError) as err:
            read(body)
        assert (err.value.message, err.value.hint) == (f"{what} is not valid JSON.", HINT)
    with pytest.raises(BadResponseError) as err:
        read(DEEP)
    assert err.value.message == f"{what} is JSON nested too deeply to read."


def test_a_job_that_is_not_an_object_says_so() -> None:
    with pytest.raises(BadResponseError) as err:
        read_job([1, 2, 3])
    assert err.value.message == "The server's answer does not look like a job (not an object)."


def test_unreadable_chunks_and_blocks_say_where_and_why() -> None:
    assert make_chunk(["not", "an", "object"]).content == "[unreadable chunk: not an object]"
    odd = make_chunk({"content": "kept", "enrichment_success": [1], "blocks": [{}]})
    assert odd.content == "[unreadable chunk: enrichment_success: Input should be a valid boolean]"
    assert len(odd.blocks) == 1
    block = make_block({"content": "x", "chart_data": [1]})
    assert block.type == "unknown"
    assert block.content == "[unreadable block: chart_data.0: Input should be a valid string]"
    whole = make_block("just text")
    assert whole.content == (
        "[unreadable block: Input should be a valid dictionary or instance of ParseBlock]"
    )


def test_a_bad_block_does_not_spoil_its_chunk() -> None:
    chunk = make_chunk({"content": "hello", "blocks": [{"chart_data": [1]}, {"content": "b"}]})
    assert chunk.content == "hello"
    assert [b.content for b in chunk.blocks] == [
        "[unreadable block: chart_data.0: Input should be a valid string]",
        "b",
    ]
    assert make_chunk({"content": "no blocks", "blocks": "oops"}).blocks == []
    assert len(make_chunk({"content": "none"}).blocks) == 0


def test_a_lazy_list_is_true_when_it_has_items_and_slices_as_models() -> None:
    assert not LazyList([], make_block)
    assert LazyList([{"content": "a"}], make_block)
    sliced = LazyList([{"content": "a"}, {"content": "b"}], make_block)[0:1]
    assert [b.content for b in sliced] == ["a"]


def test_noted_arrays_read_back_item_by_item() -> None:
    body = '{"title": "é ünïcode", "chunks":[10,20,{"blocks":[1,2]}], "after": true}'.encode()
    indexed = index_body(body, [("chunks",)])
    spans = indexed.spans
    assert spans is not None and indexed.value == {
        "title": "é ünïcode",
        "chunks": [],
        "after": True,
    }
    assert list(spans) == [10, 20, {"blocks": [1, 2]}]
    assert (spans[-1], spans[-3], spans[0:2]) == ({"blocks": [1, 2]}, 10, [10, 20])
    assert list(spans.blocks) == [0, 0, 2]
    empty = index_body(b'{"chunks": [], "n": 1}', [("chunks",)])
    assert (
        empty.spans is not None and len(empty.spans) == 0 and empty.value == {"chunks": [], "n": 1}
    )
    odd = index_body(b'{"chunks": 5}', [("chunks",)])
    assert odd.spans is None and odd.spans_at is None and odd.value == {"chunks": 5}
    around = index_body(b'{"result": {}, "n": 1}', [("result", "chunks")])
    assert around.value == {"result": {}, "n": 1} and around.spans is None


def test_an_item_too_big_to_decode_each_time_reads_the_same() -> None:
    big = {"content": "x" * 300_000, "blocks": [{}]}
    body = json.dumps({"chunks": [big, {"content": "small"}]}).encode()
    spans = index_body(body, [("chunks",)]).spans
    assert spans is not None and list(spans) == [big, {"content": "small"}]
    assert spans[0] == big and list(spans.blocks) == [1, 0]


def test_blocks_are_counted_only_where_chunks_have_them() -> None:
    chunks = [{"content": "a"}, {"blocks": [{}, {}]}, {"blocks": "x"}, "odd"]
    full, _ = read_full_body(json.dumps({"chunks": chunks}).encode())
    assert block_count(full.chunks) == 2
    assert block_count(LazyList(chunks, make_chunk)) == 2
    assert block_count([make_chunk(c) for c in chunks[:2]]) == 2


def test_a_wrapped_download_keeps_the_fields_beside_its_chunks() -> None:
    inner = {"type": "full", "custom": {"k": 1}, "chunks": [{"content": "a"}]}
    full, indexed = read_full_body(json.dumps({"result": inner}).encode())
    assert full.custom == {"k": 1} and [c.content for c in full.chunks] == ["a"]
    assert indexed.spans_at == ("result", "chunks")
    plain, _ = read_full_body(json.dumps({"chunks": [{"content": "b"}], "result": 3}).encode())
    assert [c.content for c in plain.chunks] == ["b"]
