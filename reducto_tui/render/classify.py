"""Classify results: the category and the per-category confidence with its criteria."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import ClassifyResponse, UrlResult
from reducto_tui.render.text import clean, safe_text


def classify_view(response: ClassifyResponse) -> RenderableType:
    if isinstance(response.result, UrlResult):
        return Text("The classification is stored behind a link; press 'u' to fetch it.")
    head = Text("Category: ", style="bold")
    head.append(clean(response.result.category or "unknown", True), style="bold green")
    parts: list[RenderableType] = [head]
    confidence = response.response_confidence
    if confidence and confidence.categories:
        table = Table(title="Confidence", title_justify="left", expand=True)
        table.add_column("Category", ratio=2)
        table.add_column("Score", width=7, justify="right")
        table.add_column("Criteria", ratio=4)
        for cat in confidence.categories:
            criteria = Text()
            for n, crit in enumerate(cat.criteria_confidence):
                if n:
                    criteria.append("; ")
                criteria.append(clean(crit.criterion, True))
                criteria.append(
                    f" {clean(crit.confidence or '?', True)}",
                    style="green" if crit.confidence == "high" else "yellow",
                )
            score = "" if cat.confidence is None else f"{cat.confidence:.2f}"
            table.add_row(safe_text(cat.category, single_line=True), score, criteria)
        parts.append(table)
    return Group(*parts)
