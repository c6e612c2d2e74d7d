"""Reading a big job without freezing the caller: decode in pieces, validate chunks when read.

``json.loads`` of a 10 MB result holds the GIL for 100-300 ms and validating its 20,000
blocks with pydantic for over a second, so a UI thread waiting on either stalls. Here the
C decoder reads the body a container at a time (each call bounded by :data:`PIECE`
characters, so other threads run between calls), and a parse result's chunks and blocks
stay plain JSON until someone reads them: :class:`LazyList` validates an item when it is
accessed and keeps nothing, so memory stays near the size of the decoded JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, SupportsIndex, TypeVar, overload

from pydantic import ValidationError

from reducto_tui.api.client import MAX_INT_DIGITS
from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.models import FullResult, JobDetail, ParseBlock, ParseChunk

T = TypeVar("T")

#: Most characters one call of the C decoder reads (about a millisecond of work).
PIECE = 128 * 1024
_SPACE = re.compile(r"[ \t\n\r]*")


def _lenient_int(digits: str) -> int | None:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else None


_DECODER = json.JSONDecoder(parse_int=_lenient_int)


def decode_in_pieces(body: bytes | str, what: str = "The server's answer") -> Any:
    """``json.loads(body)``, read so that no single C call spans more than ~``PIECE``
    characters of containers (a single huge string is still one call). Run it in a thread."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        value, end = _value(text, _skip(text, 0))
        if _skip(text, end) != len(text):
            raise ValueError("extra data after the JSON value")
    except RecursionError as exc:
        raise BadResponseError(f"{what} is JSON nested too deeply to read.") from exc
    except (ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadResponseError(
            f"{what} is not valid JSON.",
            hint="Check REDUCTO_BASE_URL points at the Reducto API.",
        ) from exc
    return value


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _value(text: str, at: int) -> tuple[Any, int]:
    if at < len(text) and text[at] in "{[" and len(text) - at > PIECE:
        piece = text[at : at + PIECE]
        try:
            value, used = _DECODER.raw_decode(piece)
        except (ValueError, RecursionError):
            pass  # bigger than a piece (or deeper than the C decoder goes): open it up
        else:
            if used < len(piece):  # wholly inside the piece, not cut at its edge
                return value, at + used
        return _object(text, at) if text[at] == "{" else _array(text, at)
    value, end = _DECODER.raw_decode(text, at)
    return value, end


def _object(text: str, at: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text[at] == "}":
        return out, at + 1
    while True:
        if text[at] != '"':
            raise ValueError(f"expected a key at {at}")
        key, at = scanstring(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            raise ValueError(f"expected ':' at {at}")
        out[key], at = _value(text, _skip(text, at + 1))
        at = _skip(text, at)
        if text[at] == "}":
            return out, at + 1
        if text[at] != ",":
            raise ValueError(f"expected ',' or '}}' at {at}")
        at = _skip(text, at + 1)


def _array(text: str, at: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return out, at + 1
    while True:
        item, at = _value(text, at)
        out.append(item)
        at = _skip(text, at)
        if text[at] == "]":
            return out, at + 1
        if text[at] != ",":
            raise ValueError(f"expected ',' or ']' at {at}")
        at = _skip(text, at + 1)


# --------------------------------------------------------------------------- lazy models


class LazyList(list[T]):
    """A list of models kept as their JSON; an item is validated each time it is read.

    ``len`` costs nothing extra; iterating validates item by item. ``raw`` is the JSON
    itself (for counting). The list underneath holds the JSON too, so pydantic's serializer
    and ``json.dumps``, which read it directly, write the items exactly as received.
    """

    def __init__(self, raw: list[Any], make: Callable[[Any], T]) -> None:
        super().__init__(raw)
        self.raw = raw
        self._make = make

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._make(item) for item in self.raw[index]]
        return self._make(self.raw[index])

    def __iter__(self) -> Iterator[T]:
        return (self._make(item) for item in self.raw)

    def __repr__(self) -> str:
        return f"LazyList({len(self.raw)} items)"


def make_block(raw: Any) -> ParseBlock:
    try:
        return ParseBlock.model_validate(raw)
    except ValidationError as exc:
        return ParseBlock(type="unknown", content=f"[unreadable block: {_first(exc)}]")


def make_chunk(raw: Any) -> ParseChunk:
    """A chunk whose blocks are validated only when read (a chunk may hold a million)."""
    blocks = raw.get("blocks") if isinstance(raw, dict) else None
    if not isinstance(blocks, list):
        blocks = []
    try:
        chunk = ParseChunk.model_validate({**raw, "blocks": []})
    except (ValidationError, TypeError) as exc:
        detail = _first(exc) if isinstance(exc, ValidationError) else "not an object"
        chunk = ParseChunk(content=f"[unreadable chunk: {detail}]")
    chunk.blocks = LazyList(blocks, make_block)
    return chunk


def _first(exc: ValidationError) -> str:
    errors = exc.errors(include_input=False)
    if not errors:
        return "invalid"
    where = ".".join(str(part) for part in errors[0]["loc"])
    return f"{where}: {errors[0]['msg']}" if where else str(errors[0]["msg"])


def read_full(body: Any) -> FullResult:
    """A parse result's ``full`` body with its chunks left as JSON until read."""
    chunks = body.get("chunks") if isinstance(body, dict) else None
    if not isinstance(chunks, list):
        return FullResult.model_validate(body)
    full = FullResult.model_validate({**body, "chunks": []})
    full.chunks = LazyList(chunks, make_chunk)
    return full


def block_count(chunks: list[ParseChunk]) -> int:
    """Blocks in all ``chunks``, without validating any that are still JSON."""
    if isinstance(chunks, LazyList):
        return sum(
            len(c["blocks"]) if isinstance(c, dict) and isinstance(c.get("blocks"), list) else 0
            for c in chunks.raw
        )
    return sum(len(c.blocks) for c in chunks)


def block_pages(blocks: list[ParseBlock]) -> set[int]:
    """The pages ``blocks`` sit on, read from their JSON when they are still JSON."""
    if isinstance(blocks, LazyList):
        pages = set()
        for raw in blocks.raw:
            bbox = raw.get("bbox") if isinstance(raw, dict) else None
            page = bbox.get("page") if isinstance(bbox, dict) else None
            if isinstance(page, int) and not isinstance(page, bool):
                pages.add(page)
        return pages
    return {b.bbox.page for b in blocks if b.bbox.page is not None}


def read_job(data: Any) -> JobDetail:
    """A :class:`JobDetail` from decoded JSON, validating all of it except a parse result's
    chunks, which become a :class:`LazyList` (validated as they are read)."""
    if not isinstance(data, dict):
        raise BadResponseError("The server's answer does not look like a job (not an object).")
    result = data.get("result")
    body = result.get("result") if isinstance(result, dict) else None
    lazy = isinstance(body, dict) and isinstance(body.get("chunks"), list)
    shallow = data
    if lazy:
        assert isinstance(result, dict) and isinstance(body, dict)
        shallow = {**data, "result": {**result, "result": {**body, "chunks": []}}}
    try:
        detail = JobDetail.model_validate(shallow)
    except ValidationError as exc:
        raise BadResponseError(
            f"The server's answer does not look like a JobDetail: {_first(exc)}."
        ) from exc
    full = getattr(detail.result, "result", None)
    if lazy and isinstance(full, FullResult):
        assert isinstance(body, dict)
        full.chunks = LazyList(body["chunks"], make_chunk)
    return detail
