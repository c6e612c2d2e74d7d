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
from array import array
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, SupportsIndex, TypeVar, overload

from pydantic import TypeAdapter, ValidationError

from reducto_tui.api.client import MAX_INT_DIGITS
from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.models import FullResult, JobDetail, LenientInt, ParseBlock, ParseChunk

T = TypeVar("T")

#: Most characters one call of the C decoder reads (about a millisecond of work).
PIECE = 128 * 1024
#: The first try at a container: most are smaller.
SMALL_PIECE = 8 * 1024
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
    if at < len(text) and text[at] in "{[" and len(text) - at > SMALL_PIECE:
        # A small piece first: most containers are a few KB, and copying PIECE characters
        # for each of 20,000 of them costs more than decoding them.
        for size in (SMALL_PIECE, PIECE):
            piece = text[at : at + size]
            try:
                value, used = _DECODER.raw_decode(piece)
            except (ValueError, RecursionError):
                continue  # bigger than the piece (or deeper than the C decoder goes)
            return value, at + used  # a container read whole: its closing bracket was in it
        return _object(text, at) if text[at] == "{" else _array(text, at)
    value, end = _DECODER.raw_decode(text, at)
    return value, end


#: Reads the value of one member of an object: (its key, where it starts) -> (value, end).
Member = Callable[[str, int], tuple[Any, int]]


