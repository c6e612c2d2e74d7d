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

from reducto_tui.api.status import status_kind
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
        # One tight comprehension per term (narrowest first is not known, so in order):
        # measured ~4x faster at 100k rows than one generator-based check per row.
        kept = list(rows)
        for word in self.words:
            kept = [r for r in kept if word in r.haystack]
        for predicate in self.predicates:
            kept = [r for r in kept if predicate(r)]
        return kept

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


def _memo_by(attr: str, test: Callable[[str], bool]) -> Predicate:
    """A predicate on a field with few distinct values (status, type): test each value once."""
    memo: dict[str, bool] = {}

    def predicate(row: JobRow) -> bool:
        key: str = getattr(row, attr)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = test(key)
        return hit

    return predicate


def _field(name: str, value: str) -> Predicate:
    if not value:
        raise ValueError(f"'{name}:' needs a value")
    if name == "status":
        return _memo_by("status", lambda s: status_kind(s).value == value or value in s.lower())
    if name == "type":
        return _memo_by("type", lambda t: value in t.lower())
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

        def pages(row: JobRow) -> bool:
            count = row.num_pages if row.num_pages is not None else row.total_pages
            return count is not None and compare(count, limit)

        return pages
    seconds = parse_duration(raw)
    if name == "age":
        return lambda r: r.created is not None and compare(now - r.created, seconds)
    return lambda r: r.duration is not None and compare(r.duration, seconds)
