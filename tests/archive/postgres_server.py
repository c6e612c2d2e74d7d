"""A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, on a free port.

Uses the server binaries of the machine (Debian's ``postgresql`` package, which ``.ci/run``
installs when missing). initdb refuses to run as root, so as root the cluster belongs to the
``postgres`` user (or ``nobody``) and the server runs as that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from reducto_tui.demo.runner import free_port


class NoPostgres(Exception):
    """Why no cluster could be started (the tests skip with this reason)."""


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise NoPostgres(
        "no PostgreSQL server binaries (initdb) on this machine: apt-get install postgresql"
    )


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoPostgres(
        "running as root and there is no 'postgres' or 'nobody' user to own the cluster"
    )


class Cluster:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.owner = _owner()
        self.dir = Path(tempfile.mkdtemp(prefix="reducto-tui-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        self._databases = 0
        if self.owner is not None:
            os.chown(self.dir, self.owner.pw_uid, self.owner.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.owner is not None:
            kwargs = {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
        return subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, cwd=self.dir, **kwargs
        )

    def start(self) -> Cluster:
        data = self.dir / "data"
        init = self._run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--no-locale",
        )
        if init.returncode != 0:
            self.remove()
            raise NoPostgres(f"initdb failed: {init.stderr.strip()[-300:]}")
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        started = self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        if started.returncode != 0:
            log = (
                (self.dir / "log").read_text(errors="replace")[-300:]
                if (self.dir / "log").exists()
                else ""
            )
            self.remove()
            raise NoPostgres(f"the server did not start: {started.stderr.strip()[-200:]} {log}")
        return self

    def new_database(self) -> str:
        import psycopg

        self._databases += 1
        name = f"archive_{self._databases}"
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"{self.url}/{name}"

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        self.remove()

    def remove(self) -> None:
        for _ in range(3):
            try:
                shutil.rmtree(self.dir)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.2)
