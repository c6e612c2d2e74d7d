"""Local files to submit: arguments or typed text expanded (globs, ``~``), and completions."""

from __future__ import annotations

import glob
import os
import re
import shlex
from pathlib import Path

GLOB_CHARS = "*?["
#: Completions offered for one prefix (a directory of 100,000 files must not stall typing).
MAX_COMPLETIONS = 200


def expand(patterns: list[str] | tuple[str, ...]) -> list[tuple[str, Path | None]]:
    """Each pattern as a path; one with glob characters that is not a file names its matches.

    ``(pattern, None)`` for a pattern that matches nothing (reported, not fatal).
    """
    out: list[tuple[str, Path | None]] = []
    for pattern in patterns:
        path = Path(os.path.expanduser(pattern))
        if any(ch in pattern for ch in GLOB_CHARS) and not path.exists():
            matches = sorted(glob.glob(os.path.expanduser(pattern), recursive=True))
            out += [(m, Path(m)) for m in matches if Path(m).is_file()] or [(pattern, None)]
        else:
            out.append((pattern, path))
    return out


def split_typed(text: str) -> list[str]:
    """What a user typed in one line: several paths, shell-quoted where they hold spaces."""
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: take the words as they are
        return text.split()


def last_word(text: str) -> tuple[str, str | None] | None:
    """The last word of ``text`` as the shell reads it (quotes and backslashes undone), and
    the quote still open at its end; ``None`` when a new word begins (after a space)."""
    word: list[str] = []
    quote: str | None = None
    escaped = started = False
    for ch in text:
        if escaped:
            word.append(ch)
            escaped = False
        elif quote is not None:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                escaped = True
            else:
                word.append(ch)
        elif ch == "\\":
            escaped = started = True
        elif ch in "'\"":
            quote, started = ch, True
        elif ch.isspace():
            word, started = [], False
        else:
            word.append(ch)
            started = True
    if not started or escaped:
        return None
    return "".join(word), quote


#: Characters a shell would read as something other than part of a name.
_SPECIAL = re.compile(r"([^\w@%+=:,./~-])")


def complete(prefix: str) -> str | None:
    """``prefix`` with its last path completed as far as it is unambiguous (``None`` if not).

    What is added continues the text as typed (a suggestion must start with it): inside an
    open quote the name goes on inside it (and the quote is closed after a file's name);
    elsewhere spaces and other special characters are backslash-escaped.
    """
    found = last_word(prefix)
    if found is None:
        return None
    last, quote = found
    folder, start = os.path.split(os.path.expanduser(last))
    names: list[str] = []
    try:
        with os.scandir(folder or ".") as entries:
            for entry in entries:
                hidden = entry.name.startswith(".") and not start.startswith(".")
                if entry.name.startswith(start) and not hidden:
                    names.append(entry.name + ("/" if entry.is_dir() else ""))
                    if len(names) > MAX_COMPLETIONS:
                        break
    except OSError:
        return None
    # Names in one folder: the common prefix character by character is the point.
    common = os.path.commonprefix(names) if names else ""  # noqa: RUF071
    if len(common) <= len(start):
        return None
    added = common[len(start) :]
    whole_file = len(names) == 1 and not common.endswith("/")
    if quote is None:
        return prefix + _SPECIAL.sub(r"\\\1", added)
    if quote in added or (quote == '"' and any(c in added for c in "\\$`")):
        return None  # the name cannot go on inside this quote
    return prefix + added + (quote if whole_file else "")
