"""Edit results: the edited document's link and the form schema's widgets."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import EditResponse
from reducto_tui.render.text import clean, safe_text


def edit_view(response: EditResponse) -> RenderableType:
    link = Text("Edited document: ", style="bold")
    link.append(clean(response.document_url, True), style="underline blue")
    parts: list[RenderableType] = [link]
    if response.form_schema:
        table = Table(title="Form widgets", title_justify="left", expand=True)
        table.add_column("Type", width=9)
        table.add_column("Description", ratio=3)
        table.add_column("Value", ratio=2)
        table.add_column("Page", width=5, justify="right")
        table.add_column("Fill", width=4)
        for widget in response.form_schema:
            table.add_row(
                clean(widget.type or "?", True),
                safe_text(widget.description),
                safe_text(widget.value if widget.value is not None else "—"),
                str(widget.bbox.page or "?"),
                "yes" if widget.fill else "no",
            )
        parts.append(table)
    return Group(*parts)
