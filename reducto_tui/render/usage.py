"""What a job cost: credits where the account has them, and the newer pricing's raw
quantities (``usage_breakdown``: model, tier such as Batch, page counts) and the per-page
features (``page_billing_breakdown``), drawn as a small table for the Summary."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from reducto_tui.api.models import KnownResult, UnknownResult, Usage, UsageBreakdown
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean

#: Page lists longer than this are summarised by feature instead of listed per page.
_PAGES_LISTED = 6

_COUNTS = (
    ("num_pages", "pages"),
    ("num_fields", "fields"),
    ("num_categories", "categories"),
    ("num_charts", "charts"),
    ("non_empty_cell_count", "non-empty cells"),
)
_BREAKDOWN_COUNTS = (
    ("parse_pages", "parse pages"),
    ("parse_native_pages", "native pages"),
    ("split_pages", "split pages"),
    ("extract_pages", "extract pages"),
    ("extract_fields", "extract fields"),
    ("classify_pages", "classify pages"),
    ("edit_pages", "edit pages"),
    ("prefill_pages", "prefill pages"),
    ("ocr_pages", "OCR pages"),
    ("charts", "charts"),
    ("prompted_blocks", "prompted blocks"),
)


def usage_of(result: KnownResult | None) -> Usage | None:
    if result is None or isinstance(result, UnknownResult):
        return None
    usage = getattr(result, "usage", None)
    return usage if isinstance(usage, Usage) else None


def usage_rows(usage: Usage) -> list[tuple[str, str]]:
    """(what, how much) for every part of ``usage`` the server sent."""
    rows: list[tuple[str, str]] = []
    if usage.credits is not None:
        rows.append(("credits", fmt.number(usage.credits)))
    for name, amount in (usage.credit_breakdown or {}).items():
        rows.append((f"  {clean(name, True)}", fmt.number(amount)))
    for field, label in _COUNTS:
        value = getattr(usage, field)
        if value is not None:
            rows.append((label, fmt.count(value)))
    if usage.extract_mode:
        rows.append(("extract mode", clean(usage.extract_mode, True)))
    if usage.usage_breakdown is not None:
        rows += _breakdown_rows(usage.usage_breakdown)
    if usage.page_billing_breakdown:
        rows += _page_rows(usage.page_billing_breakdown)
    return rows


def _breakdown_rows(breakdown: UsageBreakdown) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if breakdown.model_name:
        rows.append(("model", clean(breakdown.model_name, True)))
    if breakdown.tier:
        rows.append(("tier", clean(breakdown.tier, True)))
    for field, label in _BREAKDOWN_COUNTS:
        value = getattr(breakdown, field)
        if value:  # the spec defaults every quantity to 0: zeros are noise
            rows.append((label, fmt.count(value)))
    if breakdown.legacy_parse_credits:
        rows.append(("legacy parse credits", fmt.number(breakdown.legacy_parse_credits)))
    return rows


def _page_rows(pages: dict[str, list[str]]) -> list[tuple[str, str]]:
    if len(pages) <= _PAGES_LISTED:
        return [
            (f"page {clean(page, True)}", clean(", ".join(features), True) or "—")
            for page, features in pages.items()
        ]
    per_feature: dict[str, int] = {}
    for features in pages.values():
        for feature in set(features):
            per_feature[feature] = per_feature.get(feature, 0) + 1
    # "page" is itself a feature name ("page", "complex", "chart_agent"…), so the label says
    # "billed" rather than "<feature> pages" (which read "page pages 40").
    return [
        (f"billed {clean(feature, True)}", f"{fmt.count(n)} pages")
        for feature, n in sorted(per_feature.items(), key=lambda item: -item[1])
    ]


def usage_table(usage: Usage | None) -> Table | None:
    """The Summary's usage table, or ``None`` when the server sent no usage at all."""
    if usage is None:
        return None
    rows = usage_rows(usage)
    if not rows:
        return None
    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(justify="right", overflow="fold")
    for what, amount in rows:
        table.add_row(Text(what), Text(amount))
    return table
