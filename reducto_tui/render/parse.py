"""Parse results: labels for chunks and blocks, tables, and a drawing of a block's page."""

from __future__ import annotations

import html
import re

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from reducto_tui.api.lazy import block_pages
from reducto_tui.api.models import BoundingBox, ParseBlock, ParseChunk
from reducto_tui.render.text import clean, safe_text, shorten

BLOCK_STYLES = {
    "Title": "bold magenta",
    "Section Header": "bold cyan",
    "Header": "dim",
    "Footer": "dim",
    "Page Number": "dim",
    "Table": "green",
    "Figure": "yellow",
    "Key Value": "blue",
    "List Item": "",
    "Text": "",
    "Comment": "italic",
    "Signature": "italic yellow",
}


def preview(content: str | None, width: int) -> str:
    """One line of a block's content: tags of HTML tables dropped, whitespace squeezed."""
    # Only the start can show: cleaning a whole 50 KB table to show 80 characters is waste.
    text = clean((content or "")[: max(width, 1) * 20], single_line=True)
    if "<" in text:
        text = html.unescape(_TAG.sub(" ", text))
    return shorten(" ".join(text.split()), width)


def chunk_label(index: int, chunk: ParseChunk) -> Text:
    pages = sorted(block_pages(chunk.blocks))
    where = f"p.{pages[0]}" if len(pages) == 1 else f"p.{pages[0]}–{pages[-1]}" if pages else ""
    label = Text(f"Chunk {index + 1} ", style="bold")
    label.append(f"{len(chunk.blocks)} blocks {where} ", style="dim")
    label.append(preview(chunk.content, 80))
    return label


def block_label(block: ParseBlock) -> Text:
    kind = clean(block.type or "?", single_line=True)
    label = Text(f"{kind:<14}", style=BLOCK_STYLES.get(kind, "bold white on dark_red"))
    page = block.bbox.page
    label.append(f" p.{page if page is not None else '?'}", style="dim")
    if block.confidence:
        conf_style = "green" if block.confidence == "high" else "yellow"
        label.append(f" {clean(block.confidence, True)}", style=conf_style)
    label.append("  " + preview(block.content, 90))
    return label


_ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def table_rows(content: str) -> list[list[str]] | None:
    """Rows of an HTML or Markdown table, or None when the content is not a table."""
    if "<table" in content.lower():
        rows = [
            [html.unescape(_TAG.sub("", c)).strip() for c in _CELL.findall(r)]
            for r in _ROW.findall(content)
        ]
        return [r for r in rows if r] or None
    lines = [ln.strip() for ln in content.strip().splitlines()]
    if len(lines) >= 2 and all(ln.startswith("|") for ln in lines):
        rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
        return [r for r in rows if not all(set(c) <= set("-: ") for c in r)]
    return None


def block_body(block: ParseBlock) -> RenderableType:
    content = block.content or ""
    rows = table_rows(content) if block.type == "Table" or "<table" in content.lower() else None
    if rows:
        table = Table(show_header=True, header_style="bold", expand=False)
        for head in rows[0]:
            table.add_column(clean(head, True))
        for row in rows[1:]:
            table.add_row(*(clean(c, True) for c in row))
        return table
    text = safe_text(content)
    if block.image_url:
        text.append(f"\nimage: {clean(block.image_url, True)}", style="underline blue")
    return text


def _cells(bbox: BoundingBox, inner_w: int, inner_h: int) -> tuple[int, int, int, int]:
    x0 = int(max(0.0, min(1.0, bbox.left)) * inner_w)
    y0 = int(max(0.0, min(1.0, bbox.top)) * inner_h)
    x1 = max(x0 + 1, int(max(0.0, min(1.0, bbox.left + bbox.width)) * inner_w))
    y1 = max(y0 + 1, int(max(0.0, min(1.0, bbox.top + bbox.height)) * inner_h))
    return x0, y0, x1, y1


def chunk_body(chunk: ParseChunk) -> Text:
    """The chunk's content, then its embedding text and enrichment where they differ."""
    text = safe_text(chunk.content)
    if chunk.embed and chunk.embed.strip() != (chunk.content or "").strip():
        text.append("\n\nembed: ", style="bold")
        text.append(clean(chunk.embed))
    if chunk.enriched:
        state = "" if chunk.enrichment_success else " (enrichment failed)"
        text.append(f"\n\nenriched{state}: ", style="bold")
        text.append(clean(chunk.enriched))
    return text


def page_drawing(
    bbox: BoundingBox,
    width: int = 34,
    height: int = 22,
    others: list[BoundingBox] | None = None,
) -> Text:
    """A page outline with the box drawn in place (coordinates are 0..1 of the page);
    ``others`` (the page's other blocks) are drawn faintly for context."""
    width = max(8, width)
    height = max(6, height)
    inner_w, inner_h = width - 2, height - 2
    x0, y0, x1, y1 = _cells(bbox, inner_w, inner_h)
    faint = [_cells(b, inner_w, inner_h) for b in others or [] if b.page == bbox.page]
    out = Text()
    title = f" page {bbox.page if bbox.page is not None else '?'} "
    out.append("┌" + title.center(inner_w, "─")[:inner_w] + "┐\n", style="dim")
    for y in range(inner_h):
        out.append("│", style="dim")
        for x in range(inner_w):
            if x0 <= x < x1 and y0 <= y < y1:
                out.append("█", style="bold yellow")
            elif any(a <= x < c and b <= y < d for a, b, c, d in faint):
                out.append("░", style="grey50")
            else:
                out.append("·", style="grey30")
        out.append("│\n", style="dim")
    out.append("└" + "─" * inner_w + "┘", style="dim")
    return out
