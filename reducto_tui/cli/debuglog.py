"""``--debug``: a log file in the platform's log dir, with the API key redacted."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
import platformdirs

from reducto_tui.config import APP_NAME
from reducto_tui.render.text import clean

if TYPE_CHECKING:
    from reducto_tui.cli.context import Globals

_SECRETS: set[str] = set()
LOG = logging.getLogger("reducto_tui.cli")
# Without --debug nothing is logged anywhere (not even via logging's stderr fallback).
LOG.addHandler(logging.NullHandler())


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in _SECRETS:
            text = text.replace(secret, "***")
        # Server text reaches the log too: escaped as on screen, so `cat` of a log cannot
        # retitle or clear the terminal.
        return clean(text)


def redact(secret: str | None) -> None:
    """Never write ``secret`` to the log (the key may arrive after the log has started)."""
    if secret and len(secret) >= 4:
        _SECRETS.add(secret)


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME))


def start_debug_log(g: Globals, ctx: click.Context) -> None:
    if g.log_path is not None:
        return
    directory = log_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / f"cli-{time.strftime('%Y%m%d-%H%M%S')}.log"
        # Requests, ids and server text are private even with the key redacted: 0600.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        click.echo(f"Debug log: cannot write to {directory} ({exc.strerror})", err=True)
        return
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    g.log_path = path

    def stop() -> None:
        root.removeHandler(handler)
        handler.close()

    ctx.find_root().call_on_close(stop)
    click.echo(f"Debug log: {path}", err=True)
