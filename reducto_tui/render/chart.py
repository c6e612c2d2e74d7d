"""Chart results (new in the v1.12.20 spec): summary, verification, and the data."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.text import Text

from reducto_tui.api.models import ChartResponse
from reducto_tui.render.text import clean, safe_text


def chart_view(response: ChartResponse) -> RenderableType:
    result = response.result
    head = Text("Summary: ", style="bold")
    head.append(clean(result.summary or ""))
    verified = Text("Verified: ", style="bold")
    verified.append(
        "yes" if result.verified else "no", style="green" if result.verified else "yellow"
    )
    parts: list[RenderableType] = [head, verified]
    if result.reconstruction_url:
        parts.append(safe_text(f"Reconstruction: {result.reconstruction_url}", style="blue"))
    parts.append(Text("Chart data", style="bold"))
    try:
        data = json.dumps(result.chart_data, indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # an integer over 4300 digits, or absurd depth
        data = "unknown (the chart data cannot be shown)"
    parts.append(safe_text(data))
    return Group(*parts)
