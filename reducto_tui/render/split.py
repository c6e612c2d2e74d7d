"""Split results: splits with pages and confidence, partitions, deep-split evidence."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import DeepSplitResult, SplitResponse, SplitResult, UrlResult
from reducto_tui.render.text import clean, safe_text


def page_list(pages: list[int]) -> str:
    """[1,2,3,5,7,8] -> '1–3, 5, 7–8'."""
    if not pages:
        return ""
    ordered = sorted(set(pages))
    spans: list[str] = []
    start = prev = ordered[0]
    for page in [*ordered[1:], None]:
        if page is not None and page == prev + 1:
            prev = page
            continue
        spans.append(str(start) if start == prev else f"{start}–{prev}")
        if page is not None:
            start = prev = page
    return ", ".join(spans)


def split_view(response: SplitResponse) -> RenderableType:
    body = response.result
    if isinstance(body, UrlResult):
        return Text("The split result is stored behind a link; press 'u' to fetch it.")
    if isinstance(body, SplitResult):
        return _simple(body)
    return _deep(body)


def _simple(body: SplitResult) -> RenderableType:
    table = Table(title="Splits", title_justify="left", expand=True)
    table.add_column("Name", ratio=2)
    table.add_column("Pages", ratio=2)
    table.add_column("Conf", width=6)
    table.add_column("Partitions", ratio=3)
    for split in body.splits:
        parts = "; ".join(
            f"{clean(p.name, True)} ({page_list(p.pages)})" for p in split.partitions or []
        )
        table.add_row(
            safe_text(split.name, single_line=True),
            page_list(split.pages),
            Text(
                clean(split.conf or "", True), style="green" if split.conf == "high" else "yellow"
            ),
            safe_text(parts),
        )
    out: list[RenderableType] = [table]
    if body.section_mapping:
        mapping = Table(title="Section mapping", title_justify="left")
        mapping.add_column("Section")
        mapping.add_column("Pages")
        for name, pages in body.section_mapping.items():
            mapping.add_row(safe_text(name, single_line=True), page_list(pages))
        out.append(mapping)
    return Group(*out)


def _deep(body: DeepSplitResult) -> RenderableType:
    table = Table(title="Splits (deep)", title_justify="left", expand=True)
    table.add_column("Split / page", ratio=2)
    table.add_column("Conf", width=7)
    table.add_column("Evidence", ratio=5)
    for split in body.splits:
        table.add_row(Text(clean(split.name, True), style="bold"), "", "")
        for ev in split.pages:
            table.add_row(
                f"  p.{ev.page_number}", clean(ev.confidence or "", True), safe_text(ev.evidence)
            )
        for part in split.partitions or []:
            pages = ", ".join(str(p.page_number) for p in part.pages)
            table.add_row(
                Text(f"  ⤷ {clean(part.name, True)}", style="italic"), "", f"pages {pages}"
            )
    return table
