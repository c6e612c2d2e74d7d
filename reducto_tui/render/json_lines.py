"""JSON text shown pretty-printed without being pretty-printed: an index of where each
line of the pretty form starts in the text as received, lines made only when drawn.

Pretty-printing a 10 MB result makes a 16 MB string (plus the decoded value it is made
from) and takes about a second; the index is 10 bytes a line (376,000 lines there) and is
built a piece at a time, so the first screenful shows at once. A line is the text between
two break points (after ``{``, ``[`` or ``,``; before ``}`` or ``]``; none inside an empty
``{}``/``[]``), its whitespace normalised (``"key": value,``) and indented by its depth.
Keys, numbers and escapes are shown as received, except that a ``\\uXXXX`` escape of a
printable character shows the character.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right

#: One structural character, after any run of other text and whole strings before it.
_STRUCTURE = re.compile(rb'(?:[^"\[\]{},]++|"(?:[^"\\]++|\\.)*+"?)*+([\[\]{},])')
_SPACE = re.compile(rb"[ \t\n\r]*")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|:|[^\s":]+')
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_OPEN, _CLOSE, _COMMA = frozenset(b"{["), frozenset(b"}]"), ord(",")
#: Deepest indentation drawn (deeper lines are still shown, indented this far).
_MAX_DEPTH = 65535


def _unescape(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape[0] == "u":
        char = chr(int(escape[1:], 16))
        if ord(char) >= 0xA0 and char.isprintable() and not 0xD800 <= ord(char) < 0xE000:
            return char
    return match.group(0)


def pretty_line(raw: str) -> str:
    """One line's text as received, with JSON's whitespace normalised."""
    out: list[str] = []
    for token in _TOKEN.findall(raw):
        if token == ":":
            out.append(": ")
        elif token[0] == '"':
            out.append(_ESCAPE.sub(_unescape, token) if "\\u" in token else token)
        else:
            out.append(token)
    return "".join(out)


class JsonLines:
    """The pretty-printed lines of the JSON text ``doc`` (valid JSON, as bytes).

    :meth:`index` extends the index (in a thread for big texts); the lines indexed so far
    can be read meanwhile from another thread.
    """

    def __init__(self, doc: bytes) -> None:
        self.doc = doc
        self.starts: array[int] = array("Q")
        self.depths: array[int] = array("H")
        self.done = not doc.strip()
        self._at = 0
        self._depth = 0
        self._empty_close = -1
        if not self.done:
            self._line(self._skip(0))

    @property
    def indexed(self) -> int:
        """Bytes of the text indexed so far."""
        return len(self.doc) if self.done else self._at

    @property
    def line_count(self) -> int:
        # Until the index is done, the last line noted may not have its end yet.
        return len(self.starts) if self.done else max(0, len(self.starts) - 1)

    def _skip(self, at: int) -> int:
        match = _SPACE.match(self.doc, at)
        return match.end() if match else at

    def _line(self, at: int) -> None:
        self.starts.append(at)
        self.depths.append(min(self._depth, _MAX_DEPTH))

    def index(self, upto: int) -> None:
        """Index the text up to about byte ``upto`` (the whole of it once it gets there)."""
        doc = self.doc
        structure = _STRUCTURE.match  # match, not finditer: a search would restart in a string
        while (match := structure(doc, self._at)) is not None:
            at = match.start(1)
            char = doc[at]
            if char == _COMMA:
                self._line(self._skip(at + 1))
            elif char in _OPEN:
                after = self._skip(at + 1)
                if after < len(doc) and doc[after] in _CLOSE:
                    self._empty_close = after  # {} and [] stay on one line
                else:
                    self._depth += 1
                    self._line(after)
            elif at != self._empty_close:
                self._depth -= 1
                self._line(at)
            self._at = match.end()
            if self._at >= upto:
                return
        self._at = len(doc)
        self.done = True

    def line(self, index: int, limit: int | None = None) -> str:
        """Line ``index`` (of :attr:`line_count`), indented; only about ``limit`` characters
        of a long one are read."""
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.doc)
        if limit is not None:
            end = min(end, start + 4 * limit + 64)  # UTF-8: up to 4 bytes a character
        raw = self.doc[start:end].decode("utf-8", "replace")
        return "  " * self.depths[index] + pretty_line(raw)

    def width_hint(self, lines: int = 5000) -> int:
        """About the widest of the first ``lines`` lines, from the index alone."""
        count = min(self.line_count, lines)
        ends = [*self.starts[1 : count + 1]]
        if len(ends) < count:
            ends.append(len(self.doc))
        return max(
            (end - self.starts[n] + 2 * self.depths[n] for n, end in enumerate(ends)), default=0
        )

    def find(self, query: str, after: int | None) -> int | None:
        """The first line after line ``after`` (or from the top) whose text contains
        ``query`` (ASCII case-insensitive, in the text as received), wrapping round."""
        if not query or not self.line_count:
            return None
        pattern = re.compile(re.escape(query.encode("utf-8")), re.IGNORECASE)
        limit = len(self.doc) if self.done else self.starts[self.line_count]
        start = self.starts[after + 1] if after is not None and after + 1 < self.line_count else 0
        found = pattern.search(self.doc, start, limit) or pattern.search(self.doc, 0, start)
        if found is None:
            return None
        return bisect_right(self.starts, found.start()) - 1
