"""Re-run planning and bulk re-runs against the demo server in-process (faults injected)."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import JobCreator, probe_link
from reducto_tui.api.errors import InvalidRequestError
from reducto_tui.core.rerun import (
    Lineage,
    Probe,
    RateGate,
    Reach,
    RerunPlan,
    RerunResult,
    fetch_plan,
    plan_from,
    reachability,
    send_plans,
    with_body,
)
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.faults import DROP_AFTER, Scripted

PARSE = ("POST", "/parse_async")


class Setup:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sim = Simulator(jobs=120, seed=2, clock=self.clock, arrival_interval=0)
        self.transport = Scripted(httpx.ASGITransport(app=create_app(self.sim)))
        self.slept: list[float] = []

        async def sleep(seconds: float) -> None:  # time passes while we wait
            self.slept.append(seconds)
            self.clock.advance(seconds)

        self.sleep = sleep
        self.client = ReductoClient(
            "k-SECRET", "http://demo.test", transport=self.transport, sleep=sleep
        )
        self.creator = JobCreator(self.client, clock=self.clock, sleep=sleep)

    def failed(self, type_: str) -> list[str]:
        now = self.clock()
        return [j.job_id for j in self.sim.jobs if j.type == type_ and j.status(now) == "Failed"]


async def test_a_plan_sends_the_same_config_to_the_kinds_path() -> None:
    s = Setup()
    for type_ in ("Parse", "Extract", "Split", "Classify", "Edit", "Pipeline"):
        job_id = next(j.job_id for j in s.sim.jobs if j.type == type_)
        plan = await fetch_plan(s.client, job_id)
        assert plan.ready, plan.problem
        assert plan.endpoint == f"POST /{type_.lower()}_async"
        assert plan.body == json.loads(s.sim.by_id[job_id].raw_config)
        assert plan.document == s.sim.by_id[job_id].source
    chart = next(j for j in s.sim.jobs if j.type == "Chart")
    plan = await fetch_plan(s.client, chart.job_id)
    assert not plan.ready and "no *_async path" in (plan.problem or "")


def test_a_config_that_is_not_json_is_a_problem_not_a_crash() -> None:
    plan = plan_from("j1", "Parse", '{"input": "https://x/a.pdf",')
    assert not plan.ready
    assert plan.problem is not None and plan.problem.startswith(
        "The job's config (raw_config) is not JSON"
    )
    assert "line 1" in plan.problem
    assert "not an object" in (plan_from("j2", "Parse", "[1, 2]").problem or "")
    assert "did not send" in (plan_from("j3", "Parse", "").problem or "")
    good = plan_from("j4", "Parse", '{"input": "https://x/a.pdf"}')
    assert with_body(good, "{oops").problem is not None
    edited = with_body(good, '{"input": "https://x/b.pdf"}')
    assert edited.ready and edited.document == "https://x/b.pdf"


async def test_bulk_rerun_waits_out_a_429_in_the_middle_and_sends_each_once() -> None:
    s = Setup()
    olds = (s.failed("Parse") * 2)[:6]
    olds = list(dict.fromkeys(olds))
    plans = [await fetch_plan(s.client, old) for old in olds]
    before = len(s.sim.jobs)
    # The third POST is refused with a wait longer than the client waits by itself.
    s.transport.script[PARSE] = ["ok", "ok", (429, {"Retry-After": "120"})]
    waits: list[float] = []
    seen: list[RerunResult] = []
    lineage = Lineage()
    results = await send_plans(
        s.creator,
        plans,
        concurrency=2,
        on_result=seen.append,
        on_wait=waits.append,
        gate=RateGate(s.sleep, s.clock),
        lineage=lineage,
    )
    assert [r.old_id for r in results] == olds and len(seen) == len(olds)
    assert all(r.error is None and r.new_id for r in results), results
    assert waits == [120.0] and sum(r.rate_waits for r in results) == 1
    assert len(s.sim.jobs) == before + len(olds)  # one new job per old, none twice
    assert s.transport.count(*PARSE) == len(olds) + 1
    for r in results:
        assert r.new_id is not None
        new = s.sim.by_id[r.new_id]
        assert new.raw_config == s.sim.by_id[r.old_id].raw_config
        assert lineage.origin[r.new_id] == r.old_id and lineage.reruns[r.old_id] == [r.new_id]


async def test_bulk_rerun_reports_each_problem_and_sends_the_rest() -> None:
    s = Setup()
    good = await fetch_plan(s.client, s.failed("Parse")[0])
    lost = await fetch_plan(s.client, s.failed("Parse")[1])
    broken = plan_from("bad-config", "Parse", "{nope")
    refused = with_body(good, '{"input": 5}')
    s.transport.script[PARSE] = [DROP_AFTER]
    results = await send_plans(s.creator, [lost, broken, refused, good], concurrency=1)
    by_old = {r.old_id: r for r in results}
    assert by_old[lost.job_id].recovered and by_old[lost.job_id].new_id
    assert "not JSON" in (by_old["bad-config"].error or "")
    errors = [r.error for r in results if r.old_id == good.job_id]
    assert any(e and "body.input" in e for e in errors)  # the 422's details
    assert any(r.new_id for r in results if r.old_id == good.job_id)


async def test_reachability_says_what_can_be_known() -> None:
    s = Setup()
    upload = plan_from("u", "Parse", '{"input": "reducto://abc/a.pdf"}', "2026-03-01T09:00:00Z")
    found = await reachability(upload, s.client, now=s.clock())
    assert found.state is Reach.UNKNOWN and "uploads expire" in found.note
    assert "3.0 h" in found.note
    gone = plan_from("g", "Extract", '{"input": "jobid://no-such-job"}')
    assert (await reachability(gone, s.client)).state is Reach.GONE
    old = s.sim.jobs[-1].job_id
    there = plan_from("t", "Extract", json.dumps({"input": f"jobid://{old}"}))
    assert (await reachability(there, s.client)).state is Reach.OK

    async def expired(url: str) -> int:
        return 403

    async def fine(url: str) -> int:
        return 206

    link = plan_from("l", "Parse", '{"input": "https://files.example.com/a.pdf"}')
    assert (await reachability(link, s.client, expired)).state is Reach.GONE
    assert (await reachability(link, s.client, fine)).state is Reach.OK
    plain = plan_from("p", "Parse", '{"input": "http://10.0.0.1/a.pdf"}')
    assert (await reachability(plain, s.client, fine)).state is Reach.UNKNOWN


async def test_probe_link_never_asks_private_addresses_or_sends_the_key() -> None:
    s = Setup()
    for url in (
        "https://127.0.0.1/a",
        "https://10.1.2.3/a",
        "https://intranet/a",
        "http://x.com/a",
    ):
        with pytest.raises(InvalidRequestError):
            await probe_link(s.client, url)
    assert s.transport.seen == []
    s.transport.inner = httpx.MockTransport(lambda r: httpx.Response(206, content=b"%"))
    assert await probe_link(s.client, "https://files.example.com/a.pdf") == 206
    probe = s.transport.seen[0]
    assert probe.headers["range"] == "bytes=0-0" and "authorization" not in probe.headers


async def test_a_429_asking_for_an_hour_fails_the_job_instead_of_hanging() -> None:
    # A tester's server sent Retry-After: inf (the client reads at most 3600 s); the bulk
    # run sat in a dialog saying "waiting 3600 s" that could not be closed.
    s = Setup()
    old = s.failed("Parse")[0]
    plan = await fetch_plan(s.client, old)
    before = len(s.sim.jobs)
    s.transport.script[PARSE] = [(429, {"Retry-After": "3600"})]
    waits: list[float] = []
    results = await send_plans(
        s.creator, [plan], on_wait=waits.append, gate=RateGate(s.sleep, s.clock)
    )
    assert waits == [] and results[0].new_id is None
    assert results[0].error is not None and "3600" in results[0].error
    assert len(s.sim.jobs) == before


async def test_a_stopped_run_sends_nothing_more() -> None:
    s = Setup()
    olds = list(dict.fromkeys(s.failed("Parse")))[:3]
    plans = [await fetch_plan(s.client, old) for old in olds]
    before = len(s.sim.jobs)
    gate = RateGate(s.sleep, s.clock)
    gate.stop()
    results = await send_plans(s.creator, plans, gate=gate)
    assert [r.error for r in results] == ["Not sent: stopped."] * len(olds)
    assert len(s.sim.jobs) == before


def test_a_raw_config_sent_as_an_object_is_the_same_config() -> None:
    from reducto_tui.api.models import SingleJob

    as_object = SingleJob.model_validate(
        {"job_id": "j", "raw_config": {"input": "https://x/a.pdf", "queue_priority": "auto"}}
    )
    as_text = SingleJob.model_validate(
        {"job_id": "j", "raw_config": '{"input": "https://x/a.pdf", "queue_priority": "auto"}'}
    )
    assert as_object.raw_config is not None and as_text.raw_config is not None
    assert json.loads(as_object.raw_config) == json.loads(as_text.raw_config)


async def test_reachability_notes_are_the_sentences_the_user_reads() -> None:
    s = Setup()
    kept = "uploads expire and the API cannot check one"

    async def check(raw: str, created: str | None = None, probe: Probe | None = None) -> str:
        plan = plan_from("x", "Parse", raw, created)
        found = await reachability(plan, s.client, probe, now=s.clock())
        return f"{found.state.value}: {found.note}"

    async def ok(url: str) -> int:
        return 399

    async def moved(url: str) -> int:
        return 400

    async def unreachable(url: str) -> int:
        raise InvalidRequestError("That address is not allowed.")

    half_hour = "2026-03-01T11:30:00Z"  # the test clock stands at 12:00
    unknown, gone, fine = Reach.UNKNOWN.value, Reach.GONE.value, Reach.OK.value
    assert await check('{"input": "reducto://a/b.pdf"}', half_hour) == (
        f"{unknown}: uploaded 30 min ago; {kept}"
    )
    for created, age in (
        ("2026-03-01T11:15:00Z", "45 min"),
        ("2026-03-01T11:00:00Z", "1.0 h"),
        ("2026-03-01T10:39:00Z", "1.4 h"),
    ):
        assert await check('{"input": "reducto://a/b.pdf"}', created) == (
            f"{unknown}: uploaded {age} ago; {kept}"
        )
    assert await check('{"input": {"file_id": "reducto://a/b.pdf"}}') == (
        f"{unknown}: uploaded an unknown time ago; {kept}"
    )
    assert await check('{"input": "reducto://a"}', "2026-03-02T12:00:00Z") == (
        f"{unknown}: uploaded 0 min ago; {kept}"
    ), "a creation time ahead of the clock is no negative age"
    assert await check('{"input": ["reducto://a", "reducto://b"]}') == (
        f"{unknown}: 2 documents, not checked one by one"
    )
    assert await check('{"input": ""}') == f"{gone}: the config names no document"
    assert await check('{"input": "jobid://nope"}') == (
        f"{gone}: the job it reads from has expired or was deleted"
    )
    there = s.sim.jobs[-1].job_id
    assert await check(json.dumps({"input": f"jobid://{there}"})) == (
        f"{fine}: the job it reads from is still there"
    )
    link = '{"input": "https://files.example.com/a.pdf"}'
    assert await check(link, None, ok) == f"{fine}: the link answers (HTTP 399)"
    assert await check(link, None, moved) == (
        f"{gone}: the link answers HTTP 400: it may have expired or moved"
    )
    assert await check(link, None, unreachable) == (
        f"{unknown}: could not reach it: That address is not allowed."
    )
    assert await check(link) == f"{unknown}: not checked (only public https:// links are)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://printer.local/a", "Only public https:// links are checked."),
        ("https://db.internal/a", "Only public https:// links are checked."),
        ("https://[::1]/a", "Only public https:// links are checked."),
        ("https://192.168.1.5/a", "Only public https:// links are checked."),
        ("https://169.254.169.254/latest", "Only public https:// links are checked."),
        ("https:///a", "Only public https:// links are checked."),
        ("ftp://files.example.com/a", "Only public https:// links are checked."),
        ("https://fi\x00les.example.com/a", "The document link is not a valid URL."),
    ],
)
async def test_probe_link_refuses_private_or_odd_links_in_words(url: str, message: str) -> None:
    s = Setup()
    with pytest.raises(InvalidRequestError) as err:
        await probe_link(s.client, url)
    assert err.value.message == message and s.transport.seen == []


async def test_probe_link_asks_public_addresses_and_reads_a_whole_document_as_there() -> None:
    s = Setup()
    s.transport.inner = httpx.MockTransport(lambda r: httpx.Response(404))
    assert await probe_link(s.client, "https://8.8.8.8/gone.pdf") == 404
    s.transport.inner = httpx.MockTransport(
        lambda r: httpx.Response(200, content=b"x" * (65 * 1024))  # ignores the range
    )
    assert await probe_link(s.client, "https://files.example.com/a.pdf") == 200
    assert [httpx.URL(x.url).host for x in s.transport.seen] == ["8.8.8.8", "files.example.com"]
    assert s.client.oldest_inflight_age() is None


def test_the_summary_names_what_a_job_re_ran_and_what_re_ran_it() -> None:
    lineage = Lineage()
    lineage.record("old", "new-1")
    lineage.record("old", "new-2")
    lineage.record("new-1", "newer")
    assert lineage.related("old") == [("Re-run as", "new-1"), ("Re-run as", "new-2")]
    assert lineage.related("new-1") == [("Re-run of", "old"), ("Re-run as", "newer")]
    assert lineage.related("newer") == [("Re-run of", "new-1")]
    assert lineage.related("unrelated") == []


async def test_senders_wait_together_for_the_longest_hold() -> None:
    clock = FakeClock(100.0)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    gate = RateGate(sleep=sleep, clock=clock)
    await gate.wait()
    assert slept == [], "no hold: no wait"
    gate.hold(7)
    gate.hold(3)  # a shorter hold does not shorten the longer one
    await gate.wait()
    # In steps (a stop ends a long wait at once), seven seconds in all.
    assert sum(slept) == 7.0 and clock() == 107.0
    before = len(slept)
    await gate.wait()
    assert len(slept) == before, "the hold is over"


def test_an_edited_config_says_what_is_wrong_and_a_good_edit_clears_it() -> None:
    good = plan_from("j", "Parse", '{"input": "https://x/a.pdf"}')
    bad = with_body(good, "{oops")
    assert bad.problem is not None and bad.problem.startswith("The edited config is not JSON: ")
    assert with_body(good, '{"x": NaN}').problem == (
        "The edited config is not JSON: NaN is not a JSON value."
    )
    fixed = with_body(bad, '{"input": "https://x/b.pdf"}')
    assert fixed.ready and fixed.problem is None and fixed.document == "https://x/b.pdf"


async def test_a_plan_with_a_problem_is_reported_and_not_sent() -> None:
    s = Setup()
    plan = with_body(await fetch_plan(s.client, s.failed("Parse")[0]), "{oops")
    (result,) = await send_plans(s.creator, [plan])
    assert result.error == plan.problem and result.new_id is None
    assert s.transport.count(*PARSE) == 0


async def test_what_the_reachability_check_asks_and_says() -> None:
    s = Setup()
    asked: list[str] = []

    async def probe(url: str) -> int:
        asked.append(url)
        return 200

    link = plan_from("l", "Parse", '{"input": "https://files.example.com/a.pdf"}')
    assert (await reachability(link, s.client, probe)).state is Reach.OK
    assert asked == ["https://files.example.com/a.pdf"]
    s.transport.script[("GET", "/job/source-job")] = [(401, {})]
    reads = plan_from("r", "Parse", '{"input": "jobid://source-job"}')
    checked = await reachability(reads, s.client)
    assert checked.state is Reach.UNKNOWN
    assert checked.note.startswith("could not check the job it reads: ") and len(checked.note) > 40
    hours_ago = datetime.fromtimestamp(time.time() - 2 * 3600, UTC).isoformat()
    upload = plan_from("u", "Parse", '{"input": "reducto://a.pdf"}', created_at=hours_ago)
    said = await reachability(upload, s.client)  # now: the real clock
    assert said.state is Reach.UNKNOWN and said.note.startswith("uploaded 2.0 h ago;")


class _Overlap(httpx.AsyncBaseTransport):
    """Holds each POST a moment and notes how many were in flight at once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.now, self.most = inner, 0, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return await self.inner.handle_async_request(request)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(0.2)
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1


