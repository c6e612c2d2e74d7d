"""JSON nested hundreds of levels deep still parses, but not every JSON writer goes that deep:
the detail shows it or says why not, and copying it says so clearly instead of taking the
app down (issue 12, tester)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.config import Settings
from reducto_tui.demo.hostile import HostileServer
from reducto_tui.ui.app import ReductoApp
from tests.conftest import FakeClock
from tests.ui.conftest import screen_lines, settle, toasts, wait_loaded


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


async def test_a_900_level_deep_job_is_shown_and_copying_it_says_why_not(
    hostile: HostileServer, clock: FakeClock, tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {"base_url": hostile.url, "api_key": "ui-SECRET-key", "export_dir": tmp_path}
    )
    client = ReductoClient("ui-SECRET-key", hostile.url)
    app = ReductoApp(settings, client=client, clock=clock, auto_refresh=False)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        index = app.store.view.index_of("deep-900")
        assert index is not None
        app.main.table.set_cursor(index)
        await pilot.press("enter")
        await settle(pilot, lambda: app.main.detail.detail is not None, rounds=200)
        app.main.detail.active_tab = "tab-raw"
        # Pretty-printed in a worker thread, whose stack is shallow: 900 levels still show.
        await settle(pilot, lambda: '"extra": [' in "\n".join(screen_lines(app)))
        screen = "\n".join(screen_lines(app))
        assert '"extra": [' in screen and "Something went wrong" not in screen
        app.main.table.focus()  # not the find box, which would take the key as text
        await pilot.press("Y")  # copy it: written on the UI thread, deeper than it can go
        await settle(pilot, lambda: any("to copy" in t for t in toasts(app)))
        assert any(
            "The job's JSON is nested too deeply (hundreds of levels) to copy; nothing was copied."
            in t
            for t in toasts(app)
        ), toasts(app)
