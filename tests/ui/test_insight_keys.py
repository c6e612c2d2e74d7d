"""While the insight view is shown only its own keys work (issue 26, defects 1 and 4): the
job list's actions would hit a job the user cannot see, and help and the palette describe
the view on screen."""

from __future__ import annotations

from reducto_tui.demo.simulator import Simulator
from reducto_tui.ui.screens.confirm import ConfirmScreen
from reducto_tui.ui.screens.export import ExportScreen
from reducto_tui.ui.screens.help import HelpScreen
from reducto_tui.ui.screens.insight import InsightScreen
from tests.conftest import FakeClock
from tests.ui.conftest import help_text, make_app, screen_lines, settle, toasts, wait_loaded
from tests.ui.test_insight import open_insight


def running_sim(clock: FakeClock) -> tuple[Simulator, str]:
    sim = Simulator(jobs=30, seed=2, clock=clock, arrival_interval=0)
    return sim, sim.create("Parse", {"input": "https://x/running.pdf"}).job_id


async def test_the_job_lists_keys_do_nothing_on_the_insight_view(clock: FakeClock) -> None:
    sim, running = running_sim(clock)
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        current = app.main.table.current
        assert current is not None and current.job_id == running  # what c would cancel
        screen = await open_insight(pilot, app)
        before = set(toasts(app))
        for key in ("c", "y", "R", "ctrl+d", "o", "u", "a", "space", "ctrl+s", "p", "s"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen, f"{key} left the insight view for {app.screen!r}"
        await pilot.press("c", "y")  # the tester's "c then y": nothing to confirm
        await pilot.pause(0.3)
        assert sim.by_id[running].cancelled_at is None
        assert app.store.by_id[running].local is None
        assert app.clipboard == "", "neither y nor o copied a hidden job's id or link"
        assert app.store.marks == set() and not app.main.loading_all
        assert not app.poller.paused and app.store.view.sort_column == "created"
        new = set(toasts(app)) - before
        assert not any("Cancelled" in t or running[:8] in t for t in new), new
        assert "1-9 filter to a failure" in "\n".join(screen_lines(app))
        await pilot.press("escape")  # back on the list, its keys work again
        await settle(pilot, lambda: app.screen is app.main)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_the_palette_and_help_describe_the_insight_view(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        listed = [c.title for c in app.get_system_commands(app.screen)]
        assert "Cancel (c)" in listed and "Export (e)" in listed
        screen = await open_insight(pilot, app)
        titles = [c.title for c in app.get_system_commands(screen)]
        for job_action in ("Cancel (c)", "Re-run (R)", "Studio (o)", "Export (e)", "Back (esc)"):
            assert job_action not in titles, titles
        assert "Export insight (e)" in titles and "Back to the job list (esc)" in titles
        first = screen.numbers.failures[0]
        assert f"Filter to failure 1 (1): {first.key}" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"cancel")
        await pilot.pause(0.3)
        await pilot.press("enter")  # nothing of the list's matches: no cancel dialog
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"export insight")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = help_text(app)
        assert "Keys of the insight view" in text
        assert "filtered to that failure group" in text and "Show these keys" in text
        for list_only in ("Cancel the job(s) in focus", "Mark or unmark", "Load every page"):
            assert list_only not in text, list_only


async def test_a_failure_key_does_not_repeat_terms_the_filter_has(
    sim: Simulator, clock: FakeClock
) -> None:
    app = make_app(sim, clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        await settle(pilot, lambda: not screen.fetching and bool(screen.numbers.failures))
        code = screen.numbers.failures[0].key
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is app.main)

        def again() -> InsightScreen:
            assert isinstance(app.screen, InsightScreen)
            return app.screen

        typed = f"status:failed reason:{code} pages>0"
        await pilot.press("slash", *typed, "enter")
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, InsightScreen))
        await settle(pilot, lambda: bool(again().numbers.failures))
        await pilot.press("1")
        await settle(pilot, lambda: app.screen is app.main)
        assert app.main.filter_box.value == f"pages>0 status:failed reason:{code}"
        assert "status:failed status:failed" not in "\n".join(screen_lines(app))