async def test_a_bulk_rerun_sends_four_at_a_time_by_default() -> None:
    s = Setup()
    plans = [await fetch_plan(s.client, old) for old in s.failed("Parse")[:10]]
    assert len(plans) >= 6
    overlap = _Overlap(s.transport.inner)
    s.transport.inner = overlap
    results = await send_plans(s.creator, plans)
    assert all(r.new_id for r in results) and overlap.most == 4


async def test_a_429_without_a_wait_backs_off_doubling_then_gives_up_in_words() -> None:
    s = Setup()
    s.client.max_retries = 0  # the client hands every 429 to the sender at once
    plan = await fetch_plan(s.client, s.failed("Parse")[0])
    s.transport.script[PARSE] = [(429, {})] * 6
    waits: list[float] = []
    seen: list[RerunResult] = []
    gate = RateGate(s.sleep, s.clock)
    results = await send_plans(
        s.creator, [plan], on_wait=waits.append, on_result=seen.append, gate=gate
    )
    (result,) = results
    assert seen == results and result.new_id is None and result.rate_waits == 5
    assert result.error is not None and result.error == getattr(result.failure, "message", None)
    assert [int(w) for w in waits] == [1, 2, 4, 8, 16]
    assert all(2**n <= w < 2**n + 1 for n, w in enumerate(waits))
    assert s.transport.count(*PARSE) == 6


