"""Results sent as a link, downloaded into their place (the demo server in-process), and the
result kinds read from payloads without ``response_type`` (the SDK docs' older examples)."""

from __future__ import annotations

from typing import Any

import pytest

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.models import (
    ClassifyResponse,
    FullResult,
    JobDetail,
    ParseResponse,
    UrlResult,
    infer_result_kind,
)
from reducto_tui.api.url_results import inline_url_results, link_in, links, read_download
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


LINK = {"type": "url", "url": "https://bucket.example/r?sig=1", "result_id": "r"}


def job(result: dict[str, Any]) -> JobDetail:
    return JobDetail.model_validate({"status": "Completed", "result": result})


def test_every_kind_of_linked_result_is_found_and_put_in_place() -> None:
    extract = job({"response_type": "extract", "result": LINK})
    (found,) = links(extract)
    assert found.kind == "extract" and found.link.url == LINK["url"]
    found.put({"total": 3})  # one record arrives as an object: still a list of records
    assert getattr(extract.result, "result", None) == [{"total": 3}]
    found.put([{"a": 1}, {"a": 2}])
    assert getattr(extract.result, "result", None) == [{"a": 1}, {"a": 2}]
    v3 = job({"response_type": "v3_extract", "result": LINK})
    (found,) = links(v3)
    assert found.kind == "extract"
    found.put({"invoice": {"total": 3}})
    assert getattr(v3.result, "result", None) == {"invoice": {"total": 3}}
    assert links(job({"response_type": "v3_extract", "result": {**LINK, "url": 7}})) == []
    assert links(job({"response_type": "v3_extract", "result": {**LINK, "type": "full"}})) == []
    pipeline = job(
        {"response_type": "pipeline", "result": {"parse": [{"result": LINK}, {"result": LINK}]}}
    )
    assert [f.kind for f in links(pipeline)] == ["parse", "parse"]
    single = job({"response_type": "pipeline", "result": {"parse": {"result": LINK}}})
    assert [f.kind for f in links(single)] == ["parse"]
    assert links(job({"response_type": "pipeline", "result": {}})) == []


def test_a_download_is_read_for_its_kind() -> None:
    wrapped = read_download(b'{"result": {"chunks": [{"content": "a"}]}}', "parse")
    assert (
        isinstance(wrapped.value, FullResult)
        and bytes(wrapped.text) == b'{"chunks": [{"content": "a"}]}'
    )
    plain_body = b'{"chunks": [{"content": "b"}]}'
    plain = read_download(plain_body, "parse")
    assert isinstance(plain.value, FullResult) and bytes(plain.text) == plain_body
    records = read_download(b'[{"a": 1}]', "extract")
    assert records.value == [{"a": 1}] and records.text == b'[{"a": 1}]'
    with pytest.raises(BadResponseError) as err:
        read_download(b"{oops", "extract")
    assert err.value.message == "The downloaded result is not valid JSON."
