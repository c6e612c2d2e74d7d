"""Archive tests: real SQLite files under tmp_path and a real PostgreSQL started for the
session (tests.archive.postgres_server); the demo server in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reducto_tui.archive import Archive, open_archive
from reducto_tui.archive.sqlite import SqliteArchive
from tests.archive.postgres_server import Cluster, NoPostgres

#: CI sets this: there a PostgreSQL that cannot start is a failure, not a skip.
REQUIRE = "REDUCTO_TUI_REQUIRE_POSTGRES"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        cluster = Cluster().start()
    except NoPostgres as exc:
        if os.environ.get(REQUIRE):
            pytest.fail(f"PostgreSQL is required ({REQUIRE}) but: {exc}")
        pytest.skip(f"no PostgreSQL for the archive tests: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "archive.sqlite3"


@pytest.fixture(params=["sqlite", "postgres"])
def archive_url(request: pytest.FixtureRequest, db_path: Path) -> str:
    """Where an archive lives: each test that takes it runs on both backends."""
    if request.param == "sqlite":
        return str(db_path)
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def archive(archive_url: str) -> Iterator[Archive]:
    opened = open_archive(archive_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_archive(db_path: Path) -> Iterator[SqliteArchive]:
    opened = SqliteArchive(db_path)
    yield opened
    opened.close()
