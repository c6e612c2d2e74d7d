"""Local files to submit: arguments or typed text expanded (globs, ``~``), and completions."""

from __future__ import annotations

import glob
import os
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


def complete(prefix: str) -> str | None:
    """``prefix`` with its last path completed as far as it is unambiguous (``None`` if not)."""
    if not prefix or prefix.endswith(" "):
        return None
    head, _, last = prefix.rpartition(" ")
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
    completed = last + common[len(start) :]
    if " " in completed:
        completed = shlex.quote(completed)
    return f"{head} {completed}" if head else completed
