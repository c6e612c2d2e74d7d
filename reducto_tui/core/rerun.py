"""Re-running jobs: what to send (endpoint, input, config), whether the input is still there,
and sending many with bounded concurrency through rate limits, one result per job.

A job's ``raw_config`` is the body it was created with; the list leaves it out
(``exclude_configs``), so the job is fetched on its own, and looked up in the list with configs
when ``GET /job`` does not carry it (the plain ``AsyncJobResponse`` has no ``raw_config``).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import KINDS, Created, JobCreator, input_of
from reducto_tui.api.errors import NotFoundError, RateLimitError, ReductoError
from reducto_tui.api.models import parse_timestamp

#: ``type`` (lower case) → the ``*_async`` path that makes it.
KIND_OF_TYPE = {type_.lower(): kind for kind, type_ in KINDS.items()}
#: Pages of the list read to find a job's raw_config when ``GET /job`` lacks it.
CONFIG_PAGES = 5
#: How many times one job waits out a 429 before it is reported as rate limited.
RATE_RETRIES = 5
#: The longest 429 wait a bulk run sits out; a longer one fails that job with the server's
#: wait in its message (a tester's server asked for 3600 s and the dialog hung for an hour).
MAX_RATE_WAIT = 300.0


class Reach(StrEnum):
    OK = "reachable"
    GONE = "unreachable"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reachability:
    state: Reach
    note: str


@dataclass(frozen=True, slots=True)
class RerunPlan:
    """What re-running ``job_id`` sends, or why it cannot be sent (``problem``)."""

    job_id: str
    kind: str | None
    body: dict[str, Any] | None
    problem: str | None = None
    created_at: str | None = None
    status: str | None = None

    @property
    def ready(self) -> bool:
        return self.problem is None and self.kind is not None and self.body is not None

    @property
    def endpoint(self) -> str:
        return f"POST /{self.kind}_async" if self.kind else "none"

    @property
    def document(self) -> Any:
        return input_of(self.kind or "", self.body) if self.body is not None else None


def plan_from(
    job_id: str,
    type_: str | None,
    raw_config: str | None,
    created_at: str | None = None,
    status: str | None = None,
) -> RerunPlan:
    """The plan for a job of ``type_`` created with ``raw_config`` (pure)."""
    base = RerunPlan(job_id, None, None, created_at=created_at, status=status)
    kind = KIND_OF_TYPE.get((type_ or "").lower())
    if kind is None:
        shown = type_ or "unknown"
        return replace(
            base,
            problem=f"A {shown} job cannot be re-run: the API has no *_async path for it.",
        )
    base = replace(base, kind=kind)
    if not raw_config:
        return replace(base, problem="The server did not send this job's config (raw_config).")
    body, problem = parse_config(raw_config, "The job's config (raw_config)")
    if problem is not None:
        return replace(base, problem=problem)
    return replace(base, body=body)


def parse_config(text: str, what: str = "The config") -> tuple[dict[str, Any] | None, str | None]:
    """A JSON object from ``text``, or ``None`` and a sentence saying what is wrong."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        return None, f"{what} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    except ValueError as exc:
        return None, f"{what} is not JSON: {exc}."
    except RecursionError:
        return None, f"{what} is nested too deeply."
    if not isinstance(value, dict):
        return None, f"{what} is JSON but not an object ({{...}})."
    return value, None


def _not_json(word: str) -> Any:
    # Python reads NaN and Infinity; JSON (and the API) does not.
    raise ValueError(f"{word} is not a JSON value")


def with_body(plan: RerunPlan, text: str) -> RerunPlan:
    """``plan`` with an edited config; a config that is not a JSON object becomes the problem."""
    body, problem = parse_config(text, "The edited config")
    if problem is not None:
        return replace(plan, problem=problem)
    return replace(plan, body=body, problem=None)


async def fetch_plan(client: ReductoClient, job_id: str) -> RerunPlan:
    """Fetch ``job_id`` with its config and plan its re-run."""
    detail = await client.get_job(job_id)
    type_, raw, created = detail.type, detail.raw_config, detail.created_at
    if not raw or not type_:
        pages = 0
        async for page in client.iter_pages(limit=500, exclude_configs=False):
            hit = next((j for j in page.jobs if j.job_id == job_id), None)
            if hit is not None:
                type_, raw = type_ or hit.type, raw or hit.raw_config
                created = created or hit.created_at
                break
            pages += 1
            if pages >= CONFIG_PAGES:
                break
    return plan_from(job_id, type_, raw, created, detail.status)


# ---------------------------------------------------------------------- reachability

Probe = Callable[[str], Awaitable[int]]


def _age(created_at: str | None, now: float) -> str:
    created = parse_timestamp(created_at)
    if created is None:
        return "an unknown time"
    hours = max(0.0, now - created.timestamp()) / 3600
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h"


