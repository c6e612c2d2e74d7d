"""Key names in the config's [keys] table: one spelling per key, and messages that say what
to fix (core.keys; the config refuses a bad table with these words)."""

from __future__ import annotations

import pytest

from reducto_tui.core.keys import (
    DEFAULT_KEYS,
    KeymapError,
    check_keymap,
    normalise_key,
    split_keys,
)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("?", "question_mark"),
        ("question_mark", "question_mark"),
        (",", "comma"),
        ("+", "plus"),
        (" x ", "x"),
        ("X", "X"),
        ("F5", "f5"),
        ("Enter", "enter"),
        ("ctrl+?", "ctrl+question_mark"),
        ("Shift+Ctrl+a", "ctrl+shift+a"),
        ("alt+shift+f12", "alt+shift+f12"),
    ],
)
def test_every_spelling_of_a_key_is_one_key(written: str, canonical: str) -> None:
    assert normalise_key(written) == canonical


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "an empty key name"),
        ("ctl+x", "'ctl+x' has an unknown or repeated modifier "
         "(use ctrl, shift, alt, meta, super, hyper)"),
        ("ctrl+ctrl+x", "'ctrl+ctrl+x' has an unknown or repeated modifier"),
        ("hello", "'hello' is not a key name"),
        ("f25", "'f25' is not a key name"),
    ],
)  # fmt: skip
def test_a_bad_key_says_what_is_wrong(written: str, message: str) -> None:
    with pytest.raises(KeymapError) as err:
        normalise_key(written)
    assert str(err.value).startswith(message)


def test_a_lone_comma_is_the_comma_key_and_commas_separate_keys() -> None:
    assert split_keys(",") == [","] and split_keys(" , ") == [","]
    assert split_keys("x,ctrl+x") == ["x", "ctrl+x"]
    check_keymap({"cancel": ","})  # binding the comma key is fine


def test_unknown_ids_are_named_once_with_the_known_ones() -> None:
    known = ", ".join(DEFAULT_KEYS)
    with pytest.raises(KeymapError) as one:
        check_keymap({"cancle": "x"})
    assert str(one.value) == f"unknown action id 'cancle' (known: {known})"
    with pytest.raises(KeymapError) as two:
        check_keymap({"zap": "x", "cancle": "z"})
    assert str(two.value) == f"unknown action ids 'cancle', 'zap' (known: {known})"


def test_keys_that_are_not_text_and_every_bad_key_of_one_action_are_named() -> None:
    with pytest.raises(KeymapError) as err:
        check_keymap({"cancel": 5, "export": "hello,ctl+x", "help": ["?"]})  # type: ignore[dict-item]  # a TOML table can hold any value
    assert str(err.value) == (
        'cancel: the keys must be a string like "x" or "x,ctrl+x"; '
        "export: 'hello' is not a key name; "
        "export: 'ctl+x' has an unknown or repeated modifier (use ctrl, shift, alt, meta, "
        "super, hyper); "
        'help: the keys must be a string like "x" or "x,ctrl+x"'
    )


def test_every_problem_is_named_in_one_message() -> None:
    with pytest.raises(KeymapError) as err:
        check_keymap({"cancel": "j", "export": "hello", "help": "q", "quit": "q"})
    assert str(err.value) == (
        "cancel: 'j' is already used for moving the cursor; "
        "export: 'hello' is not a key name; "
        "quit and help are both bound to 'q'"
    )
