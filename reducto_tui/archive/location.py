"""Where the archive lives: a SQLite file in the user's data dir, or a PostgreSQL URL."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from reducto_tui.archive.base import Archive

APP_NAME = "reducto-tui"
FILE_NAME = "archive.sqlite3"
POSTGRES = ("postgresql://", "postgres://")


def default_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / FILE_NAME


def is_postgres(url: str | None) -> bool:
    return url is not None and url.strip().lower().startswith(POSTGRES)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(//[^/:@]*):[^/@]*@", r"\1:***@", url)


def describe(url: str | None) -> str:
    """Where the archive lives, without opening it (and without a password)."""
    return safe_url(url.strip()) if url is not None and is_postgres(url) else str(sqlite_path(url))


def sqlite_path(url: str | None) -> Path:
    """``None``/empty: the default file; ``sqlite:///abs/path`` or a plain path: that file."""
    if not url or not url.strip():
        return default_path()
    url = url.strip()
    if url.startswith("sqlite://"):
        url = url.removeprefix("sqlite://")
    return Path(url).expanduser()


def open_archive(url: str | None = None, timeout: float = 5.0) -> Archive:
    """Raises :class:`~reducto_tui.archive.ArchiveError` with a message fit for the user."""
    if url is not None and is_postgres(url):
        from reducto_tui.archive.postgres import PostgresArchive

        return PostgresArchive(url.strip(), timeout)
    from reducto_tui.archive.sqlite import SqliteArchive

    return SqliteArchive(sqlite_path(url), timeout)
