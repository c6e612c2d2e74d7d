"""Realistic result payloads for every job kind, as plain JSON-ready dicts.

Shapes follow the newest Reducto spec (v1.12.20); tests validate every one against
``reducto_tui.api.models`` so the demo cannot drift from what the client reads.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from reducto_tui.demo.usage import CREDITS, Billing, classify_usage, extract_usage, parse_usage

BLOCK_TYPES = (
    "Title",
    "Section Header",
    "Text",
    "List Item",
    "Table",
    "Figure",
    "Key Value",
    "Header",
    "Footer",
    "Page Number",
    "Comment",
    "Signature",
)

SENTENCES = (
    "The Supplier shall deliver the goods within thirty (30) days of the purchase order.",
    "Payment is due net 45 days from the invoice date unless otherwise agreed in writing.",
    "Total revenue for the quarter increased 12% year over year to $48.2 million.",
    "The patient reported mild discomfort following the procedure; no complications noted.",
    "This Agreement is governed by the laws of the State of Delaware.",
    "Operating expenses were driven primarily by headcount growth in engineering.",
    "All claims must be submitted within ninety days of the date of service.",
    "The tenant shall maintain the premises in good repair at its own expense.",
    "Net cash provided by operating activities was $6.1 million for the period.",
    "Either party may terminate this Agreement upon sixty days' written notice.",
    "The borrower represents that all financial statements are true and complete.",
    "Shipment was received in full and inspected on arrival at the warehouse.",
)

TITLES = (
    "Master Services Agreement",
    "Quarterly Financial Report",
    "Invoice INV-2024-0193",
    "Explanation of Benefits",
    "Commercial Lease",
    "Bill of Lading",
    "Loan Application",
    "Clinical Summary",
)

KEY_VALUES = (
    ("Invoice Number", "INV-2024-0193"),
    ("Date", "2024-03-14"),
    ("Account", "ACME-88213"),
    ("Amount Due", "$12,480.00"),
    ("Policy Number", "PL-5521-0087"),
    ("Member ID", "W2281-4410"),
)


#: The extraction schema the demo's extract jobs ask for (their results follow it).
EXTRACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string"},
        "vendor": {"type": "object"},
        "line_items": {"type": "array", "items": {"type": "object"}},
        "total": {"type": "number"},
        "paid": {"type": "boolean"},
    },
}


def _bbox(rng: random.Random, page: int, top: float, height: float) -> dict[str, Any]:
    left = round(rng.uniform(0.05, 0.15), 4)
    return {
        "left": left,
        "top": round(top, 4),
        "width": round(rng.uniform(0.5, 0.9 - left), 4),
        "height": round(height, 4),
        "page": page,
        "original_page": page,
    }


def _table(rng: random.Random, html: bool) -> str:
    rows = [("Item", "Qty", "Unit price", "Amount")]
    for n in range(rng.randint(2, 5)):
        qty = rng.randint(1, 40)
        price = rng.randint(5, 900)
        rows.append((f"Line item {n + 1}", str(qty), f"${price:,}.00", f"${qty * price:,}.00"))
    if html:
        body = "".join(
            "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
        )
        return f"<table>{body}</table>"
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _block_content(rng: random.Random, kind: str, page: int) -> str:
    if kind == "Title":
        return rng.choice(TITLES)
    if kind == "Section Header":
        return f"{rng.randint(1, 12)}. " + rng.choice(("Definitions", "Payment", "Term", "Results"))
    if kind == "Table":
        return _table(rng, html=rng.random() < 0.5)
    if kind == "Figure":
        return "Figure: " + rng.choice(("Revenue by segment", "Site map", "Signature page scan"))
    if kind == "Key Value":
        key, value = rng.choice(KEY_VALUES)
        return f"{key}: {value}"
    if kind == "Header":
        return rng.choice(TITLES) + " — Confidential"
    if kind == "Footer":
        return "© 2024 Example Corp. All rights reserved."
    if kind == "Page Number":
        return str(page)
    if kind == "List Item":
        return "• " + rng.choice(SENTENCES)
    if kind == "Comment":
        return "Reviewer note: " + rng.choice(("confirm figures", "initial here", "see appendix"))
    if kind == "Signature":
        return "Signed: " + rng.choice(("J. Alvarez", "M. Chen", "R. Okafor"))
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))


def parse_blocks(rng: random.Random, pages: int, blocks_per_page: int) -> list[dict[str, Any]]:
    blocks = []
    for page in range(1, pages + 1):
        kinds = ["Header", "Title" if page == 1 else "Section Header"]
        kinds += [rng.choice(BLOCK_TYPES[2:7]) for _ in range(max(0, blocks_per_page - 4))]
        kinds += [rng.choice(("Comment", "Signature", "Text")), "Page Number"]
        step = 0.9 / max(1, len(kinds))
        for n, kind in enumerate(kinds[:blocks_per_page]):
            block: dict[str, Any] = {
                "type": kind,
                "bbox": _bbox(rng, page, 0.04 + n * step, step * 0.8),
                "content": _block_content(rng, kind, page),
                "image_url": None,
                "confidence": "high" if rng.random() < 0.85 else "low",
                "granular_confidence": {
                    "parse_confidence": round(rng.uniform(0.6, 1.0), 3),
                    "extract_confidence": None,
                },
            }
            if kind == "Figure":
                block["image_url"] = f"https://demo.reducto.invalid/figures/p{page}-{n}.png"
            blocks.append(block)
    return blocks


def parse_result(
    rng: random.Random,
    job_id: str,
    pages: int,
    *,
    blocks_per_page: int = 6,
    blocks_per_chunk: int = 10,
    ocr: bool = False,
    billing: Billing = CREDITS,
) -> dict[str, Any]:
    blocks = parse_blocks(rng, pages, blocks_per_page)
    chunks = []
    for start in range(0, len(blocks), blocks_per_chunk):
        group = blocks[start : start + blocks_per_chunk]
        text = "\n\n".join(b["content"] for b in group)
        chunks.append(
            {
                "content": text,
                "embed": text.replace("\n\n", " "),
                "enriched": None,
                "enrichment_success": False,
                "blocks": group,
            }
        )
    body: dict[str, Any] = {"type": "full", "chunks": chunks, "ocr": None, "custom": None}
    if ocr:
        words, lines = [], []
        for block in blocks[: min(len(blocks), 60)]:
            if block["type"] in ("Table", "Figure"):
                continue
            box = block["bbox"]
            lines.append(
                {"text": block["content"][:120], "bbox": box, "confidence": 0.97, "chunk_index": 0}
            )
            for i, word in enumerate(block["content"].split()[:12]):
                words.append(
                    {
                        "text": word,
                        "bbox": {**box, "left": box["left"] + i * 0.04, "width": 0.035},
                        "confidence": round(rng.uniform(0.8, 1.0), 3),
                        "rotation": 0,
                    }
                )
        body["ocr"] = {"words": words, "lines": lines}
    return {
        "response_type": "parse",
        "job_id": job_id,
        "duration": round(rng.uniform(1.0, 4.0) + pages * 0.3, 2),
        "pdf_url": f"https://demo.reducto.invalid/pdf/{job_id}.pdf",
        "studio_link": f"https://demo.reducto.invalid/studio/{job_id}",
        "usage": parse_usage(rng, pages, billing),
        "result": body,
        "parse_mode": "base",
    }


def url_result(job_id: str, kind: str, url: str) -> dict[str, Any]:
    return {"type": "url", "url": url, "result_id": f"{kind}-{job_id}"}


def split_result(
    rng: random.Random, job_id: str, pages: int, deep: bool, billing: Billing = CREDITS
) -> dict[str, Any]:
    names = ["Cover letter", "Invoice", "Bill of lading", "Packing list", "Appendix"]
    cut = (
        sorted(rng.sample(range(2, max(3, pages)), k=min(3, max(0, pages - 2))))
        if pages > 3
        else []
    )
    bounds = [1, *cut, pages + 1]
    ranges = [list(range(a, b)) for a, b in itertools.pairwise(bounds) if a < b]
    if deep:
        splits: list[dict[str, Any]] = [
            {
                "name": names[i % len(names)],
                "pages": [
                    {
                        "page_number": p,
                        "evidence": f"Page {p} carries the heading '{names[i % len(names)]}'.",
                        "confidence": rng.choice(("high", "high", "medium", "low")),
                    }
                    for p in r
                ],
                "partitions": [
                    {
                        "name": f"{names[i % len(names)]} #{k + 1}",
                        "pages": [
                            {"page_number": p, "evidence": "Repeated header", "confidence": "high"}
                        ],
                    }
                    for k, p in enumerate(r[:2])
                ],
            }
            for i, r in enumerate(ranges)
        ]
        body: dict[str, Any] = {"splits": splits}
    else:
        splits = [
            {
                "name": names[i % len(names)],
                "pages": r,
                "conf": "high" if rng.random() < 0.8 else "low",
                "partitions": (
                    [
                        {"name": f"{names[i % len(names)]} {k + 1}", "pages": [p], "conf": "high"}
                        for k, p in enumerate(r)
                    ]
                    if len(r) > 1 and rng.random() < 0.5
                    else None
                ),
            }
            for i, r in enumerate(ranges)
        ]
        body = {"section_mapping": {s["name"]: s["pages"] for s in splits}, "splits": splits}
    return {
        "response_type": "split",
        "job_id": job_id,
        "usage": parse_usage(rng, pages, billing, "deep_split" if deep else "split"),
        "duration": round(rng.uniform(2, 9), 2),
        "result": body,
    }


def extract_result(
    rng: random.Random, job_id: str, pages: int, billing: Billing = CREDITS
) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {
            "description": f"Line item {n + 1}",
            "quantity": rng.randint(1, 40),
            "unit_price": round(rng.uniform(5, 900), 2),
        }
        for n in range(rng.randint(2, 6))
    ]
    record = {
        "invoice_number": f"INV-{rng.randint(2020, 2025)}-{rng.randint(1, 9999):04d}",
        "vendor": {"name": "Example Supply Co.", "address": {"city": "Denver", "zip": "80202"}},
        "line_items": items,
        "total": round(sum(i["quantity"] * i["unit_price"] for i in items), 2),
        "paid": rng.random() < 0.5,
    }
    citations = [
        {
            "invoice_number": [
                {
                    "type": "Text",
                    "content": record["invoice_number"],
                    "bbox": _bbox(rng, 1, 0.1, 0.03),
                    "confidence": "high",
                    "parentBlock": {"type": "Key Value", "bbox": _bbox(rng, 1, 0.08, 0.05)},
                }
            ],
            "total": [
                {
                    "type": "Table",
                    "content": f"{record['total']:,.2f}",
                    "bbox": _bbox(rng, max(1, pages), 0.7, 0.04),
                    "confidence": "low" if rng.random() < 0.3 else "high",
                }
            ],
        }
    ]
    return {
        "response_type": "extract",
        "job_id": job_id,
        "usage": extract_usage(rng, pages, len(record), billing),
        "duration": round(rng.uniform(3, 20), 2),
        "studio_link": f"https://demo.reducto.invalid/studio/{job_id}",
        "result": [record],
        "citations": citations,
        "response_confidence": {"document": "high" if rng.random() < 0.7 else "low"},
    }


def classify_result(
    rng: random.Random, job_id: str, pages: int, billing: Billing = CREDITS
) -> dict[str, Any]:
    categories = ["invoice", "contract", "bank_statement", "medical_record"]
    scores = sorted((rng.random() for _ in categories), reverse=True)
    rng.shuffle(categories)
    return {
        "response_type": "classify",
        "job_id": job_id,
        "result": {"category": categories[0]},
        "response_confidence": {
            "categories": [
                {
                    "category": cat,
                    "confidence": round(score, 3),
                    "criteria_confidence": [
                        {
                            "criterion": "title matches",
                            "confidence": "high" if score > 0.5 else "low",
                        },
                        {"criterion": "layout matches", "confidence": "low"},
                    ],
                }
                for cat, score in zip(categories, scores, strict=True)
            ]
        },
        "usage": classify_usage(pages, len(categories), billing),
        "duration": round(rng.uniform(0.5, 3), 2),
    }


def edit_result(
    rng: random.Random, job_id: str, pages: int, billing: Billing = CREDITS
) -> dict[str, Any]:
    widgets = [
        {
            "bbox": _bbox(rng, rng.randint(1, max(1, pages)), 0.1 + n * 0.08, 0.03),
            "description": desc,
            "type": kind,
            "fill": True,
            "value": value,
            "font_size": None,
        }
        for n, (desc, kind, value) in enumerate(
            (
                ("Applicant full name", "text", "Jordan Alvarez"),
                ("Date of birth", "text", "1988-04-02"),
                ("US citizen", "checkbox", "true"),
                ("Filing status", "radio", "Single"),
                ("State", "dropdown", "CO"),
            )
        )
    ]
    return {
        "response_type": "edit",
        "job_id": job_id,
        "document_url": f"https://demo.reducto.invalid/edited/{job_id}.pdf",
        "form_schema": widgets,
        "usage": parse_usage(rng, pages, billing, "edit"),
    }


def chart_result(rng: random.Random, job_id: str) -> dict[str, Any]:
    values = [round(rng.uniform(10, 90), 1) for _ in range(4)]
    return {
        "response_type": "chart",
        "job_id": job_id,
        "result": {
            "chart_data": {
                "type": "bar",
                "x": ["Q1", "Q2", "Q3", "Q4"],
                "series": [{"name": "Revenue ($M)", "values": values}],
            },
            "summary": f"Revenue peaked in Q{values.index(max(values)) + 1} at ${max(values)}M.",
            "reconstruction_url": f"https://demo.reducto.invalid/charts/{job_id}.png",
            "verified": rng.random() < 0.8,
        },
        "usage": {"num_charts": 1, "credits": 4.0},
        "duration": round(rng.uniform(2, 6), 2),
    }


def pipeline_result(
    rng: random.Random, job_id: str, pages: int, billing: Billing = CREDITS
) -> dict[str, Any]:
    split = split_result(rng, job_id, pages, deep=False, billing=billing)
    per_split = []
    for s in split["result"]["splits"][:3]:
        extracted = extract_result(rng, job_id, len(s["pages"]), billing)
        per_split.append(
            {
                "split_name": s["name"],
                "page_range": s["pages"],
                "partition": None,
                "result": extracted,
            }
        )
    return {
        "response_type": "pipeline",
        "job_id": job_id,
        "usage": parse_usage(rng, pages, billing),
        "result": {
            "parse": parse_result(rng, job_id, min(pages, 4), billing=billing),
            "extract": per_split,
            "split": split,
            "edit": None,
        },
    }
