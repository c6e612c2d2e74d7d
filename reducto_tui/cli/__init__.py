"""The command line: ``reducto-tui`` (the dashboard) and its scriptable subcommands."""

from reducto_tui.cli.app import main

__all__ = ["main"]
