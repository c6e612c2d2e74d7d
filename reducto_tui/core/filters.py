"""The filter grammar of the job list.

``invoice status:failed type:parse pages>20 age<1h -cancelled``

* bare words match anywhere in job id, source, type, status and failure reason;
* ``field:value`` matches one field: ``status`` (raw value or display state: queued,
  running, completed, failed, cancelled, unknown), ``type``, ``id``, ``source``, ``reason``;
* ``pages`` / ``age`` / ``duration`` compare with ``< <= > >= =``; ages and durations take
  ``s m h d`` units (bare numbers are seconds);
* a leading ``-`` negates any term; ``"quoted words"`` match as one phrase.

Every term must match. A term that cannot be read is reported and ignored.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reducto_tui.core.rows import JobRow

Predicate = Callable[[JobRow], bool]

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_COMPARE = re.compile(r"^(pages|age|duration)(<=|>=|<|>|=)(.+)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}
FIELDS = ("status", "type", "id", "source", "reason")


@dataclass
class Filter:
    text: str = ""
    words: list[str] = field(default_factory=list)
    predicates: list[Predicate] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words and not self.predicates

    @property
    def words_only(self) -> bool:
        return not self.predicates

    def matches(self, row: JobRow) -> bool:
        hay = row.haystack
        return all(w in hay for w in self.words) and all(p(row) for p in self.predicates)

    def apply(self, rows: Iterable[JobRow]) -> list[JobRow]:
        if self.empty:
            return list(rows)
        if self.words_only and len(self.words) == 1:
            word = self.words[0]
            return [r for r in rows if word in r.haystack]
        return [r for r in rows if self.matches(r)]

    def narrows(self, previous: Filter) -> bool:
        """True if every row this filter keeps, ``previous`` kept too (so refine, not rescan)."""
        if previous.empty:
            return True
        if not (self.words_only and previous.words_only):
            return False
        return len(self.words) >= len(previous.words) and all(
            old in new for old, new in zip(previous.words, self.words, strict=False)
        )


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text.strip().lower())
    if not match:
        raise ValueError(f"'{text}' is not a duration (try 90s, 5m, 2h, 1d)")
    return float(match.group(1)) * _UNITS.get(match.group(2) or "s", 1)


def compile_filter(text: str, now: float) -> Filter:
    result = Filter(text=text)
    for token in _TOKEN.findall(text):
        negate = token.startswith("-") and len(token) > 1
        body = token[1:] if negate else token
        try:
            predicate = _term(body, now)
        except ValueError as exc:
            result.errors.append(str(exc))
            continue
        if predicate is None:
            continue
        if negate:
            result.predicates.append(_negate(predicate))
        elif isinstance(predicate, str):
            result.words.append(predicate)
        else:
            result.predicates.append(predicate)
    return result


def _negate(predicate: Predicate | str) -> Predicate:
    if isinstance(predicate, str):
        word = predicate
        return lambda r: word not in r.haystack
    return lambda r: not predicate(r)


def _term(body: str, now: float) -> Predicate | str | None:
    if body.startswith('"'):
        phrase = body.strip('"').lower()
        return phrase or None
    compare = _COMPARE.match(body.lower())
    if compare:
        name, op, raw = compare.groups()
        return _comparison(name, op, raw, now)
    name, sep, value = body.partition(":")
    if sep and name.lower() in FIELDS:
        return _field(name.lower(), value.strip('"').lower())
    return body.lower()


def _field(name: str, value: str) -> Predicate:
    if not value:
        raise ValueError(f"'{name}:' needs a value")
    if name == "status":
        return lambda r: r.kind.value == value or value in r.status.lower()
    if name == "type":
        return lambda r: value in r.type.lower()
    if name == "id":
        return lambda r: value in r.job_id.lower()
    if name == "source":
        return lambda r: value in r.source.lower()
    return lambda r: value in (r.reason or "").lower()


def _comparison(name: str, op: str, raw: str, now: float) -> Predicate:
    compare = _OPS[op]
    if name == "pages":
        try:
            limit = float(raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a page count") from None
        return lambda r: (
            (r.num_pages or r.total_pages) is not None
            and compare(float(r.num_pages or r.total_pages or 0), limit)
        )
    seconds = parse_duration(raw)
    if name == "age":
        return lambda r: r.created is not None and compare(now - r.created, seconds)
    return lambda r: r.duration is not None and compare(r.duration, seconds)
