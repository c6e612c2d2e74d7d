"""An opt-in archive of the jobs and results the app and the CLI see (SQLite or PostgreSQL).

Imports only ``reducto_tui.api``: core, ui and cli use it, never the other way round.
"""

from reducto_tui.archive.base import Archive, ArchivedJob, ArchiveError, ArchiveStats
from reducto_tui.archive.location import open_archive

__all__ = ["Archive", "ArchiveError", "ArchiveStats", "ArchivedJob", "open_archive"]
