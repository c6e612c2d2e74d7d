"""CLI tests: the real CLI (click's runner) against real servers on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from reducto_tui.cli import main
from reducto_tui.demo.runner import BackgroundServer, free_port
from reducto_tui.demo.server import Faults, create_app
from reducto_tui.demo.simulator import Simulator

KEY = "cli-SECRET-key"


class Served:
    """Any ASGI app under uvicorn in a thread; counts the requests per path."""

    def __init__(self, app: Any) -> None:
        self.hits: list[str] = []
        self.times: list[float] = []

        async def counted(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.hits.append(scope["path"])
                self.times.append(time.monotonic())
            await app(scope, receive, send)

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            counted, port=self.port, log_level="critical", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> Served:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDUCTO_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("REDUCTO_API_KEY", KEY)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("REDUCTO_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def demo() -> Iterator[BackgroundServer]:
    with BackgroundServer(jobs=240, seed=4, arrival_interval=0) as server:
        yield server


def simulated(
    jobs: int = 60, seed: int = 4, faults: Faults | None = None
) -> tuple[Served, Simulator, Clock]:
    """The demo app on a clock the test moves, with its requests counted."""
    clock = Clock()
    sim = Simulator(jobs=jobs, seed=seed, clock=clock, arrival_interval=0)
    return Served(create_app(sim, faults)), sim, clock


Invoke = Callable[..., Result]


def collect(stream: Any, into: list[str]) -> None:
    """Append the lines of a child's ``stream`` to ``into`` from a thread (reads never block)."""

    def pump() -> None:
        for line in stream:
            into.append(line)

    threading.Thread(target=pump, daemon=True).start()


def until(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def cli() -> Invoke:
    def invoke(*args: str, input: str | None = None) -> Result:
        result = CliRunner().invoke(main, list(args), input=input)
        assert KEY not in result.output
        return result

    return invoke
