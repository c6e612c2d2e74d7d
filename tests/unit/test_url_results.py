"""Results sent as a link, downloaded into their place (the demo server in-process), and the
result kinds read from payloads without ``response_type`` (the SDK docs' older examples)."""

from __future__ import annotations

from typing import Any

import pytest

from reducto_tui.api.models import (
    ClassifyResponse,
    FullResult,
    JobDetail,
    ParseResponse,
    UrlResult,
    infer_result_kind,
)
from reducto_tui.api.url_results import inline_url_results, link_in, links
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock, in_process_client


async def test_a_parse_result_behind_a_link_is_downloaded_into_its_place(clock: FakeClock) -> None:
    sim = Simulator(jobs=200, seed=1, clock=clock, arrival_interval=0)
    now = clock()
    big = next(
        j for j in sim.jobs
        if j.type == "Parse" and j.status(now) == "Completed" and j.num_pages >= 120
    )  # fmt: skip
    async with in_process_client(sim) as client:
        detail = await client.get_job(big.job_id)
        assert isinstance(detail.result, ParseResponse)
        link = detail.result.result
        assert isinstance(link, UrlResult)
        found = link_in(detail, link)
        assert found is not None and found.kind == "parse" and found.link is link
        assert link_in(detail, UrlResult(url="https://elsewhere.example/r")) is None
        same = await inline_url_results(client, detail)
    assert same is detail and isinstance(detail.result, ParseResponse)
    full = detail.result.result
    assert isinstance(full, FullResult)
    expected = sim.result(big, inline=True)["result"]["chunks"]
    assert len(full.chunks) == len(expected) > 0
    assert [c.content for c in full.chunks] == [c["content"] for c in expected]
    assert links(detail) == []


@pytest.mark.parametrize(
    ("inner", "kind"),
    [
        ({"splits": []}, "split"),
        ({"category": "invoice"}, "classify"),
        ({"chart_data": ["a"]}, "chart"),
        ({"parse": {}}, "pipeline"),
        ({"extract": {}}, "pipeline"),
        ({"split": {}}, "pipeline"),
        ({"something": "else"}, "unknown"),
    ],
)
def test_results_without_a_response_type_are_told_by_their_fields(
    inner: dict[str, Any], kind: str
) -> None:
    assert infer_result_kind({"result": inner}) == kind


def test_an_old_style_classify_reads_as_one() -> None:
    body = {"status": "Completed", "result": {"result": {"category": "invoice"}}}
    classify = JobDetail.model_validate(body)
    assert isinstance(classify.result, ClassifyResponse)
    assert classify.result.result.model_dump()["category"] == "invoice"
