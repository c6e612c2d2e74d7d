"""The demo server in another process, as a remote API would be: its work must not count
as the client's (a thread would share our GIL and our event loop's stalls)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoServer:
    """``reducto-tui demo-server --port N --jobs J`` in a subprocess, for a ``with`` block."""

    def __init__(self, jobs: int, seed: int = 2) -> None:
        self.jobs = jobs
        self.seed = seed
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> DemoServer:
        command = [
            *(sys.executable, "-m", "reducto_tui", "demo-server"),
            *("--port", str(self.port), "--jobs", str(self.jobs), "--seed", str(self.seed)),
            *("--arrival-interval", "0"),
        ]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600  # a million simulated jobs take a while to make
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"demo server exited with {self.proc.returncode}")
            try:
                httpx.get(self.url + "/jobs", params={"limit": 1}, timeout=5)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("demo server did not start")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
