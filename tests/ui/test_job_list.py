"""The main screen driven by keys, as a user would."""

from __future__ import annotations

from textual.widgets import Input

from reducto_tui.core.filters import compile_filter
from reducto_tui.demo.simulator import HOSTILE_SOURCE, Simulator
from reducto_tui.ui.app import ReductoApp
from reducto_tui.ui.widgets.job_table import JobTable
from tests.conftest import FakeClock
from tests.plain import static_text
from tests.ui.conftest import help_keys, help_text, make_app, settle, toasts, wait_loaded


def screen_text(app: ReductoApp) -> str:
    return str(app.export_screenshot())


async def test_first_page_then_next_page_then_all(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = app.query_one(JobTable)
        assert len(table.view) == 50
        assert "50 loaded · more available" in static_text(app.main.status_line)
        await pilot.press("n")
        await wait_loaded(pilot, app, pages=2)
        assert len(app.store.rows) == 100
        await pilot.press("a")
        await settle(pilot, lambda: not app.store.next_cursor and not app.main.loading_all)
        assert len(app.store.rows) == 300
        assert "all 300 loaded" in static_text(app.main.status_line)
        assert not app.main.load_bar.display


async def test_scrolling_near_the_end_loads_more(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("end")
        await wait_loaded(pilot, app, pages=2)
        assert app.store.pages_loaded >= 2
        assert app.query_one(JobTable).cursor == 49  # the cursor stays where the user put it


async def test_filter_applies_per_keystroke_and_escape_clears(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash")
        assert app.query_one("#filter", Input).has_focus
        for key in "status:failed":
            await pilot.press(key if key != ":" else "colon")
        rows = app.store.view.rows
        assert rows and all(r.kind.value == "failed" for r in rows)
        assert f"{len(rows)} match" in static_text(app.main.status_line)
        await pilot.press("enter", "escape")
        assert len(app.store.view) == 50 and not app.query_one("#filter", Input).display


async def test_quick_status_keys_and_sort(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("5")
        assert {r.kind.value for r in app.store.view.rows} == {"cancelled"}
        await pilot.press("0")
        assert len(app.store.view) == 50
        await pilot.press("s")  # created -> status
        assert app.store.view.sort_column == "status"
        await pilot.press("S")
        assert app.store.view.descending is False
        await pilot.click(JobTable, offset=(4, 0))  # the header's Status column
        assert app.store.view.sort_column == "status" and app.store.view.descending is True


async def test_marks_are_counted_and_survive_filters(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        table = app.query_one(JobTable)
        first = table.current
        assert first is not None
        await pilot.press("space", "space")
        assert len(app.store.marks) == 2 and table.cursor == 2
        await pilot.press("slash", *"zzzz-no-match", "enter")
        line = static_text(app.main.status_line)
        assert "2 marked (2 hidden by filter)" in line
        await pilot.press("escape", "ctrl+a")
        assert len(app.store.marks) == 50


async def test_server_text_is_shown_literally(clock: FakeClock) -> None:
    sim = Simulator(jobs=40, seed=7, clock=clock, arrival_interval=0)
    hostile = next(j for j in sim.jobs if j.source == HOSTILE_SOURCE)
    app = make_app(sim, clock)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        svg = screen_text(app)
        assert "[bold&#160;red]not&#160;markup[/]" in svg or "[bold red]not markup[/]" in svg
        assert "\x1b" not in svg
        assert hostile.job_id[:8] in svg
        assert "ui-SECRET-key" not in svg


async def test_help_screen_lists_bindings_and_grammar(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        from reducto_tui.ui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        keys = help_keys(app)
        assert keys["cancel"] == "c" and keys["filter"] == "/" and keys["next_tab"] == "]"
        assert keys["export_list"] == "^s" and keys["quick_4"] == "4", keys
        shown = help_text(app)
        assert "Filter grammar" in shown
        assert "pages>20" in shown and "age<1h" in shown and "-status:completed" in shown
        # Every term of the grammar is there, and each example shown is a filter that reads.
        examples = ["stuck", "credits>10", "created>=2026-11-24", "archived", "-archived"]
        for term in examples:
            assert term in shown, term
            assert not compile_filter(term, clock()).errors, term
        await pilot.press("escape")
        assert not app.screen.is_modal


async def test_network_loss_keeps_data_and_says_so(sim: Simulator, clock: FakeClock) -> None:
    import httpx

    from reducto_tui.api.client import ReductoClient
    from reducto_tui.config import Settings
    from reducto_tui.ui.app import ReductoApp

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def no_sleep(s: float) -> None:
        return None

    client = ReductoClient(
        "k", "http://down.test", transport=httpx.MockTransport(refuse), sleep=no_sleep
    )
    app = ReductoApp(Settings(base_url="http://down.test"), client=client, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: app.main.load_error, rounds=50)
        assert "Could not reach http://down.test" in static_text(app.main.status_line)
        assert app.is_running
        assert app.poller.seconds_until_next() > 0, "the retry waits for its backoff"


async def test_first_page_is_retried_when_the_network_comes_back(
    sim: Simulator, clock: FakeClock
) -> None:
    import httpx

    from reducto_tui.api.client import ReductoClient
    from reducto_tui.config import Settings
    from reducto_tui.demo.server import create_app
    from reducto_tui.ui.app import ReductoApp

    up = httpx.ASGITransport(app=create_app(sim))
    state = {"down": True}

    class Flaky(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if state["down"]:
                raise httpx.ConnectError("refused", request=request)
            return await up.handle_async_request(request)

    async def no_sleep(s: float) -> None:
        return None

    client = ReductoClient("k", "http://flaky.test", transport=Flaky(), sleep=no_sleep)
    app = ReductoApp(
        Settings(base_url="http://flaky.test", page_size=50), client=client, clock=clock
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: app.main.load_error, rounds=50)
        assert app.store.pages_loaded == 0
        state["down"] = False
        app.poller.refresh_now()  # as if the backoff had run out...
        await wait_loaded(pilot, app)  # ...the app's next timer tick retries the first page
        assert len(app.store.rows) == 50 and app.main.load_error == ""
        assert app.store.next_cursor is not None


async def test_keys_are_rebindable_from_the_config(clock: FakeClock) -> None:
    from reducto_tui.ui.screens.confirm import ConfirmScreen

    sim = Simulator(jobs=20, seed=2, clock=clock, arrival_interval=0)
    sim.create("Parse", {"input": "https://x/new.pdf"})
    app = make_app(sim, clock, keys={"cancel": "x"})
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_command_palette_lists_the_actions(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Cancel (c)" in titles and "Load all (a)" in titles and "Export (e)" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"load all", "enter")
        await settle(pilot, lambda: not app.store.next_cursor and not app.main.loading_all)
        assert len(app.store.rows) == len(sim.jobs)


async def test_a_marked_job_that_finishes_gets_a_toast_and_others_do_not(
    clock: FakeClock,
) -> None:
    sim = Simulator(jobs=20, seed=2, clock=clock, arrival_interval=0)
    watched = sim.create("Parse", {"input": "https://x/watched.pdf"})
    other = sim.create("Parse", {"input": "https://x/other.pdf"})
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("down", "space")  # the newest is "other"; mark the one below
        assert app.store.marks == {watched.job_id}
        clock.advance(3600)  # both finish on the server
        await pilot.press("r")
        await settle(pilot, lambda: any("watched.pdf" in m for m in toasts(app)))
        (note,) = [m for m in toasts(app) if watched.job_id[:8] in m]
        assert f"is {watched.status(clock())}." in note
        assert not any(other.job_id[:8] in m for m in toasts(app)), "only watched jobs"


async def test_toasts_show_server_text_literally(sim: Simulator, clock: FakeClock) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        app.notify("Job x ([bold red]evil[/] name) finished")
        await pilot.pause()
        assert "Job x ([bold red]evil[/] name) finished" in toasts(app), toasts(app)


async def test_new_jobs_on_top_keep_cursor_marks_and_screen_position(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot, app)
        table = app.main.table
        table.set_cursor(25)
        await pilot.press("space")  # marks row 25, cursor moves to 26
        await pilot.pause()
        job = table.current
        assert job is not None
        on_screen = table.cursor - int(table.scroll_offset.y)
        for n in range(3):
            sim.create("Parse", {"input": f"https://x/new-{n}.pdf"})
        app.poller.refresh_now()
        app.main.poll()
        await settle(pilot, lambda: len(app.store.rows) == 53)
        assert len(app.store.rows) == 53
        assert table.current is job and table.cursor == 29
        assert table.cursor - int(table.scroll_offset.y) == on_screen
        assert len(app.store.marks) == 1


async def test_columns_fit_any_width_without_sideways_scrolling(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        for width in (80, 100, 121, 160, 200):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            table = app.main.table
            assert table.virtual_size.width <= table.scrollable_content_region.width, width
            titles = [c.title for c in table._columns]
            assert "Status" in titles and "Source (file)" in titles


async def test_a_job_that_completes_loses_its_progress_bar(clock: FakeClock) -> None:
    sim = Simulator(jobs=20, seed=2, clock=clock, arrival_interval=0)
    job = sim.create("Parse", {"input": "https://x/run.pdf"})
    clock.advance(job.queue_s + job.run_s / 2)  # half way through its run
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot, app)
        row = app.store.by_id[job.job_id]

        def drawn() -> str:
            index = app.main.table.view.index_of(job.job_id)
            assert index is not None
            return "".join(seg.text for seg in app.main.table.render_line(index + 1))

        await pilot.press("r")  # a refresh asks GET /job for the open jobs: its progress
        await settle(pilot, lambda: "%" in drawn())
        clock.advance(job.run_s + job.completing_s + 60)
        await pilot.press("r")
        await settle(pilot, lambda: row.kind.value != "running")
        await pilot.pause()
        assert "%" not in drawn() and "█" not in drawn() and "░" not in drawn(), drawn()
