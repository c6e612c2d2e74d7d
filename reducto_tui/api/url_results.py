"""Results too large for a response body arrive as a link: one way to download them (capped
and with a deadline by the client, read in bounded pieces in a thread, a parse result's
chunks left in the body until read) and to put them where the inline result would be, so
the detail pane, exports and the CLI see one shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reducto_tui.api.client import Progress, ReductoClient
from reducto_tui.api.lazy import DOWNLOAD_RESULT, decode_in_pieces, read_full_body
from reducto_tui.api.models import (
    ExtractResponse,
    JobDetail,
    ParseResponse,
    PipelineResponse,
    SplitResponse,
    UrlResult,
    V3ExtractResponse,
)


@dataclass(eq=False)
class Link:
    """A URL result in a job, and how its download takes its place."""

    link: UrlResult
    kind: str  # parse | extract | split
    put: Callable[[Any], None]


@dataclass(eq=False)
class Downloaded:
    #: What goes where the link was: a FullResult for a parse, else the JSON.
    value: Any
    #: That value's JSON text as received (a view into the download: no copy).
    text: bytes | memoryview


def read_download(raw: bytes, kind: str) -> Downloaded:
    """A downloaded result, read (run it in a thread). A parse result that is not one raises
    pydantic's ValidationError; text that is not JSON, BadResponseError."""
    if kind == "parse":
        full, indexed = read_full_body(raw)
        place = indexed.places.get(DOWNLOAD_RESULT)
        return Downloaded(full, memoryview(raw)[place[0] : place[1]] if place else raw)
    return Downloaded(decode_in_pieces(raw, "The downloaded result"), raw)


async def download(
    client: ReductoClient, link: UrlResult, kind: str, progress: Progress | None = None
) -> Downloaded:
    raw = await client.fetch_url_result_raw(link.url, progress=progress)
    return await asyncio.to_thread(read_download, raw, kind)


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, dict) and value.get("type") == "url" and isinstance(value.get("url"), str)
    )


def _parse_link(parse: ParseResponse) -> list[Link]:
    if not isinstance(parse.result, UrlResult):
        return []

    def put(value: Any) -> None:
        parse.result = value

    return [Link(parse.result, "parse", put)]


def links(detail: JobDetail) -> list[Link]:
    """Every URL result in ``detail`` (parse, extract, v3 extract, split, pipeline parses)."""
    result = detail.result
    if isinstance(result, ParseResponse):
        return _parse_link(result)
    if isinstance(result, ExtractResponse) and isinstance(result.result, UrlResult):
        extract = result

        def put_records(value: Any) -> None:
            extract.result = value if isinstance(value, list) else [value]

        return [Link(result.result, "extract", put_records)]
    if isinstance(result, V3ExtractResponse) and _is_link(result.result):
        v3 = result

        def put_value(value: Any) -> None:
            v3.result = value

        return [Link(UrlResult.model_validate(result.result), "extract", put_value)]
    if isinstance(result, SplitResponse) and isinstance(result.result, UrlResult):
        split = result

        def put_split(value: Any) -> None:
            # Validated whole: a split's result decides how the rest reads.
            detail.result = SplitResponse.model_validate({**split.model_dump(), "result": value})

        return [Link(result.result, "split", put_split)]
    if isinstance(result, PipelineResponse):
        parses = result.result.parse
        return [
            link
            for parse in (parses if isinstance(parses, list) else [parses] if parses else [])
            for link in _parse_link(parse)
        ]
    return []


def link_in(detail: JobDetail, link: UrlResult) -> Link | None:
    """Where ``link`` (as found in ``detail``) sits in it."""
    return next((found for found in links(detail) if found.link is link), None)


async def inline_url_results(client: ReductoClient, detail: JobDetail) -> JobDetail:
    """``detail`` with every URL result downloaded into its place."""
    for found in links(detail):
        found.put((await download(client, found.link, found.kind)).value)
    return detail
