"""Shared fixtures: a fake clock, the demo server in-process, and a client that talks to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import JobDetail, UrlResult
from reducto_tui.demo.server import Extras, Faults, create_app
from reducto_tui.demo.simulator import FROZEN as FROZEN  # re-exported: tests use it from here
from reducto_tui.demo.simulator import Simulator

DATA = Path(__file__).resolve().parent / "data"

# scripts/mutation.sh: every call goes through mutmut's trampolines on a shared, niced
# machine, so an example can take seconds; hypothesis would fail it for being slow, not wrong.
if os.environ.get("REDUCTO_MUTATION"):
    settings.register_profile("mutation", deadline=None)
    settings.load_profile("mutation")


class FakeClock:
    def __init__(self, now: float = FROZEN) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(jobs=300, seed=7, clock=clock, arrival_interval=0)


def in_process_client(
    sim: Simulator, faults: Faults | None = None, extras: Extras | None = None, **kwargs: Any
) -> ReductoClient:
    transport = httpx.ASGITransport(app=create_app(sim, faults, extras))
    kwargs.setdefault("sleep", _no_sleep)
    return ReductoClient("test-key-SECRET", "http://demo.test", transport=transport, **kwargs)


def result_url(job: JobDetail) -> str:
    """The link of a job whose result the server sent as a URL (fails if it sent the result)."""
    inner = getattr(job.result, "result", None)
    assert isinstance(inner, UrlResult), job.result
    return inner.url


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[ReductoClient]:
    async with in_process_client(sim) as c:
        yield c
