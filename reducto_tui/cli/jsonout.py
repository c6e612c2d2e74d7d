"""The one JSON writer of the CLI: valid JSON only, and nothing a terminal would act on.

``json.dumps`` escapes C0 controls but leaves DEL, the C1 controls (``\\x9b`` is an 8-bit
CSI), the bidi overrides, the invisible format characters and lone surrogates raw; JSON
allows ``\\u009b``, so every character the screen's ``clean`` escapes is written escaped here
too and a reader still gets the exact string back. ``Infinity``/``NaN`` are not JSON: they become null.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from reducto_tui.render.text import UNSAFE as _UNSAFE


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells a code point above the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


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
