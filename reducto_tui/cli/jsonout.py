"""The one JSON writer of the CLI: valid JSON only, and nothing a terminal would act on.

``json.dumps`` escapes C0 controls but leaves DEL, the C1 controls (``\\x9b`` is an 8-bit
CSI) and the bidi overrides raw; JSON allows ``\\u009b``, so they are written escaped and a
reader still gets the exact string back. ``Infinity``/``NaN`` are not JSON: they become null.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_json(text: str) -> str:
    """Escape the code points above in text that is already JSON (they only occur in strings)."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def finite(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, indent: int | None = None) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent, default=str)
    except ValueError:
        text = json.dumps(
            finite(value), ensure_ascii=False, allow_nan=False, indent=indent, default=str
        )
    return escape_json(text)
