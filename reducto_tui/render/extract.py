"""Extract results: confidence and a flat list of citations (field -> where it came from)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import ExtractResponse, UrlResult, V3ExtractResponse
from reducto_tui.render.text import clean, safe_text


def extract_header(response: ExtractResponse | V3ExtractResponse) -> RenderableType:
    parts: list[RenderableType] = []
    if isinstance(response, V3ExtractResponse):
        if response.confidence:
            line = Text("Confidence: ", style="bold")
            line.append(clean(response.confidence, True))
            if response.confidence_reason:
                line.append(f" — {clean(response.confidence_reason)}")
            parts.append(line)
        return Group(*parts)
    if response.response_confidence:
        line = Text("Confidence: ", style="bold")
        pairs = response.response_confidence.items()
        line.append(", ".join(f"{clean(k, True)}: {clean(v, True)}" for k, v in pairs))
        parts.append(line)
    if isinstance(response.result, UrlResult):
        parts.append(Text("The extraction is stored behind a link; press 'u' to fetch it."))
    return Group(*parts)


def citation_rows(citations: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Walk the citations tree (it mirrors the result) and list (field path, citation)."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(citations, list):
        for n, item in enumerate(citations):
            if isinstance(item, dict) and "bbox" in item and ("content" in item or "type" in item):
                out.append((path, item))
            else:
                out += citation_rows(item, f"{path}[{n}]" if path else f"[{n}]")
    elif isinstance(citations, dict):
        if "bbox" in citations and ("content" in citations or "type" in citations):
            out.append((path, citations))
        else:
            for key, value in citations.items():
                out += citation_rows(value, f"{path}.{key}" if path else str(key))
    return out


def _box(bbox: dict[str, Any]) -> str:
    try:
        return ",".join(f"{float(bbox[k]):.2f}" for k in ("left", "top", "width", "height"))
    except (KeyError, TypeError, ValueError, OverflowError):
        return ""


def citations_table(response: ExtractResponse) -> RenderableType:
    if isinstance(response.citations, UrlResult):
        return Text("Citations are stored behind a link; press 'u' to fetch them.")
    rows = citation_rows(response.citations or [])
    if not rows:
        return Text("No citations.", style="dim")
    table = Table(title="Citations", title_justify="left", expand=True)
    table.add_column("Field", ratio=2)
    table.add_column("Page", width=5, justify="right")
    table.add_column("Box (l,t,w,h)", width=23)
    table.add_column("Conf", width=5)
    table.add_column("Content", ratio=3)
    for path, cite in rows[:500]:
        raw_box = cite.get("bbox")
        bbox: dict[str, Any] = raw_box if isinstance(raw_box, dict) else {}
        table.add_row(
            safe_text(path, single_line=True),
            # Text, not str: a str cell is read as markup, and str() of a 5,000-digit page
            # raises; safe_text escapes and degrades to "unknown" instead.
            safe_text(bbox.get("page", "?"), single_line=True),
            _box(bbox),
            safe_text(cite.get("confidence", ""), single_line=True),
            safe_text(cite.get("content", ""), single_line=True),
        )
    return table