def _object(text: str, at: int, member: Member | None = None) -> tuple[dict[str, Any], int]:
    """The object at ``at``; each value is read by ``member`` (by default as any value)."""
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
        start = _skip(text, at + 1)
        out[key], at = _value(text, start) if member is None else member(key, start)
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
    itself (for counting): a list, or :class:`Spans` (items still undecoded in the body).
    Over a list, the list underneath holds the JSON too, so pydantic's serializer and
    ``json.dumps``, which read it directly, write the items exactly as received; over spans
    it is empty, and :func:`raw_items` gives the items to whoever writes them out.
    """

    def __init__(self, raw: Sequence[Any], make: Callable[[Any], T]) -> None:
        super().__init__(raw if isinstance(raw, list) else ())
        self.raw = raw
        self._make = make

    def __len__(self) -> int:
        return len(self.raw)

    def __bool__(self) -> bool:
        return len(self.raw) > 0

    @overload
    def __getitem__(self, index: SupportsIndex) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._make(item) for item in self.raw[index]]
        return self._make(self.raw[index.__index__()])

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


def raw_items(items: list[Any]) -> list[Any] | None:
    """The JSON of a :class:`LazyList` held as spans (decoded now, for an export), else None."""
    if isinstance(items, LazyList) and isinstance(items.raw, Spans):
        return list(items.raw)
    return None


def block_count(chunks: list[ParseChunk]) -> int:
    """Blocks in all ``chunks``, without validating any that are still JSON."""
    if isinstance(chunks, LazyList) and isinstance(chunks.raw, Spans):
        return sum(chunks.raw.blocks)
    if isinstance(chunks, LazyList):
        return sum(
            len(c["blocks"]) if isinstance(c, dict) and isinstance(c.get("blocks"), list) else 0
            for c in chunks.raw
        )
    return sum(len(c.blocks) for c in chunks)


#: A page number read as the model reads one (``BoundingBox.page``).
_PAGE: TypeAdapter[int | None] = TypeAdapter(LenientInt)


def block_pages(blocks: list[ParseBlock]) -> set[int]:
    """The pages ``blocks`` sit on, read from their JSON when they are still JSON."""
    if isinstance(blocks, LazyList):
        pages = set()
        for raw in blocks.raw:
            bbox = raw.get("bbox") if isinstance(raw, dict) else None
            page = bbox.get("page") if isinstance(bbox, dict) else None
            if isinstance(page, int) and not isinstance(page, bool):
                pages.add(page)
            elif page is not None:
                # "3" or 3.0 is page 3 to the model (a LenientInt), so it is here too.
                number = _PAGE.validate_python(page)
                if number is not None:
                    pages.add(number)
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


# --------------------------------------------------------------------------- spans

Path = tuple[str, ...]
#: Where a parse result's chunks sit in a job, and in a downloaded result.
JOB_CHUNKS: Path = ("result", "result", "chunks")
JOB_RESULT: Path = ("result", "result")
DOWNLOAD_CHUNKS: tuple[Path, ...] = (("chunks",), ("result", "chunks"))
#: A downloaded parse result may come wrapped as ``{"result": {"chunks": …}}``.
DOWNLOAD_RESULT: Path = ("result",)
#: An item bigger than this is decoded once and kept: decoding it again each time it is
#: shown would hold the GIL too long.
KEEP_DECODED = 256 * 1024


@dataclass(eq=False)
class Spans(Sequence[Any]):
    """The items of one JSON array, kept as where they sit in the body (bytes) and decoded
    each time one is read: 20,000 blocks as dicts take ~3x the body, as offsets ~0."""

    body: bytes
    starts: array[int] = field(default_factory=lambda: array("Q"))
    ends: array[int] = field(default_factory=lambda: array("Q"))
    #: Each item's number of ``blocks`` (0 when it has none), counted while indexing.
    blocks: array[int] = field(default_factory=lambda: array("Q"))
    kept: dict[int, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if index in self.kept:
            return self.kept[index]
        piece = self.body[self.starts[index] : self.ends[index]].decode("utf-8")
        return _DECODER.decode(piece)

    def __iter__(self) -> Iterator[Any]:
        return (self[n] for n in range(len(self)))


@dataclass(eq=False)
class Indexed:
    """A body decoded except for one array (``spans``), and where chosen values sit in it."""

    body: bytes
    value: Any
    spans: Spans | None = None
    #: Where ``spans`` was found.
    spans_at: Path | None = None
    #: Byte offsets (start, end) of the values at the paths asked for.
    places: dict[Path, tuple[int, int]] = field(default_factory=dict)


class _Indexer:
    def __init__(self, text: str, lazy: Collection[Path], record: Collection[Path]) -> None:
        self.text = text
        self.lazy = lazy
        self.record = record
        self.inside = {p[:n] for p in (*lazy, *record) for n in range(len(p))}
        self.places: dict[Path, tuple[int, int]] = {}
        self.items: tuple[list[int], list[int], list[int], dict[int, Any]] | None = None
        self.items_at: Path | None = None

    def value(self, at: int, path: Path) -> tuple[Any, int]:
        text = self.text
        if path in self.lazy and self.items is None and text[at : at + 1] == "[":
            value: Any
            self.items_at = path
            value, end = [], self.array(at)
        elif path in self.inside and text[at : at + 1] == "{":
            value, end = self.object(at, path)
        else:
            value, end = _value(text, at)
        if path in self.record:
            self.places[path] = (at, end)
        return value, end

    def object(self, at: int, path: Path) -> tuple[dict[str, Any], int]:
        return _object(self.text, at, lambda key, start: self.value(start, (*path, key)))

    def array(self, at: int) -> int:
        """Note where each item starts and ends; keep only the big ones decoded."""
        text = self.text
        starts: list[int] = []
        ends: list[int] = []
        blocks: list[int] = []
        kept: dict[int, Any] = {}
        self.items = (starts, ends, blocks, kept)
        at = _skip(text, at + 1)
        if text[at] == "]":
            return at + 1
        while True:
            start = at
            item, at = _value(text, at)
            inner = item.get("blocks") if isinstance(item, dict) else None
            blocks.append(len(inner) if isinstance(inner, list) else 0)
            if at - start > KEEP_DECODED:
                kept[len(starts)] = item
            starts.append(start)
            ends.append(at)
            del item, inner
            at = _skip(text, at)
            if text[at] == "]":
                return at + 1
            if text[at] != ",":
                raise ValueError(f"expected ',' or ']' at {at}")
            at = _skip(text, at + 1)


def _byte_offsets(text: str, offsets: list[int]) -> dict[int, int]:
    """Character offsets of ``text`` as offsets in its UTF-8 encoding."""
    if text.isascii():
        return {n: n for n in offsets}
    out: dict[int, int] = {}
    last = position = 0
    for offset in sorted(set(offsets)):
        position += len(text[last:offset].encode("utf-8"))
        out[offset] = position
        last = offset
    return out


def index_body(
    body: bytes,
    lazy: Collection[Path],
    record: Collection[Path] = (),
    what: str = "The server's answer",
) -> Indexed:
    """:func:`decode_in_pieces`, except that the first array found at one of the ``lazy``
    paths is not decoded into the value (it is left ``[]``): its items become
    :class:`Spans` of ``body``. Where the values at the ``record`` paths sit is noted."""
    try:
        text = body.decode("utf-8")
        walker = _Indexer(text, lazy, record)
        value, end = walker.value(_skip(text, 0), ())
        if _skip(text, end) != len(text):
            raise ValueError("extra data after the JSON value")
    except RecursionError as exc:
        raise BadResponseError(f"{what} is JSON nested too deeply to read.") from exc
    except (ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
        raise BadResponseError(
            f"{what} is not valid JSON.",
            hint="Check REDUCTO_BASE_URL points at the Reducto API.",
        ) from exc
    found = [n for pair in walker.places.values() for n in pair]
    starts, ends, blocks, kept = walker.items or ([], [], [], {})
    where = _byte_offsets(text, [*starts, *ends, *found])
    spans = None
    if walker.items is not None:
        spans = Spans(
            body,
            array("Q", (where[n] for n in starts)),
            array("Q", (where[n] for n in ends)),
            array("Q", blocks),
            kept,
        )
    places = {path: (where[a], where[b]) for path, (a, b) in walker.places.items()}
    return Indexed(body, value, spans, walker.items_at, places)


def _attach(full: Any, indexed: Indexed, path: Path) -> bool:
    """Give ``full`` the noted chunks, when they are its chunks (found at ``path``)."""
    if not isinstance(full, FullResult) or indexed.spans is None or indexed.spans_at != path:
        return False
    full.chunks = LazyList(indexed.spans, make_chunk)
    return True


def _put_back(indexed: Indexed) -> None:
    """Decode the noted array into the value after all (it was not what it looked like)."""
    if indexed.spans is None or indexed.spans_at is None:
        return
    *parents, last = indexed.spans_at
    node = indexed.value
    for key in parents:
        node = node[key]
    node[last] = list(indexed.spans)
    indexed.spans = indexed.spans_at = None


def read_job_body(body: bytes) -> tuple[JobDetail, Indexed]:
    """:func:`read_job` straight from the body: a parse result's chunks are never decoded
    all at once, only noted (:class:`Spans`) and read one by one when shown."""
    indexed = index_body(body, (JOB_CHUNKS,), (JOB_RESULT,))
    detail = read_job(indexed.value)
    if indexed.spans is not None and not _attach(
        getattr(detail.result, "result", None), indexed, JOB_CHUNKS
    ):
        _put_back(indexed)
        detail = read_job(indexed.value)
    return detail, indexed


def read_full_body(body: bytes) -> tuple[FullResult, Indexed]:
    """A downloaded parse result (``{"chunks": …}`` or ``{"result": {"chunks": …}}``) with its
    chunks left in the body until read. Raises pydantic's ValidationError for another shape."""
    indexed = index_body(body, DOWNLOAD_CHUNKS, (DOWNLOAD_RESULT,), "The downloaded result")
    data = indexed.value
    nested = isinstance(data, dict) and "chunks" not in data and "result" in data
    inner = data["result"] if nested else data
    if not nested:
        indexed.places.pop(DOWNLOAD_RESULT, None)  # the whole download is the result
    full = read_full(inner)
    if indexed.spans is not None and not _attach(full, indexed, DOWNLOAD_CHUNKS[nested]):
        _put_back(indexed)
        full = read_full(inner)
    return full, indexed
