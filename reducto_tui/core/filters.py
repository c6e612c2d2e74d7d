"""The filter grammar of the job list.

``invoice status:failed type:parse pages>20 age<1h -cancelled``

* bare words match anywhere in job id, source, type, status and failure reason;
* ``field:value`` matches one field: ``status`` (raw value or display state: queued,
  running, completed, failed, cancelled, unknown), ``type``, ``id``, ``source``, ``reason``;
* ``stuck`` keeps the jobs that look stuck (see :mod:`reducto_tui.core.stuck`); ``credits``
  compares a number with the credits the job reported, from whichever pricing shape it has
  (``Usage.total_credits``): only jobs whose detail was read and that report a credit figure
  can match (the list carries no usage; the newer pricing's R-1, split, extract... jobs
  report page counts, not credits);
* ``pages`` / ``age`` / ``duration`` compare with ``< <= > >= =``; ages and durations take
  ``s m h d`` units (bare numbers are seconds);
* ``created`` compares with an ISO date or time (``created>=2026-11-24``,
  ``created<2026-11-24T15:00``; no zone means UTC; a bare date is the whole day) or a relative
  age (``created>2d`` = created within the last two days);
* a leading ``-`` negates any term; ``"quoted words"`` match as one phrase.

Every term must match. A term that cannot be read is reported and ignored.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from reducto_tui.api.status import StatusKind, shown_status
from reducto_tui.core.rows import STATUSES, TYPES, JobRow
from reducto_tui.core.stuck import StuckWatch

Predicate = Callable[[JobRow], bool]

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_COMPARE = re.compile(r"^(pages|credits|age|duration|created)(<=|>=|<|>|=)(.+)$")
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
        return all(word_in(w, row) for w in self.words) and all(p(row) for p in self.predicates)

    def apply(self, rows: Iterable[JobRow]) -> list[JobRow]:
        # One tight comprehension per term (narrowest first is not known, so in order):
        # measured ~4x faster at 100k rows than one generator-based check per row.
        kept = list(rows)
        for word in self.words:
            statuses, types, kinds = _values_with(word)
            if statuses or types or kinds:
                kept = [
                    r
                    for r in kept
                    if word in r.low
                    or word in r.job_id
                    or r.status in statuses
                    or r.type in types
                    or r.kind in kinds
                ]
            else:
                kept = [r for r in kept if word in r.low or word in r.job_id]
        for predicate in self.predicates:
            if isinstance(predicate, ValueTest):
                kept = predicate.select(kept)
            else:
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


def word_in(word: str, row: JobRow) -> bool:
    """A bare word matches the job id, source, type, status (raw or state) or failure reason.

    ``row.low`` holds the lower-case source (and the id and reason when lowering changes
    them); ``word`` is lower case, so it is in the raw id exactly when in the lowered one.
    """
    return (
        word in row.low
        or word in row.job_id
        or word in row.type.lower()
        or word in row.status.lower()
        or word in row.kind.value
    )


def _values_with(word: str) -> tuple[set[str], set[str], set[StatusKind]]:
    """The distinct statuses, types and states a word matches: tested once each, not once a
    row (a row's state is not always its status word's: GET /job's "Pending" with a progress
    is running)."""
    statuses = {s for s in STATUSES if word in s.lower()}
    types = {t for t in TYPES if word in t.lower()}
    kinds = {k for k in StatusKind if word in k.value}
    return statuses, types, kinds


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text.strip().lower())
    if not match:
        raise ValueError(f"'{text}' is not a duration (try 90s, 5m, 2h, 1d)")
    return float(match.group(1)) * _UNITS.get(match.group(2) or "s", 1)


def parse_when(text: str, now: float) -> tuple[float, float]:
    """A point or span in time as ``(start, end)`` epoch seconds (``start == end`` for a point).

    Accepts an ISO date (the whole UTC day), an ISO date-time (UTC unless it has a zone), or a
    relative age such as ``2d`` (that long before ``now``).
    """
    raw = text.strip()
    try:
        seconds = parse_duration(raw)
    except ValueError:
        pass
    else:
        return now - seconds, now - seconds
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            day = date.fromisoformat(raw)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
            return start, start + 86400
        moment = datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ValueError(
            f"'{text}' is not a date, time or age (try 2026-11-24, 2026-11-24T15:00Z, 3h, 2d)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        stamp = moment.timestamp()
    except (ValueError, OverflowError):
        raise ValueError(f"'{text}' is out of range") from None
    return stamp, stamp


def compile_filter(text: str, now: float, stuck: StuckWatch | None = None) -> Filter:
    """``stuck`` judges the ``stuck`` term (the store's, with its types' p90s); without it
    only the floor or configured limit applies."""
    result = Filter(text=text)
    watch = stuck or StuckWatch()
    for token in _TOKEN.findall(text):
        negate = token.startswith("-") and len(token) > 1
        body = token[1:] if negate else token
        if body.lower() == "stuck":
            test: Predicate = lambda r: watch.is_stuck(r, now)  # noqa: E731
            result.predicates.append(_negate(test) if negate else test)
            continue
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
        return lambda r: not word_in(word, r)
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
    if body.lower() == ARCHIVED:
        return _archived
    return body.lower()


#: The term for jobs shown from the archive (``-archived``: only those the API returns).
ARCHIVED = "archived"


def _archived(row: JobRow) -> bool:
    return row.archived


class ValueTest:
    """A predicate on a field with few distinct values (status, type): each value is tested
    once, and a whole list is filtered by set membership instead of a call per row."""

    def __init__(self, attr: str, known: dict[str, str], test: Callable[[str], bool]) -> None:
        self.attr = attr
        self.known = known
        self.test = test
        self._memo: dict[str, bool] = {}

    def __call__(self, row: JobRow) -> bool:
        key: str = getattr(row, self.attr)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self.test(key)
        return hit

    def select(self, rows: list[JobRow]) -> list[JobRow]:
        # Rows hold interned values from ``known``, or "" for a missing one.
        ok = {value for value in (*self.known, "") if self.test(value)}
        if self.attr == "status":
            return [r for r in rows if r.status in ok]
        return [r for r in rows if r.type in ok]


class StatusTest:
    """``status:value`` judged by what the row shows: its state (queued, running, ...) or the
    word beside the glyph. Not the raw word: ``GET /job`` calls a running job "Pending" and
    a cancelled one "Failed", and such a row must be found by ``status:running`` and not by
    ``status:failed``. Each distinct (word, state) pair is tested once."""

    def __init__(self, value: str) -> None:
        self.value = value
        self._memo: dict[tuple[str, StatusKind], bool] = {}

    def __call__(self, row: JobRow) -> bool:
        key = (row.status, row.kind)
        hit = self._memo.get(key)
        if hit is None:
            shown = shown_status(row.status, row.kind).lower()
            hit = self._memo[key] = row.kind.value == self.value or self.value in shown
        return hit


def _field(name: str, value: str) -> Predicate:
    if not value:
        raise ValueError(f"'{name}:' needs a value")
    if name == "status":
        return StatusTest(value)
    if name == "type":
        return ValueTest("type", TYPES, lambda t: value in t.lower())
    if name == "id":
        return lambda r: value in r.job_id.lower()
    if name == "source":
        return lambda r: value in r.source.lower()
    # The error code too: the insight view filters a failure group by its code.
    return lambda r: value in (r.reason or "").lower() or value in (r.error or "").lower()


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
    if name == "credits":
        try:
            amount = float(raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a number of credits") from None
        return lambda r: (c := r.credits) is not None and compare(c, amount)
    if name == "created":
        return _created(op, raw, now)
    seconds = parse_duration(raw)
    if name == "age":
        return lambda r: r.created is not None and compare(now - r.created, seconds)
    return lambda r: r.duration is not None and compare(r.duration, seconds)


def _created(op: str, raw: str, now: float) -> Predicate:
    start, end = parse_when(raw, now)
    # A relative age counts back from now, so "newer" is ">": created>2d = the last two days.
    # A bare date is a whole day: > is after it, >= from its start, < before it, <= to its end.
    test: Callable[[float], bool]
    if op == ">":
        test = (lambda c: c > start) if start == end else (lambda c: c >= end)
    elif op == ">=":
        test = lambda c: c >= start  # noqa: E731
    elif op == "<":
        test = lambda c: c < start  # noqa: E731
    elif op == "<=":
        test = (lambda c: c <= end) if start == end else (lambda c: c < end)
    else:
        test = (lambda c: c == start) if start == end else (lambda c: start <= c < end)
    return lambda r: r.created is not None and test(r.created)
