"""reducto-tui: a terminal dashboard for Reducto async jobs."""

__version__ = "0.1.0"
