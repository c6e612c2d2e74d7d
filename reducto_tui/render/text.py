"""Make server-sent text safe to show: no terminal control characters, no markup.

:func:`clean` is the one function every piece of server text passes through on its way to a
screen (widgets, toasts, dialogs, titles, CLI messages). Control characters are not dropped
but turned into visible escapes (``\\x1b``, ``\\u202e``), so a hostile job id can neither
rename the window, write the clipboard nor clear the screen, and the user still sees that
something odd was sent. The result goes into ``rich.text.Text`` objects (which never
interpret markup) or through :func:`escape_markup` where a string must be markup.
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

from reducto_tui.core.rows import file_name

__all__ = ["UNSAFE", "clean", "escape_markup", "file_name", "safe_text", "shorten"]

# C0 controls (tab and newline are handled by the caller's choice), DEL, C1 controls
# (0x80-0x9f, e.g. the 8-bit CSI), the bidi overrides, isolates and marks that reorder text
# (U+061C, U+200E/F), the line and paragraph separators that break a line where no newline
# is seen (U+2028/9), every other invisible format character (Unicode category Cf: soft
# hyphen, zero-width space/joiners, word joiner, BOM, interlinear annotations, tag
# characters), the blank fillers that render as nothing (U+034F, U+115F/60, U+3164, U+FFA0,
# U+180E), and lone surrogates, which no terminal or UTF-8 stream can take.
_UNSAFE = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    r"\u08e2\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    r"\u3164\ufeff\uffa0\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd"
    r"\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    r"\U000e0020-\U000e007f"
)
_CONTROL = re.compile(f"[{_UNSAFE}]")
#: The characters :func:`clean` escapes (the CLI's JSON writer escapes the same ones).
UNSAFE = _CONTROL
_CONTROL_LINE = re.compile(f"[{_UNSAFE}\t\n]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x09, 0x0A):
        return " "  # line breaks in a one-line cell are ordinary text, not an attack
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def clean(value: object, single_line: bool = False) -> str:
    """``value`` as text that is safe to put on a terminal.

    ``single_line`` also turns newlines and tabs into spaces, for table cells, titles and
    toasts. A Windows line end (CR LF) is a line end; any other CR is escaped, since it can
    overwrite what was printed before it. Never raises: any object becomes text.
    """
    if isinstance(value, str):
        text = value
    elif value is None:
        text = ""
    else:
        try:
            text = str(value)
        except Exception:  # a hostile __str__ must not take the screen down
            text = "unknown"
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    pattern = _CONTROL_LINE if single_line else _CONTROL
    return pattern.sub(_visible, text) if pattern.search(text) else text


def escape_markup(value: object, single_line: bool = True) -> str:
    """:func:`clean`, then escaped for places that read Rich markup."""
    return escape(clean(value, single_line))


def sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest untouched: ``str.capitalize``
    would lower-case the ids and server words quoted after it."""
    return text[:1].upper() + text[1:]


def safe_text(value: object, style: str = "", single_line: bool = False) -> Text:
    return Text(clean(value, single_line=single_line), style=style)


def shorten(value: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(value) <= width:
        return value
    return value[: max(0, width - 1)] + "…"
