"""Numbers and times for people: "4 minutes ago", "1 min 12 s", "12 / 40"."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import humanize


def ago(ts: float | None, now: float) -> str:
    if ts is None:
        return "unknown"
    delta = max(0.0, now - ts)
    if delta < 5:
        return "just now"
    return str(humanize.naturaltime(delta))


def absolute(ts: float | None) -> str:
    if ts is None:
        return "unknown"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def pages(num: int | None, total: int | None) -> str:
    if num is None and total is None:
        return ""
    if num is None:
        return f"–/{total}"
    if total is None or total == num:
        return str(num)
    return f"{num}/{total}"


def count(n: int) -> str:
    return f"{n:,}"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, round(v / top * 7))] for v in values)


def progress_bar(fraction: float | None, width: int) -> str:
    """``█████░░░  62%`` in ``width`` cells; empty when unknown or too narrow."""
    if fraction is None or width < 6:
        return ""
    label = f"{fraction * 100:3.0f}%"
    cells = width - len(label) - 1
    full = round(fraction * cells)
    return "█" * full + "░" * (cells - full) + " " + label
