"""Usage in the Summary: credits when the account has them, the newer pricing's quantities
(model, tier, page counts) and per-page billing features when it does not."""

from __future__ import annotations

from typing import Any

from reducto_tui.api.models import JobDetail
from reducto_tui.render.summary import summary
from tests.conftest import FROZEN
from tests.plain import plain


def parse_job(usage: Any) -> JobDetail:
    return JobDetail.model_validate(
        {
            "status": "Completed",
            "type": "Parse",
            "result": {
                "response_type": "parse",
                "job_id": "j1",
                "duration": 2.0,
                "usage": usage,
                "result": {"type": "full", "chunks": []},
            },
        }
    )


def test_new_pricing_usage_without_credits_is_shown() -> None:
    detail = parse_job(
        {
            "num_pages": 12,
            "usage_breakdown": {
                "parse_model": "R-1",
                "tier": "Batch",
                "parse_pages": 12,
                "ocr_pages": 3,
                "charts": 0,
            },
            "page_billing_breakdown": {"1": ["page", "complex"], "2": ["page"]},
        }
    )
    text = plain(summary("j1", detail, FROZEN))
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert any("Usage pages 12" in line for line in lines)
    assert "model R-1" in lines and "tier Batch" in lines
    assert "parse pages 12" in lines and "OCR pages 3" in lines
    assert "page 1 page, complex" in lines and "page 2 page" in lines
    assert not any(line.startswith("charts") for line in lines), "zero quantities are noise"
    assert "credits" not in text


def test_credits_and_their_breakdown_are_shown() -> None:
    detail = parse_job(
        {"num_pages": 4, "credits": 5.5, "credit_breakdown": {"page": 4.0, "complex": 1.5}}
    )
    lines = {" ".join(line.split()) for line in plain(summary("j1", detail, FROZEN)).splitlines()}
    assert "Usage credits 5.5" in lines and "page 4" in lines and "complex 1.5" in lines


def test_many_billed_pages_are_summarised_by_feature() -> None:
    pages = {str(n): ["page", "complex"] if n % 2 else ["page"] for n in range(1, 41)}
    detail = parse_job({"num_pages": 40, "page_billing_breakdown": pages})
    lines = {" ".join(line.split()) for line in plain(summary("j1", detail, FROZEN)).splitlines()}
    assert "billed page 40 pages" in lines and "billed complex 20 pages" in lines


def test_a_bad_usage_object_does_not_lose_the_result() -> None:
    detail = parse_job("lots")
    assert detail.result is not None and detail.result.response_type == "parse"
    assert "Usage" not in plain(summary("j1", detail, FROZEN))


def test_summary_shows_queue_priority_and_async_metadata() -> None:
    import json

    from reducto_tui.api.models import JobDetail
    from reducto_tui.render.summary import config_facts, summary
    from tests.plain import plain

    config = {
        "input": "reducto://x/a.pdf",
        "queue_priority": "batch",
        "async": {"metadata": {"batch": "inbox-7", "who": "\x1b]0;evil\x07"}},
    }
    detail = JobDetail.model_validate({"status": "Pending", "raw_config": json.dumps(config)})
    text = plain(summary("j1", detail, 0.0))
    assert "Queue     batch" in text
    assert 'Metadata  {"batch": "inbox-7", "who": "\\u001b]0;evil\\u0007"}' in text
    assert "\x1b" not in text
    assert config_facts(json.dumps({"queue_priority": 3})) == ("unknown", None)
    assert config_facts("not json") == (None, None)
    assert config_facts(json.dumps({"input": "x"})) == (None, None)
    long = config_facts(json.dumps({"async": {"metadata": "x" * 1000}}))[1]
    assert long is not None and len(long) == 400 and long.endswith("…")