async def test_a_429_asking_for_five_minutes_is_waited_out() -> None:
    s = Setup()
    plan = await fetch_plan(s.client, s.failed("Parse")[0])
    s.transport.script[PARSE] = [(429, {"Retry-After": "300"})]
    waits: list[float] = []
    (result,) = await send_plans(
        s.creator, [plan], on_wait=waits.append, gate=RateGate(s.sleep, s.clock)
    )
    assert waits == [300.0] and result.error is None and result.new_id


async def test_a_plan_without_a_kind_or_body_is_nothing_to_send() -> None:
    s = Setup()
    (result,) = await send_plans(s.creator, [RerunPlan("nothing", None, None)])
    assert result.error == "Nothing to send." and s.transport.count(*PARSE) == 0


async def test_a_fresh_gate_lets_senders_through_whatever_the_clock() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    await RateGate(sleep, lambda: 0.0).wait()
    assert slept == []


class _Ticking:
    """A sleep that moves a fake clock on, noting each step."""

    def __init__(self) -> None:
        self.clock = FakeClock(100.0)
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


async def test_a_held_gate_waits_in_half_second_steps() -> None:
    ticking = _Ticking()
    gate = RateGate(ticking.sleep, ticking.clock)
    gate.hold(1.75)
    await gate.wait()
    assert ticking.slept == [0.5, 0.5, 0.5, 0.25]
