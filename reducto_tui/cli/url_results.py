"""Results too large for a response body arrive as a link: download them (capped, with a
deadline) and put them where the inline result would be, so exports see one shape."""

from __future__ import annotations

import asyncio
from typing import Any

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import (
    ExtractResponse,
    FullResult,
    JobDetail,
    ParseResponse,
    PipelineResponse,
    SplitResponse,
    UrlResult,
    V3ExtractResponse,
)


async def _fetch(client: ReductoClient, link: UrlResult) -> Any:
    # The client caps the size (max_result_mb) and the time (download_deadline).
    return await client.fetch_url_result(link.url)


def _full(data: Any) -> FullResult:
    inner = data.get("result", data) if isinstance(data, dict) and "chunks" not in data else data
    return FullResult.model_validate(inner)


async def _parse(client: ReductoClient, parse: ParseResponse) -> None:
    if isinstance(parse.result, UrlResult):
        parse.result = await asyncio.to_thread(_full, await _fetch(client, parse.result))


def _is_link(value: Any) -> bool:
    return (
        isinstance(value, dict) and value.get("type") == "url" and isinstance(value.get("url"), str)
    )


async def inline_url_results(client: ReductoClient, detail: JobDetail) -> JobDetail:
    """``detail`` with every URL result (parse, extract, split, pipeline parse) downloaded."""
    result = detail.result
    if isinstance(result, ParseResponse):
        await _parse(client, result)
    elif isinstance(result, ExtractResponse) and isinstance(result.result, UrlResult):
        data = await _fetch(client, result.result)
        result.result = data if isinstance(data, list) else [data]
    elif isinstance(result, V3ExtractResponse) and _is_link(result.result):
        result.result = await _fetch(client, UrlResult.model_validate(result.result))
    elif isinstance(result, SplitResponse) and isinstance(result.result, UrlResult):
        data = await _fetch(client, result.result)
        detail.result = SplitResponse.model_validate({**result.model_dump(), "result": data})
    elif isinstance(result, PipelineResponse):
        parses = result.result.parse
        for parse in parses if isinstance(parses, list) else [parses] if parses else []:
            await _parse(client, parse)
    return detail