async def reachability(
    plan: RerunPlan,
    client: ReductoClient,
    probe: Probe | None = None,
    now: float | None = None,
) -> Reachability:
    """Whether the document the plan points at is still there, as far as can be told."""
    now = time.time() if now is None else now
    doc = plan.document
    if isinstance(doc, dict):
        doc = doc.get("file_id")
    if isinstance(doc, list):
        return Reachability(Reach.UNKNOWN, f"{len(doc)} documents, not checked one by one")
    if not isinstance(doc, str) or not doc:
        return Reachability(Reach.GONE, "the config names no document")
    if doc.startswith("reducto://"):
        return Reachability(
            Reach.UNKNOWN,
            f"uploaded {_age(plan.created_at, now)} ago; uploads expire and the API cannot check one",
        )
    if doc.startswith("jobid://"):
        try:
            await client.get_job(doc.removeprefix("jobid://"))
        except NotFoundError:
            return Reachability(Reach.GONE, "the job it reads from has expired or was deleted")
        except ReductoError as exc:
            return Reachability(Reach.UNKNOWN, f"could not check the job it reads: {exc.message}")
        return Reachability(Reach.OK, "the job it reads from is still there")
    if probe is None or not doc.startswith("https://"):
        return Reachability(Reach.UNKNOWN, "not checked (only public https:// links are)")
    try:
        status = await probe(doc)
    except ReductoError as exc:
        return Reachability(Reach.UNKNOWN, f"could not reach it: {exc.message}")
    if status < 400:
        return Reachability(Reach.OK, f"the link answers (HTTP {status})")
    return Reachability(Reach.GONE, f"the link answers HTTP {status}: it may have expired or moved")


# ---------------------------------------------------------------------- sending


@dataclass(slots=True)
class RerunResult:
    old_id: str
    new_id: str | None = None
    error: str | None = None
    recovered: bool = False
    rate_waits: int = 0
    #: The API error behind ``error`` (``None`` for a plan that could not be sent).
    failure: ReductoError | None = None


@dataclass
class Lineage:
    """Which job is a re-run of which (this session's; the API keeps no such link)."""

    origin: dict[str, str] = field(default_factory=dict)
    reruns: dict[str, list[str]] = field(default_factory=dict)

    def record(self, old: str, new: str) -> None:
        self.origin[new] = old
        self.reruns.setdefault(old, []).append(new)

    def related(self, job_id: str) -> list[tuple[str, str]]:
        """Summary rows: what ``job_id`` is a re-run of, and what re-ran it."""
        rows = [("Re-run of", self.origin[job_id])] if job_id in self.origin else []
        return rows + [("Re-run as", new) for new in self.reruns.get(job_id, [])]


class RateGate:
    """All senders pause together after a 429, for as long as the server asked."""

    def __init__(
        self,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sleep, self._clock = sleep, clock
        self.resume_at = 0.0
        #: The user stopped the run: nothing more is sent (a POST already out finishes, so
        #: no job is left half known).
        self.stopped = False

    def hold(self, seconds: float) -> None:
        self.resume_at = max(self.resume_at, self._clock() + seconds)

    def stop(self) -> None:
        self.stopped = True

    async def wait(self) -> None:
        # In steps, so that a stop ends a long wait at once.
        while not self.stopped and (left := self.resume_at - self._clock()) > 0:
            await self._sleep(min(left, 0.5))


async def send_plans(
    creator: JobCreator,
    plans: Iterable[RerunPlan],
    *,
    concurrency: int = 4,
    on_result: Callable[[RerunResult], None] | None = None,
    on_wait: Callable[[float], None] | None = None,
    gate: RateGate | None = None,
    lineage: Lineage | None = None,
) -> list[RerunResult]:
    """Create one job per ready plan, at most ``concurrency`` at a time; a result per plan."""
    gate = gate or RateGate()
    slots = asyncio.Semaphore(concurrency)

    async def one(plan: RerunPlan) -> RerunResult:
        result = RerunResult(plan.job_id)
        if not plan.ready or plan.kind is None or plan.body is None:
            result.error = plan.problem or "Nothing to send."
        else:
            async with slots:
                await _send(creator, plan.kind, plan.body, result, gate, on_wait)
        if result.new_id is not None and lineage is not None:
            lineage.record(plan.job_id, result.new_id)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(p) for p in plans)))


async def _send(
    creator: JobCreator,
    kind: str,
    body: dict[str, Any],
    result: RerunResult,
    gate: RateGate,
    on_wait: Callable[[float], None] | None,
) -> None:
    while True:
        await gate.wait()
        if gate.stopped:
            result.error = "Not sent: stopped."
            return
        try:
            created: Created = await creator.create(kind, body)
        except RateLimitError as exc:
            # A 429 created nothing: wait as asked (all senders together) and send again.
            if result.rate_waits >= RATE_RETRIES:
                result.error, result.failure = exc.message, exc
                return
            wait = exc.retry_after or min(30.0, 2.0**result.rate_waits + random.random())
            if not math.isfinite(wait) or wait > MAX_RATE_WAIT:
                # A hostile or overloaded server asking for an hour: say so, do not hang.
                result.error, result.failure = exc.message, exc
                return
            result.rate_waits += 1
            gate.hold(wait)
            if on_wait is not None:
                on_wait(wait)
            continue
        except ReductoError as exc:
            result.error, result.failure = str(exc), exc
            return
        result.new_id, result.recovered = created.job_id, created.recovered
        return
