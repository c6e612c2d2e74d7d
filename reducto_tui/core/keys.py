"""The app's rebindable actions and their default keys, and the check of a ``[keys]`` table.

Plain data, no Textual: the config validates ``[keys]`` against it at start (so a bad table
is a clear error, not a silent no-op), and the UI's bindings are tested to match it.
"""

from __future__ import annotations

import re

#: Config id -> default key(s), in Textual's key names, comma-separated.
DEFAULT_KEYS: dict[str, str] = {
    "filter": "slash",
    "escape": "escape",
    "open": "enter",
    "mark": "space",
    "mark_all": "ctrl+a",
    "cancel": "c",
    "rerun": "R",
    "submit": "u",
    "delete": "ctrl+d",
    "export": "e",
    "export_list": "ctrl+s",
    "copy_id": "y",
    "copy_json": "Y",
    "refresh": "r",
    "pause": "p",
    "sort": "s",
    "sort_flip": "S",
    "next_page": "n",
    "load_all": "a",
    "load_older": "O",
    **{f"quick_{n}": str(n) for n in range(6)},
    "find": "ctrl+f",
    "fetch_url": "f",
    "insight": "i",
    "studio": "o",
    "credits_column": "dollar_sign",
    "prev_tab": "left_square_bracket",
    "next_tab": "right_square_bracket",
    "help": "question_mark",
    "quit": "q",
}

#: Keys that something other than a rebindable action already answers (the job table's
#: movement keys, Textual's palette and quit): binding an action to one would shadow it.
RESERVED_KEYS: dict[str, str] = {
    **dict.fromkeys(("up", "down", "k", "j", "pageup", "pagedown"), "moving the cursor"),
    **dict.fromkeys(("home", "end", "g", "G"), "moving the cursor"),
    "ctrl+p": "the command palette",
    "ctrl+q": "quitting",
    "ctrl+c": "copying / quitting",
    "tab": "moving the focus",
    "shift+tab": "moving the focus",
}

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
#: Named keys (Textual's names) besides single printable characters.
NAMED_KEYS = frozenset(
    {
        "escape", "enter", "tab", "space", "backspace", "delete", "insert",
        "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
        "exclamation_mark", "quotation_mark", "number_sign", "dollar_sign",
        "percent_sign", "ampersand", "apostrophe", "left_parenthesis",
        "right_parenthesis", "asterisk", "plus", "comma", "minus", "full_stop",
        "slash", "colon", "semicolon", "less_than_sign", "equals_sign",
        "greater_than_sign", "question_mark", "at", "left_square_bracket",
        "backslash", "right_square_bracket", "circumflex_accent", "underscore",
        "grave_accent", "left_curly_bracket", "vertical_line",
        "right_curly_bracket", "tilde",
    }
)  # fmt: skip
#: Printable characters Textual knows by a name, so "?" and "question_mark" are one key.
CHAR_NAMES = {
    "!": "exclamation_mark", '"': "quotation_mark", "#": "number_sign",
    "$": "dollar_sign", "%": "percent_sign", "&": "ampersand", "'": "apostrophe",
    "(": "left_parenthesis", ")": "right_parenthesis", "*": "asterisk", "+": "plus",
    ",": "comma", "-": "minus", ".": "full_stop", "/": "slash", ":": "colon",
    ";": "semicolon", "<": "less_than_sign", "=": "equals_sign", ">": "greater_than_sign",
    "?": "question_mark", "@": "at", "[": "left_square_bracket", "\\": "backslash",
    "]": "right_square_bracket", "^": "circumflex_accent", "_": "underscore",
    "`": "grave_accent", "{": "left_curly_bracket", "|": "vertical_line",
    "}": "right_curly_bracket", "~": "tilde", " ": "space",
}  # fmt: skip
_FUNCTION_KEY = re.compile(r"f([1-9]|1[0-9]|2[0-4])")


class KeymapError(ValueError):
    """A ``[keys]`` table that cannot be applied; the message names every problem."""


def normalise_key(key: str) -> str:
    """``key`` in one canonical spelling (``?`` -> ``question_mark``); raises if invalid.

    Grammar: ``[modifier+]...name`` where a modifier is one of :data:`MODIFIERS` and the
    name is one printable character, a named key or ``f1``..``f24``.
    """
    raw = key.strip()
    if not raw:
        raise KeymapError("an empty key name")
    if raw in CHAR_NAMES:  # "+" alone, "," alone
        return CHAR_NAMES[raw]
    *mods, name = raw.split("+")
    if any(m.lower() not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        raise KeymapError(
            f"{key!r} has an unknown or repeated modifier (use {', '.join(MODIFIERS)})"
        )
    if len(name) == 1 and name.isprintable():
        name = CHAR_NAMES.get(name, name)
    elif name.lower() in NAMED_KEYS or _FUNCTION_KEY.fullmatch(name.lower()):
        name = name.lower()
    else:
        raise KeymapError(f"{key!r} is not a key name")
    return "+".join([*sorted(m.lower() for m in mods), name])


def split_keys(value: str) -> list[str]:
    """``"x,ctrl+x"`` -> its keys; a lone ``,`` means the comma key."""
    if value.strip() == ",":
        return [","]
    return value.split(",")


def check_keymap(overrides: dict[str, str]) -> None:
    """Raise :class:`KeymapError` naming every unknown id, bad key and conflict."""
    problems: list[str] = []
    unknown = sorted(set(overrides) - set(DEFAULT_KEYS))
    if unknown:
        problems.append(
            f"unknown action id{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(DEFAULT_KEYS)})"
        )
    in_force = {**DEFAULT_KEYS, **{k: v for k, v in overrides.items() if k in DEFAULT_KEYS}}
    owner: dict[str, str] = {}
    for action, value in in_force.items():
        if not isinstance(value, str):
            problems.append(f'{action}: the keys must be a string like "x" or "x,ctrl+x"')
            continue
        for key in split_keys(value):
            try:
                canonical = normalise_key(key)
            except KeymapError as exc:
                problems.append(f"{action}: {exc}")
                continue
            if canonical in RESERVED_KEYS:
                problems.append(
                    f"{action}: {key.strip()!r} is already used for {RESERVED_KEYS[canonical]}"
                )
            elif canonical in owner and owner[canonical] != action:
                problems.append(
                    f"{action} and {owner[canonical]} are both bound to {key.strip()!r}"
                )
            else:
                owner[canonical] = action
    if problems:
        raise KeymapError("; ".join(problems))
