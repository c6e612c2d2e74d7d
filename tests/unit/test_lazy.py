"""Reading big jobs in pieces: the same values as json.loads, never one long C call, and
chunks validated only when read, with the same exports as a fully validated job."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from reducto_tui.api import lazy
from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.lazy import LazyList, block_count, decode_in_pieces, read_job
from reducto_tui.api.models import FullResult, JobDetail, ParseResponse
from reducto_tui.api.url_results import links, read_download
from reducto_tui.demo import payloads
from reducto_tui.export import BLOCKS_CSV, CHUNKS_MD, JOB_JSON, render_job


def parse_job(pages: int = 400) -> dict[str, Any]:
    rng = random.Random(3)
    result = payloads.parse_result(rng, "big", pages=pages, blocks_per_page=10, blocks_per_chunk=10)
    return {"status": "Completed", "type": "Parse", "result": result}


SHAPES: list[Any] = [
    parse_job(),
    [{"a": [1, 2.5, -3e5], "b": 'x"y\\u00e9\n\u202e', "c": None, "d": True}] * 40_000,
    list(range(200_000)),  # numbers cut at every piece edge
    {"deep": {"er": {"est": [[{"k": "v" * 1000}] * 50] * 20}}, "empty": {}, "none": []},
]


@pytest.mark.parametrize("value", SHAPES, ids=["parse", "objects", "numbers", "nested"])
@pytest.mark.parametrize("indent", [None, 2])
def test_pieces_decode_to_what_json_loads_gives(value: Any, indent: int | None) -> None:
    body = json.dumps(value, indent=indent).encode()
    assert len(body) > lazy.PIECE, "the body must be big enough to be read in pieces"
    same = decode_in_pieces(body) == json.loads(body)
    assert same


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(SHAPES[1], separators=(",", ":")),  # compact: nothing after ':' and ','
        json.dumps(SHAPES[0], separators=(",", ":")),
        "{" + " " * (lazy.PIECE + 10) + "}",  # padded: an empty object bigger than a piece
        "[" + " " * (lazy.PIECE + 10) + "]",
        '{"a":' + " " * lazy.PIECE + '{"b":[]} , "c" :\n1}',
    ],
    ids=["compact-objects", "compact-parse", "padded-object", "padded-array", "padded-keys"],
)
def test_compact_or_padded_json_reads_as_json_loads_does(text: str) -> None:
    assert decode_in_pieces(text) == json.loads(text)


def test_no_single_decoder_call_reads_more_than_a_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    spans: list[int] = []

    class Recording(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
            value, end = super().raw_decode(s, idx)
            spans.append(end - idx)
            return value, end

    monkeypatch.setattr(lazy, "_DECODER", Recording())
    body = json.dumps(parse_job(pages=2000)).encode()  # ~10 MB, 20,000 blocks
    assert len(body) > 50 * lazy.PIECE
    decode_in_pieces(body)
    assert spans and max(spans) <= lazy.PIECE


@pytest.mark.parametrize(
    "body", [b"{", b"[1, 2", b'{"a": 1} trailing', b"\xff\xfe", b"[" * 50_000 + b"]" * 50_000]
)
def test_bad_bodies_are_a_clear_error(body: bytes) -> None:
    with pytest.raises(BadResponseError):
        decode_in_pieces(body + b" " * lazy.PIECE)


def test_chunks_stay_json_until_read_and_export_the_same() -> None:
    data = parse_job()
    data["result"]["result"]["chunks"][1]["blocks"][0] = {"bbox": "not a box", "type": 7}
    detail = read_job(data)
    assert isinstance(detail.result, ParseResponse)
    full = detail.result.result
    assert isinstance(full, FullResult) and isinstance(full.chunks, LazyList)
    assert len(full.chunks) == len(data["result"]["result"]["chunks"])
    assert block_count(full.chunks) == sum(len(c["blocks"]) for c in full.chunks.raw)
    bad = full.chunks[1].blocks[0]  # one unreadable block degrades, the rest still read
    assert bad.type == "unknown" and "unreadable block" in (bad.content or "")
    assert full.chunks[2].blocks[0].content

    del data["result"]["result"]["chunks"][1]  # the fully validated model would reject it
    lazy_detail, eager = read_job(data), JobDetail.model_validate(data)
    for fmt in (CHUNKS_MD, BLOCKS_CSV):
        same = render_job(fmt, lazy_detail, "j") == render_job(fmt, eager, "j")
        assert same, fmt.label  # (not the texts: pytest would diff megabytes)
    as_read = json.loads(render_job(JOB_JSON, lazy_detail, "j"))  # keys in the order received
    same = as_read == json.loads(render_job(JOB_JSON, eager, "j"))
    assert same


def test_a_job_that_is_not_an_object_is_a_clear_error() -> None:
    with pytest.raises(BadResponseError):
        read_job([1, 2, 3])


def test_a_job_read_from_its_body_notes_chunks_and_exports_the_same() -> None:
    data = parse_job()
    data["job_id"] = "é-job"  # a non-ASCII body: byte offsets differ from characters
    body = json.dumps(data, ensure_ascii=False).encode()
    detail, indexed = lazy.read_job_body(body)
    assert isinstance(detail.result, ParseResponse)
    full = detail.result.result
    assert isinstance(full, FullResult) and isinstance(full.chunks, LazyList)
    assert isinstance(indexed.spans, lazy.Spans)
    assert list(indexed.spans) == data["result"]["result"]["chunks"]
    assert block_count(full.chunks) == sum(len(c["blocks"]) for c in indexed.spans)
    start, end = indexed.places[lazy.JOB_RESULT]
    assert json.loads(body[start:end]) == data["result"]["result"]
    eager = JobDetail.model_validate(data)
    for fmt in (CHUNKS_MD, BLOCKS_CSV):
        same = render_job(fmt, detail, "j") == render_job(fmt, eager, "j")
        assert same, fmt.label
    as_read = json.loads(render_job(JOB_JSON, detail, "j"))  # chunks included, as received
    same = as_read == json.loads(render_job(JOB_JSON, eager, "j"))
    assert same and as_read["result"]["result"]["chunks"]


def test_a_body_that_is_not_a_parse_result_keeps_its_chunks() -> None:
    # A "chunks" list where a parse result's would be, in a result of another kind.
    data = {"status": "Completed", "result": {"response_type": "other", "result": {"chunks": [1]}}}
    detail, indexed = lazy.read_job_body(json.dumps(data).encode())
    assert indexed.spans is None and indexed.value == data


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_downloaded_result_is_read_with_its_chunks_noted(wrapped: bool) -> None:
    inner = parse_job(pages=40)["result"]["result"]
    body = json.dumps({"result": inner} if wrapped else inner).encode()
    full, indexed = lazy.read_full_body(body)
    assert isinstance(full.chunks, LazyList) and len(full.chunks) == len(inner["chunks"])
    assert full.chunks[3].content == inner["chunks"][3]["content"]
    place = indexed.places.get(lazy.DOWNLOAD_RESULT)
    assert (place is not None) == wrapped
    if place is not None:
        assert json.loads(body[place[0] : place[1]]) == inner


LINK = {"type": "url", "url": "https://bucket.example/r?sig=1", "result_id": "r"}


@pytest.mark.parametrize(
    "result",
    [
        {"response_type": "parse", "result": LINK},
        {"response_type": "pipeline", "result": {"parse": [{"result": LINK}, {"result": LINK}]}},
    ],
    ids=["parse", "pipeline"],
)
def test_a_download_put_in_place_exports_every_chunk_as_received(result: dict[str, Any]) -> None:
    inner = parse_job(pages=40)["result"]["result"]
    detail = JobDetail.model_validate({"status": "Completed", "result": result})
    found = links(detail)
    assert len(found) == (2 if result["response_type"] == "pipeline" else 1)
    for link in found:
        link.put(read_download(json.dumps({"result": inner}).encode(), link.kind).value)
    written = json.loads(render_job(JOB_JSON, detail, "j"))["result"]["result"]
    parses = written.get("parse", [{"result": written}])
    assert [parse["result"]["chunks"] for parse in parses] == [inner["chunks"]] * len(found)
    assert render_job(CHUNKS_MD, detail, "j").count("## Chunk") >= len(inner["chunks"])


def test_a_downloaded_full_result_reads_like_a_validated_one() -> None:
    """A URL result's body (the detail fetches it, then reads it with read_full)."""
    body = parse_job(pages=6)["result"]["result"]
    body["chunks"][0]["blocks"][0]["bbox"]["page"] = 5
    full = lazy.read_full(body)
    eager = FullResult.model_validate(body)
    assert isinstance(full.chunks, LazyList) and len(full.chunks) == len(eager.chunks)
    assert [c.content for c in full.chunks] == [c.content for c in eager.chunks]
    assert full.type == eager.type and full.ocr == eager.ocr
    pages = {b.bbox.page for b in eager.chunks[0].blocks if b.bbox.page is not None}
    assert 5 in pages and lazy.block_pages(full.chunks[0].blocks) == pages
    assert block_count(full.chunks) == sum(len(c.blocks) for c in eager.chunks)
    # A chunk that cannot be read does not stop the others: it degrades when shown.
    body["chunks"][1] = {"blocks": "not a list", "content": 7}
    tolerant = lazy.read_full(body)
    assert len(tolerant.chunks) == len(eager.chunks)
    assert tolerant.chunks[2].content == eager.chunks[2].content
    # Without a chunk list there is nothing to keep as JSON: validated as it is.
    empty = lazy.read_full({"type": "full"})
    assert empty.chunks == [] and not isinstance(empty.chunks, LazyList)


def test_the_pages_of_a_chunk_are_read_from_its_blocks_json() -> None:
    """The tree's chunk label names the pages its blocks are on, without validating them."""
    raw = [
        {"bbox": {"page": 2, "left": 0}},
        {"bbox": {"page": 7}},
        {"bbox": {"page": 2}},
        {"bbox": {"page": True}},  # a bool is not a page
        {"bbox": {"page": "3"}},  # a number sent as a string is (as the model reads it)
        {"bbox": {"page": "three"}},
        {"bbox": {"page": [4]}},
        {"bbox": "not a box"},
        {"type": "Text"},
        "not a block",
    ]
    blocks = LazyList(raw, lazy.make_block)
    assert lazy.block_pages(blocks) == {2, 3, 7}
    assert lazy.block_pages(LazyList([], lazy.make_block)) == set()
    # Blocks already read: the same answer from the models; a block without a page adds none.
    assert lazy.block_pages(list(blocks)) == {2, 3, 7}
