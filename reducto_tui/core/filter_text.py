"""Edits of the filter text that keys make (the quick status keys 1…5, 0), so the text in the
box stays the one source of the filter and the user's other terms survive."""

from __future__ import annotations

import re

# Same tokens as the filter grammar: a quoted phrase (maybe negated) or a run of non-space.
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')


def _is_status_term(token: str) -> bool:
    body = token[1:] if token.startswith("-") else token
    name, sep, _ = body.partition(":")
    return bool(sep) and name.lower() == "status"


def with_status(text: str, state: str | None) -> str:
    """``text`` with every ``status:`` term (negated ones too) replaced by ``status:state``,
    or removed when ``state`` is empty. Phrases and other terms are kept as typed."""
    kept = [t for t in _TOKEN.findall(text) if not _is_status_term(t)]
    if state:
        kept.append(f"status:{state}")
    return " ".join(kept)


def with_terms(text: str, terms: str) -> str:
    """``text`` narrowed by ``terms`` (a failure group's ``status:failed reason:X``): the
    user's ``status:`` terms give way to those in ``terms``, and a term already typed is
    not added twice."""
    new = _TOKEN.findall(terms)
    replace_status = any(_is_status_term(t) for t in new)
    seen = {t.lower() for t in new}
    kept = [
        t
        for t in _TOKEN.findall(text)
        if t.lower() not in seen and not (replace_status and _is_status_term(t))
    ]
    return " ".join([*kept, *new])
