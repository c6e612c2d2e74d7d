"""Archive tests: real SQLite files under tmp_path, the demo server in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reducto_tui.archive.sqlite import SqliteArchive


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "archive.sqlite3"


@pytest.fixture
def archive(db_path: Path) -> Iterator[SqliteArchive]:
    opened = SqliteArchive(db_path)
    yield opened
    opened.close()
