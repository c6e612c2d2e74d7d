"""Page loading: the first page with backoff, gap-free refreshes, bounded load-all."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reducto_tui.api.client import ReductoClient
from reducto_tui.core.poller import Poller, PollState
from reducto_tui.core.store import JobStore
from reducto_tui.demo.server import Faults, create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock


async def no_sleep(seconds: float) -> None:
    return None


def demo(jobs: int = 300) -> tuple[Simulator, FakeClock, ReductoClient, JobStore]:
    clock = FakeClock()
    sim = Simulator(jobs=jobs, seed=5, clock=clock, arrival_interval=0)
    client = ReductoClient(
        "k",
        "http://demo.test",
        transport=httpx.ASGITransport(app=create_app(sim, Faults())),
        sleep=no_sleep,
        max_retries=0,
    )
    return sim, clock, client, JobStore(clock=clock)


def api_order(sim: Simulator) -> list[str]:
    now = sim.clock()
    return [j.job_id for j in reversed(sim.jobs) if sim.visible(j, now)]


async def test_a_refresh_after_250_new_jobs_at_page_size_100_leaves_no_gap() -> None:
    sim, clock, client, store = demo()
    poller = Poller(client, store, interval=5, page_size=100, clock=clock)
    first = await poller.loader.first_page()
    assert first.ok and len(store.rows) == 100
    for n in range(250):
        clock.advance(1)
        sim.create("Parse", {"input": f"https://x/new-{n}.pdf"})
    clock.advance(5)
    changes = await poller.poll_once()
    assert poller.state is PollState.LIVE
    assert len(changes.added) == 250
    expected = api_order(sim)[:350]
    assert [r.job_id for r in store.rows] == expected
    assert [r.job_id for r in store.view.rows] == expected
    # The cursor for "n" still continues below the old first page.
    more = await poller.loader.next_page()
    assert more.ok and [r.job_id for r in more.changes.added] == api_order(sim)[350:450]


async def test_a_refresh_gives_up_after_its_page_bound_and_says_so() -> None:
    sim, clock, client, store = demo(jobs=50)
    poller = Poller(client, store, interval=5, page_size=10, clock=clock)
    poller.loader.max_gap_pages = 3
    await poller.loader.first_page()
    for n in range(100):
        clock.advance(1)
        sim.create("Parse", {"input": f"https://x/new-{n}.pdf"})
    outcome = await poller.loader.first_page()
    assert outcome.ok and outcome.pages == 3 and "missing" in outcome.problem
    assert len(outcome.changes.added) == 30


async def test_a_failed_first_page_goes_on_the_backoff_and_a_rejected_key_stops() -> None:
    sim, clock, _, store = demo(jobs=10)
    refusing = ReductoClient(
        "k",
        "http://demo.test",
        transport=httpx.ASGITransport(app=create_app(sim, Faults(require_key="other"))),
        sleep=no_sleep,
        max_retries=0,
    )
    poller = Poller(refusing, store, interval=5, clock=clock)
    outcome = await poller.loader.first_page()
    assert not outcome.ok and poller.state is PollState.KEY_REJECTED and not poller.due()
    flaky = ReductoClient(
        "k",
        "http://demo.test",
        transport=httpx.ASGITransport(app=create_app(sim, Faults(error_rate=1.0))),
        sleep=no_sleep,
        max_retries=0,
    )
    poller = Poller(flaky, store, interval=5, clock=clock)
    outcome = await poller.loader.first_page()
    assert not outcome.ok and poller.state is PollState.RECONNECTING
    assert 5 <= poller.seconds_until_next() <= 10
    await poller.loader.first_page()
    assert 10 <= poller.seconds_until_next() <= 20


def looping_server(empty_forever: bool) -> Starlette:
    """A server whose cursors go round in circles: either back to page 2 after page 3, or
    to ever new cursors with no jobs."""

    async def jobs(request: Request) -> JSONResponse:
        cursor = request.query_params.get("cursor")
        if empty_forever and cursor:
            return JSONResponse({"jobs": [], "next_cursor": f"{cursor}x"})
        n = int(cursor[1:]) if cursor else 1
        items = [
            {"job_id": f"p{n}-{k}", "status": "Completed", "created_at": "2026-03-01T10:00:00Z"}
            for k in range(3)
        ]
        following = f"c{n + 1}" if n < 3 else "c2"
        return JSONResponse({"jobs": items, "next_cursor": following})

    return Starlette(routes=[Route("/jobs", jobs)])


@pytest.mark.parametrize(("empty_forever", "pages"), [(False, 2), (True, 3)])
async def test_load_all_stops_on_a_repeating_cursor_or_endless_empty_pages(
    empty_forever: bool, pages: int
) -> None:
    if True:
        client = ReductoClient(
            "k",
            "http://loop.test",
            transport=httpx.ASGITransport(app=looping_server(empty_forever)),
            sleep=no_sleep,
            max_retries=0,
        )
        store = JobStore(clock=FakeClock())
        poller = Poller(client, store, clock=FakeClock())
        await poller.loader.first_page()
        seen: list[int] = []
        outcome = await poller.loader.load_all(on_page=lambda o: seen.append(o.pages))
        assert outcome.problem and len(seen) == pages, (empty_forever, seen)
        assert store.next_cursor is None
        if not empty_forever:
            assert len(store.rows) == 9
            assert outcome.problem == (
                "The server sent a page cursor seen before; stopped loading."
            )


def paged_server(
    pages: list[int],
    fail_at: int | None = None,
    same_cursor_at: int | None = None,
    gate: asyncio.Event | None = None,
) -> tuple[Starlette, list[str]]:
    """A server whose page n holds ``pages[n]`` jobs (and one item without a job id);
    asked cursors are recorded in order. ``fail_at``: that page answers 500;
    ``same_cursor_at``: that page points to itself; ``gate``: pages after the first wait
    until it is set."""
    asked: list[str] = []

    async def jobs(request: Request) -> JSONResponse:
        n = int(request.query_params.get("cursor") or 0)
        asked.append(str(n))
        if gate is not None and n > 1:
            await gate.wait()
        if n == fail_at:
            return JSONResponse({"detail": "boom"}, status_code=500)
        items: list[dict[str, object]] = [
            {"job_id": f"p{n}-{k}", "status": "Completed", "created_at": "2026-03-01T10:00:00Z"}
            for k in range(pages[n])
        ]
        items.append({"status": "Completed"})  # unreadable: no job id
        following = str(n + 1) if n + 1 < len(pages) else None
        if n == same_cursor_at:
            following = str(n)
        return JSONResponse({"jobs": items, "next_cursor": following})

    return Starlette(routes=[Route("/jobs", jobs)]), asked


async def loaded_first(app: Starlette) -> Poller:
    client = ReductoClient(
        "k",
        "http://paged.test",
        transport=httpx.ASGITransport(app=app),
        sleep=no_sleep,
        max_retries=0,
    )
    poller = Poller(client, JobStore(clock=FakeClock()), clock=FakeClock())
    assert (await poller.loader.first_page()).ok
    return poller


async def test_load_all_loads_every_page_asking_for_the_next_before_storing_one() -> None:
    app, asked = paged_server([3] * 8)
    poller = await loaded_first(app)
    store = poller.store
    seen_at_fetch: list[int] = []
    outcomes: list[int] = []
    total = await poller.loader.load_all(
        on_page=lambda o: outcomes.append(len(o.changes.added)),
        on_fetched=lambda: seen_at_fetch.append(len(asked)),
    )
    assert total.ok and total.problem == "" and total.pages == 7
    assert len(total.changes.added) == 21 and outcomes == [3] * 7
    assert len(store.rows) == 24 and store.next_cursor is None
    assert asked == [str(n) for n in range(8)], "each page asked once, in order"
    # When page n is put in the store, page n+1 was already asked for (the last has none).
    assert seen_at_fetch == [3, 4, 5, 6, 7, 8, 8]


async def test_load_all_stops_at_once_when_told_to() -> None:
    app, asked = paged_server([3] * 5)
    poller = await loaded_first(app)
    total = await poller.loader.load_all(keep_going=lambda: False)
    assert total.pages == 0 and asked == ["0"] and poller.store.next_cursor == "1"


async def test_load_all_stops_at_a_failed_page_and_keeps_its_place() -> None:
    app, asked = paged_server([3] * 6, fail_at=3)
    poller = await loaded_first(app)
    total = await poller.loader.load_all()
    assert total.pages == 2 and len(poller.store.rows) == 9
    assert total.error is not None and "500" in total.error.message and total.problem == ""
    assert poller.store.next_cursor == "3", "n or a tries the failed page again"


async def test_a_few_empty_pages_between_full_ones_are_not_a_loop() -> None:
    # Two empty pages, then one with jobs, again and again: never three empty in a row.
    app, asked = paged_server([3, 0, 0, 3, 0, 0, 3, 0, 0, 3])
    poller = await loaded_first(app)
    total = await poller.loader.load_all()
    assert total.ok and total.problem == "" and total.pages == 9
    assert len(poller.store.rows) == 12 and poller.store.next_cursor is None


async def test_next_page_counts_unreadable_items_and_calls_the_hook_once() -> None:
    app, asked = paged_server([3, 3, 3])
    poller = await loaded_first(app)
    store = poller.store
    assert store.skipped == 1, "the first page's item without an id is counted"
    hooks: list[int] = []
    outcome = await poller.loader.next_page(on_fetched=lambda: hooks.append(len(store.rows)))
    assert outcome.ok and outcome.pages == 1 and len(outcome.changes.added) == 3
    assert hooks == [3], "the hook runs after the request, before the rows go in"
    assert store.skipped == 2 and store.next_cursor == "2" and store.pages_loaded == 2


async def test_next_page_asks_nothing_before_the_first_page_or_after_the_last() -> None:
    app, asked = paged_server([3])
    client = ReductoClient("k", "http://paged.test", transport=httpx.ASGITransport(app=app))
    poller = Poller(client, JobStore(clock=FakeClock()), clock=FakeClock())
    nothing = await poller.loader.next_page()
    assert nothing.pages == 0 and nothing.ok and asked == []
    await poller.loader.first_page()
    after = await poller.loader.next_page()
    assert after.pages == 0 and asked == ["0"]


async def test_a_page_pointing_to_itself_stops_loading_with_a_message() -> None:
    app, asked = paged_server([3, 3, 3], same_cursor_at=1)
    poller = await loaded_first(app)
    outcome = await poller.loader.next_page()
    assert outcome.problem == "The server sent the same page cursor twice; stopped loading."
    assert len(outcome.changes.added) == 3 and poller.store.next_cursor is None
    assert outcome.pages == 1 and outcome.error is None


async def test_a_failed_next_page_says_why_and_changes_nothing() -> None:
    app, asked = paged_server([3, 3], fail_at=1)
    poller = await loaded_first(app)
    outcome = await poller.loader.next_page()
    assert outcome.error is not None and "HTTP 500" in outcome.error.message
    assert outcome.pages == 0 and poller.store.next_cursor == "1" and len(poller.store.rows) == 3


async def test_stopping_load_all_drops_the_request_sent_ahead() -> None:
    """Stopped after a page, the page asked for ahead is cancelled: no request hangs on
    (the header would say 'waiting for the server'), and nothing is logged about it."""
    gate = asyncio.Event()
    app, asked = paged_server([3, 3, 3, 3], gate=gate)
    poller = await loaded_first(app)
    problems: list[object] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: problems.append(ctx))
    pages = 0

    def once() -> bool:
        return pages == 0

    def count(outcome: object) -> None:
        nonlocal pages
        pages += 1

    total = await poller.loader.load_all(keep_going=once, on_page=count)
    assert total.pages == 1 and asked == ["0", "1", "2"], "page 2 was asked for ahead"
    for _ in range(10):
        await asyncio.sleep(0)
    assert poller.client.oldest_inflight_age() is None, "the request ahead was cancelled"
    gate.set()
    more = await poller.loader.next_page()  # asked again when wanted
    assert more.ok and asked[-1] == "2" and len(poller.store.rows) == 9
    assert problems == []
