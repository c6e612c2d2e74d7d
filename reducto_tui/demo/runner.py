"""Serve the demo API with uvicorn: in the foreground, or in a thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from reducto_tui.demo.server import Extras, Faults, create_app
from reducto_tui.demo.simulator import STUCK_SPAN, Simulator


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """uvicorn serving any ASGI app in a daemon thread; ``url`` is ready once started.

    ``force_exit``: stop without waiting for open responses (an endless body never ends).
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int | None = None,
        name: str = "server",
        force_exit: bool = False,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.name = name
        self.force_exit = force_exit
        config = uvicorn.Config(
            app, host=host, port=self.port, log_level="critical", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The {self.name} did not start on {self.url}.")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = self.force_exit
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class BackgroundServer(ThreadedServer):
    """The demo API in a daemon thread on a free loopback port."""

    def __init__(
        self,
        jobs: int = 500,
        seed: int = 0,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        clock: Callable[[], float] = time.time,
        arrival_interval: float = 8.0,
        extras: Extras | None = None,
        stuck_span: float = STUCK_SPAN,
    ) -> None:
        self.simulator = Simulator(
            jobs=jobs,
            seed=seed,
            clock=clock,
            arrival_interval=arrival_interval,
            stuck_span=stuck_span,
        )
        super().__init__(create_app(self.simulator, faults, extras), host, port, name="demo server")


def serve_forever(
    host: str,
    port: int,
    jobs: int,
    seed: int,
    faults: Faults,
    arrival_interval: float = 8.0,
    extras: Extras | None = None,
    stuck_span: float = STUCK_SPAN,
) -> None:
    sim = Simulator(jobs=jobs, seed=seed, arrival_interval=arrival_interval, stuck_span=stuck_span)
    app = create_app(sim, faults, extras)
    uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
