"""What a job cost, in both of Reducto's pricing shapes (v1.12.20).

Accounts on the older pricing get ``credits`` and ``credit_breakdown``; accounts on the newer
one get ``usage_breakdown`` (raw quantities: model, tier, page counts) and no credit fields,
as the spec says. Both may carry ``page_billing_breakdown``: the features billed per page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

#: Past this many pages the per-page map is left out: it would dwarf the result.
PAGE_MAP_LIMIT = 60


@dataclass(frozen=True, slots=True)
class Billing:
    """How the account is billed for one job."""

    new_pricing: bool = False
    #: The job ran on the batch queue (``queue_priority: batch``).
    batch: bool = False

    @property
    def tier(self) -> str:
        return "Batch" if self.batch else "Default"


CREDITS = Billing()


def _page_map(pages: int, complex_pages: int) -> dict[str, list[str]]:
    # Spread the complex pages evenly so the map agrees with the counts, with no extra draws.
    every = max(1, pages // complex_pages) if complex_pages else 0
    hard = set(range(every, pages + 1, every)[:complex_pages]) if every else set()
    return {str(p): ["page", "complex"] if p in hard else ["page"] for p in range(1, pages + 1)}


def _add_ons(rng: random.Random, pages: int) -> dict[str, int]:
    return {
        "ocr_pages": rng.randint(0, pages) if rng.random() < 0.3 else 0,
        "charts": rng.randint(1, 3) if rng.random() < 0.15 else 0,
        "prompted_blocks": rng.randint(1, 6) if rng.random() < 0.1 else 0,
    }


def parse_usage(
    rng: random.Random, pages: int, billing: Billing = CREDITS, kind: str = "parse"
) -> dict[str, Any]:
    """``ParseUsage``: parse, split, edit and pipeline jobs all report this shape."""
    complex_pages = rng.randint(0, max(0, pages // 4))
    body: dict[str, Any] = {"num_pages": pages}
    if not billing.new_pricing:
        body["credits"] = float(pages + complex_pages)
        body["credit_breakdown"] = {"page": float(pages), "complex": float(complex_pages)}
    else:
        body["usage_breakdown"] = _breakdown(rng, pages, complex_pages, billing, kind)
    if pages <= PAGE_MAP_LIMIT:
        body["page_billing_breakdown"] = _page_map(pages, complex_pages)
    return body


def _breakdown(
    rng: random.Random, pages: int, complex_pages: int, billing: Billing, kind: str
) -> dict[str, Any]:
    if kind in ("split", "deep_split"):
        return {
            "split_model": "Deep Split" if kind == "deep_split" else "Split",
            "split_pages": pages,
            **_add_ons(rng, pages),
        }
    if kind == "edit":
        prefill = rng.randint(0, pages) if rng.random() < 0.3 else 0
        if prefill == pages:
            return {"edit_model": "Prefill", "edit_pages": pages, "prefill_pages": 0}
        # Mixed jobs bill at the Normal rate and list their prefilled pages apart.
        return {"edit_model": "Normal", "edit_pages": pages - prefill, "prefill_pages": prefill}
    if rng.random() < 0.15:
        # The legacy pipeline carries its whole cost in credits of its own; no add-ons.
        return {
            "parse_model": "Legacy",
            "tier": billing.tier,
            "parse_pages": pages,
            "legacy_parse_credits": float(pages + complex_pages),
        }
    native = pages if rng.random() < 0.1 else 0
    return {
        "parse_model": "R-1",
        "tier": billing.tier,
        "parse_pages": pages - native,
        "parse_native_pages": native,
        **_add_ons(rng, pages),
    }


def extract_usage(
    rng: random.Random, pages: int, fields: int, billing: Billing = CREDITS
) -> dict[str, Any]:
    body: dict[str, Any] = {"num_pages": pages, "num_fields": fields}
    if not billing.new_pricing:
        body["credits"] = float(pages * 2)
        return body
    body["usage_breakdown"] = {
        "extract_model": "Deep Extract" if rng.random() < 0.2 else "Extract",
        "tier": billing.tier,
        "extract_pages": pages,
        "extract_fields": fields,
        **_add_ons(rng, pages),
    }
    return body


def classify_usage(pages: int, categories: int, billing: Billing = CREDITS) -> dict[str, Any]:
    body: dict[str, Any] = {"num_pages": pages, "num_categories": categories}
    if not billing.new_pricing:
        body["credits"] = 1.0
        return body
    # The spec caps classify_pages at 5, as the credit computation does.
    body["usage_breakdown"] = {"classify_model": "Classify", "classify_pages": min(5, pages)}
    return body
