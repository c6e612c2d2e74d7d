"""Numbers and times for people: "4 minutes ago", "1 min 12 s", "12 / 40".

Every formatter is total: any float (inf, nan, negative, huge), any int and any timestamp
gives text, never an exception; what cannot be shown honestly reads "unknown".
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import humanize

UNKNOWN = "unknown"
#: Beyond this, a span of time is not news anyone can use (and humanize's range ends).
_LONGEST = 1000 * 365.25 * 86400


def _finite(value: float | None) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def ago(ts: float | None, now: float) -> str:
    if not _finite(ts) or not _finite(now):
        return UNKNOWN
    assert ts is not None
    delta = now - ts
    if delta < -60:
        return "in the future"
    delta = max(0.0, delta)
    if delta < 5:
        return "just now"
    if delta > _LONGEST:
        return "long ago"
    try:
        return str(humanize.naturaltime(delta))
    except (OverflowError, ValueError):
        return UNKNOWN


def absolute(ts: float | None) -> str:
    if not _finite(ts):
        return UNKNOWN
    assert ts is not None
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):
        return UNKNOWN


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if not _finite(seconds) or seconds < 0:
        return UNKNOWN
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    if seconds > _LONGEST:
        return UNKNOWN
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def _count_or_unknown(n: int | None) -> str:
    if n is None:
        return "–"
    if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n >= 10**15:
        return UNKNOWN
    return str(n)


def pages(num: int | None, total: int | None) -> str:
    if num is None and total is None:
        return ""
    shown, whole = _count_or_unknown(num), _count_or_unknown(total)
    if total is None or total == num:
        return shown
    return f"{shown}/{whole}"


def count(n: int) -> str:
    if isinstance(n, bool) or not isinstance(n, int) or abs(n) >= 10**15:
        return UNKNOWN
    return f"{n:,}"


def number(value: float | None) -> str:
    """A quantity such as credits: ``12``, ``0.5``, ``1.25e+06``; "unknown" when not finite."""
    if not _finite(value):
        return UNKNOWN
    return f"{value:g}"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    finite = [v if _finite(v) and v > 0 else 0 for v in values]
    top = max(finite, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[min(7, round(v / top * 7))] for v in finite)


def percent(fraction: float | None) -> str:
    """``fraction`` (0..1) as a percentage; below 10 % one decimal, so 0.5 % is not 1 %."""
    if not _finite(fraction):
        return UNKNOWN
    assert fraction is not None
    pct = max(0.0, min(100.0, fraction * 100))
    if pct < 10 and round(pct, 1) != round(pct):
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"


def progress_bar(fraction: float | None, width: int) -> str:
    """``█████░░░  62%`` in ``width`` cells; empty when unknown or too narrow."""
    if not _finite(fraction) or width < 6:
        return ""
    assert fraction is not None
    fraction = max(0.0, min(1.0, fraction))
    label = percent(fraction).rjust(4)
    cells = width - len(label) - 1
    full = round(fraction * cells)
    return "█" * full + "░" * (cells - full) + " " + label
