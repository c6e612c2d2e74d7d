"""SVG snapshots of the look, from fixed-seed demo data at a frozen moment.

Update after an intended change of look: ``pytest tests/snapshots --snapshot-update``.
"""

from __future__ import annotations

from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.ui.conftest import make_app, wait_loaded


def app_at_frozen_time():  # type: ignore[no-untyped-def]
    clock = FakeClock()
    return make_app(Simulator(jobs=300, seed=7, clock=clock, arrival_interval=0), clock)


async def loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, pilot.app)


def test_main_screen_wide(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 40), run_before=loaded)


def test_main_screen_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_at_frozen_time(), terminal_size=(80, 24), run_before=loaded)


def test_filter_in_use(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await loaded(pilot)
        await pilot.press("slash", *"status:failed")

    assert snap_compare(app_at_frozen_time(), terminal_size=(120, 30), run_before=run)


def _open(type_: str):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await loaded(pilot)
        await pilot.press(*f"/type:{type_} status:completed", "enter")
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.detail.detail is not None:
                break
        await pilot.press("right_square_bracket")  # the Result tab
        await pilot.pause(0.1)

    return run


def test_parse_detail(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 45), run_before=_open("parse"))


def test_split_detail(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_at_frozen_time(), terminal_size=(160, 45), run_before=_open("split"))
