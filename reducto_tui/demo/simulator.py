"""Jobs that move through Reducto's lifecycle on a clock, deterministic for a given seed.

A job's status is derived from its schedule and the clock rather than stored, so the
simulator holds 100,000 jobs cheaply and a fake clock moves every job at once in tests.
"""

from __future__ import annotations

import base64
import json
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reducto_tui.demo import payloads
from reducto_tui.demo.usage import Billing, parse_usage

RETENTION_S = 12 * 3600
#: 2026-03-01 12:00:00 UTC: the screenshots, the snapshots and every fixed-clock test live here.
FROZEN = 1772366400.0
JOB_TYPES = ("Parse", "Parse", "Parse", "Extract", "Split", "Classify", "Edit", "Pipeline", "Chart")
FILES = (
    "invoice_2024_03.pdf",
    "msa-acme-signed.pdf",
    "Q3 financials FINAL (2).pdf",
    "lease_agreement.docx",
    "bill_of_lading_8821.pdf",
    "claims-batch-17.pdf",
    "scan_0042.png",
    "annual-report-2023.pdf",
    "w9_form.pdf",
    "bank_statement_sep.pdf",
    "medical_record_redacted.pdf",
    "purchase_order_5531.xlsx",
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A way a job fails: ``name`` is one of v1.12.20's ``ErrorCode`` values."""

    name: str
    code: int
    message: str
    weight: int
    #: The job types it happens to; empty means any.
    types: tuple[str, ...] = ()


# Weighted so a few reasons recur, as they do on a real account.
FAILURES = (
    Failure("TIMEOUT", 504, "Processing did not finish within the time limit.", 8),
    Failure("DOCUMENT_PASSWORD_PROTECTED", 400, "The document is password protected.", 6),
    Failure(
        "DOCUMENT_CORRUPT",
        400,
        "The document could not be opened: the file appears to be corrupt.",
        4,
    ),
    Failure(
        "INVALID_SCHEMA",
        422,
        "The extraction schema is invalid: 'line_items' must be an object.",
        5,
        ("Extract", "Pipeline"),
    ),
    Failure(
        "LLM_OUTPUT_PARSE_FAILED",
        502,
        "The model's answer could not be read as the requested schema.",
        2,
        ("Extract", "Pipeline", "Classify"),
    ),
    Failure(
        "FORM_FILL_FAILED",
        500,
        "The form could not be filled: no fillable fields found.",
        6,
        ("Edit",),
    ),
    Failure("DOCUMENT_UNSUPPORTED", 415, "This file type is not supported.", 1),
    Failure(
        "OVERSIZED_RESULT",
        413,
        "The result exceeds the maximum size that can be stored.",
        1,
        ("Parse", "Pipeline"),
    ),
)
#: Share of jobs that sit queued or running far longer than their kind usually takes.
STUCK_SHARE = 0.03
#: How much longer than usual a stuck job takes, beyond its first twenty minutes (seconds).
#: The interactive demo passes ``LIVELY_STUCK_SPAN`` so stuck jobs stay open through most of
#: the retention window and a fresh demo shows some; tests keep the shorter span.
STUCK_SPAN = 3 * 3600.0
LIVELY_STUCK_SPAN = 10 * 3600.0
#: Share of parse and extract jobs sent with ``queue_priority: batch``.
BATCH_SHARE = 0.3
#: The account moved to the newer pricing this long before the demo starts: older jobs
#: report ``credits``, newer ones ``usage_breakdown``.
NEW_PRICING_AGE_S = 4 * 3600
#: A file name that tries markup and terminal escapes, so the demo shows they stay literal.
HOSTILE_SOURCE = "[bold red]not markup[/] \x1b[31mred?\x1b[0m.pdf"
RUNNING = ("Pending", "Idle", "InProgress", "Completing")
CANCELLABLE = ("Pending", "Idle", "InProgress", "Completing")
LARGE_PARSE_PAGES = 120
#: How ``GET /job/{id}`` names the list's statuses that its v1.12.20 enum lacks.
DETAIL_STATUS = {"InProgress": "Pending", "Completing": "Pending", "Cancelled": "Failed"}
CANCELLED_CODE = 499


@dataclass(slots=True)
class SimJob:
    seq: int
    job_id: str
    type: str
    created: float
    source: Any
    num_pages: int
    queue_s: float
    run_s: float
    completing_s: float
    outcome: str
    failure: Failure | None = None
    idle_label: bool = False
    batch: bool = False
    new_pricing: bool = False
    cancelled_at: float | None = None
    deleted_at: float | None = None
    file_name: str = ""
    #: The body the job was created with; ``None`` for the demo's own jobs, whose body is
    #: built when first asked for (serialising 100,000 of them up front costs a second).
    config: dict[str, Any] | None = None
    _raw_config: str | None = None

    @property
    def raw_config(self) -> str:
        if self._raw_config is None:
            self._raw_config = json.dumps(self.config or request_body(self, self.file_name))
        return self._raw_config

    def status(self, now: float) -> str:
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "Cancelled"
        age = now - self.created
        if age < self.queue_s:
            return "Idle" if self.idle_label else "Pending"
        if age < self.queue_s + self.run_s:
            return "InProgress"
        if age < self.queue_s + self.run_s + self.completing_s:
            return "Completing"
        return self.outcome

    def progress(self, now: float) -> float | None:
        """Percent done (0-100) while running or completing, else ``None``."""
        status = self.status(now)
        if status == "Completing":
            return 100.0
        if status != "InProgress" or self.run_s <= 0:
            return None
        age = now - self.created - self.queue_s
        return round(min(99.0, max(0.0, 100.0 * age / self.run_s)), 1)


@dataclass(slots=True)
class Upload:
    """A file sent to ``POST /upload``: only its name and size are kept, never its bytes."""

    name: str
    size: int | None
    created: float

    @property
    def pages(self) -> int:
        # About 60 kB a page, as scanned PDFs go; a file not yet PUT counts as one page.
        return max(1, min(400, (self.size or 0) // 60_000 + 1))


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class Simulator:
    def __init__(
        self,
        jobs: int = 500,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        arrival_interval: float = 8.0,
        hostile: bool = True,
        stuck_span: float = STUCK_SPAN,
    ) -> None:
        self.seed = seed
        self.stuck_span = stuck_span
        self.clock = clock
        self.arrival_interval = arrival_interval
        self._rng = random.Random(seed)
        self._arrivals = random.Random(seed + 1)
        # Traits added later (failure reason, batch, stuck) come from their own stream, so
        # a seed's jobs keep the ids, types and timings they always had.
        self._traits = random.Random(f"{seed}:traits")
        self._upload_ids = random.Random(f"{seed}:uploads")
        self.jobs: list[SimJob] = []
        self.by_id: dict[str, SimJob] = {}
        self.uploads: dict[str, Upload] = {}
        now = clock()
        self.pricing_cutover = now - NEW_PRICING_AGE_S
        # A realistic burst: a few dozen jobs in the last three minutes, whatever the total.
        recent = min(jobs, max(15, min(60, jobs // 30)))
        ages = sorted(
            [self._rng.uniform(0, 180) for _ in range(recent)]
            + [self._rng.uniform(180, RETENTION_S - 3600) for _ in range(jobs - recent)],
            reverse=True,
        )
        for age in ages:
            self._add(now - age)
        if hostile and self.jobs:
            self.jobs[len(self.jobs) // 2].source = HOSTILE_SOURCE
        self._next_arrival = (
            now + self._arrivals.expovariate(1 / arrival_interval) if arrival_interval > 0 else None
        )

    # ------------------------------------------------------------------ creation

    def _add(
        self,
        created: float,
        type_: str | None = None,
        source: Any = None,
        config: dict[str, Any] | None = None,
    ) -> SimJob:
        rng = self._rng
        seq = len(self.jobs)
        type_ = type_ or rng.choice(JOB_TYPES)
        pages = rng.choice((1, 1, 2, 3, 4, 6, 8, 12, 20, 35, 60, 150))
        name = rng.choice(FILES)
        if source is None:
            source = (
                f"reducto://{rng.getrandbits(64):016x}/{name}"
                if rng.random() < 0.7
                else f"https://files.example.com/inbox/{name}"
            )
        roll = rng.random()
        outcome = "Completed" if roll < 0.85 else "Failed" if roll < 0.95 else "Cancelled"
        queue_s = rng.uniform(1, 25)
        job = SimJob(
            seq=seq,
            job_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            type=type_,
            created=created,
            source=source,
            num_pages=pages,
            queue_s=queue_s,
            run_s=rng.uniform(4, 20) + pages * rng.uniform(0.2, 0.8),
            completing_s=rng.uniform(0.5, 3),
            outcome="Completed" if outcome == "Cancelled" else outcome,
        )
        if outcome == "Failed":
            rng.randrange(6)  # the draw that once picked the reason: keeps the stream as it was
        job.idle_label = rng.random() < 0.1
        if outcome == "Cancelled":
            job.cancelled_at = created + queue_s * rng.uniform(0.2, 0.9)
        self._give_traits(job, outcome == "Failed", config)
        job.file_name, job.config = name, config
        self.jobs.append(job)
        self.by_id[job.job_id] = job
        return job

    def _give_traits(self, job: SimJob, failed: bool, config: dict[str, Any] | None) -> None:
        """Failure reason, batch queue, stuck, pricing: always four draws per job."""
        fail_roll, batch_roll, stuck_roll, stuck_len = (self._traits.random() for _ in range(4))
        if failed:
            job.failure = pick_failure(job.type, fail_roll)
        if config is not None:
            job.batch = config.get("queue_priority") == "batch"
        else:
            job.batch = job.type in ("Parse", "Extract") and batch_roll < BATCH_SHARE
        if job.batch:
            # The batch queue is cheaper because it waits for spare capacity.
            job.queue_s += 30 + 570 * (batch_roll / BATCH_SHARE if config is None else 0.1)
        elif config is None and stuck_roll < STUCK_SHARE:
            # Twenty minutes and up (to 3h20 by default): far beyond any kind's usual minute.
            extra = 1200 + self.stuck_span * (stuck_len % 0.5) * 2
            if stuck_len < 0.5:
                job.queue_s += extra
            else:
                job.run_s += extra
        job.new_pricing = job.created >= self.pricing_cutover

    def create(self, type_: str, body: dict[str, Any]) -> SimJob:
        """A job for a ``POST /{kind}_async`` body (already checked by ``demo.bodies``)."""
        self.advance()
        source = body.get("document_url") if type_ == "Edit" else body.get("input")
        if isinstance(source, dict):  # an UploadResponse passed back as it came
            source = source.get("file_id")
        job = self._add(self.clock(), type_, source=source, config=body)
        job.cancelled_at = None  # only the user cancels a job they just created
        upload = self.uploads.get(source) if isinstance(source, str) else None
        if upload is not None:
            job.num_pages = upload.pages
        return job

    def upload(self, name: str, size: int | None, extension: str | None = None) -> str:
        """Record an upload and return its ``reducto://`` file id (usable as ``input``)."""
        base = re.sub(r"[^\w.\- ]", "_", name.replace("\\", "/").rsplit("/", 1)[-1])[:120]
        if extension:
            ext = re.sub(r"[^\w]", "", extension)[:10]
            base = f"{base.rsplit('.', 1)[0] if '.' in base else base}.{ext}"
        token = uuid.UUID(int=self._upload_ids.getrandbits(128), version=4).hex
        file_id = f"reducto://{token}/{base or 'upload'}"
        self.uploads[file_id] = Upload(name=base, size=size, created=self.clock())
        return file_id

    def finish_upload(self, token: str, size: int) -> bool:
        """The file arrived at its presigned URL; False when the token is unknown."""
        for file_id, upload in self.uploads.items():
            if file_id.startswith(f"reducto://{token}/"):
                upload.size = size
                return True
        return False

    def delete_upload(self, file_id: str) -> bool:
        return self.uploads.pop(file_id, None) is not None

    def advance(self) -> None:
        """Let the jobs that have 'arrived' since the last call into the list."""
        if self._next_arrival is None:
            return
        now = self.clock()
        while self._next_arrival <= now:
            self._add(self._next_arrival)
            self._next_arrival += self._arrivals.expovariate(1 / self.arrival_interval)

    # ------------------------------------------------------------------ queries

    def visible(self, job: SimJob, now: float) -> bool:
        return job.deleted_at is None and now - job.created < RETENTION_S

    def page(self, cursor: str | None, limit: int, exclude_configs: bool) -> dict[str, Any]:
        self.advance()
        now = self.clock()
        start = len(self.jobs) - 1 if cursor is None else decode_cursor(cursor) - 1
        out: list[dict[str, Any]] = []
        i = start
        while i >= 0 and len(out) < limit:
            job = self.jobs[i]
            if self.visible(job, now):
                out.append(self.summary(job, now, exclude_configs))
            i -= 1
        more = (
            any(self.visible(self.jobs[k], now) for k in range(i, max(-1, i - 50), -1))
            if i >= 0
            else False
        )
        next_cursor = encode_cursor(self.jobs[i + 1].seq) if more and out else None
        return {"jobs": out, "next_cursor": next_cursor}

    def summary(self, job: SimJob, now: float, exclude_configs: bool = True) -> dict[str, Any]:
        status = job.status(now)
        done = status in ("Completed", "Failed")
        return {
            "job_id": job.job_id,
            "status": status,
            "type": job.type,
            "raw_config": "" if exclude_configs else job.raw_config,
            "created_at": _iso(job.created),
            "source": job.source,
            "num_pages": job.num_pages if done else None,
            "total_pages": job.num_pages,
            "duration": round(job.run_s + job.completing_s, 2) if done else None,
            "bucket": None,
        }

    def detail(
        self, job: SimJob, base_url: str = "", extended_statuses: bool = False
    ) -> dict[str, Any]:
        """``GET /job/{id}``'s body.

        v1.12.20 gives this endpoint only ``Pending | Completed | Failed | Idle``: a running
        job reads as ``Pending`` with a ``progress`` percentage and a cancelled one as
        ``Failed`` with ``error.name = JOB_CANCELLED``. ``extended_statuses`` answers with
        the list's finer statuses instead, as the older Jobs spec and the guides describe.
        """
        now = self.clock()
        status = job.status(now)
        body = self.summary(job, now, exclude_configs=False)
        del body["job_id"]
        body.update({"result": None, "progress": job.progress(now), "reason": None, "error": None})
        if not extended_statuses:
            body["status"] = DETAIL_STATUS.get(status, status)
        if status == "Failed" and job.failure is not None:
            failure = job.failure
            body["reason"] = failure.message
            body["error"] = {
                "code": failure.code,
                "name": failure.name,
                "message": failure.message,
                "job_id": job.job_id,
            }
        elif status == "Cancelled":
            body["reason"] = "The job was cancelled."
            body["error"] = {
                "code": CANCELLED_CODE,
                "name": "JOB_CANCELLED",
                "message": "The job was cancelled by the user.",
                "job_id": job.job_id,
            }
        elif status == "Completed":
            body["result"] = self.result(job, base_url)
        return body

    def result(self, job: SimJob, base_url: str = "", inline: bool = False) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{job.seq}")
        pages = job.num_pages
        billing = Billing(new_pricing=job.new_pricing, batch=job.batch)
        if job.type == "Parse":
            if pages >= LARGE_PARSE_PAGES and not inline:
                url = f"{base_url}/_demo/results/{job.job_id}?expires={int(self.clock()) + 3600}"
                res = payloads.parse_result(rng, job.job_id, 1, billing=billing)
                res["usage"] = parse_usage(rng, pages, billing)
                res["result"] = payloads.url_result(job.job_id, "parse", url)
                return res
            return payloads.parse_result(
                rng, job.job_id, pages, ocr=job.seq % 3 == 0, billing=billing
            )
        if job.type == "Extract":
            return payloads.extract_result(rng, job.job_id, pages, billing)
        if job.type == "Split":
            return payloads.split_result(rng, job.job_id, pages, job.seq % 2 == 0, billing)
        if job.type == "Classify":
            return payloads.classify_result(rng, job.job_id, pages, billing)
        if job.type == "Edit":
            return payloads.edit_result(rng, job.job_id, pages, billing)
        if job.type == "Chart":
            return payloads.chart_result(rng, job.job_id)
        return payloads.pipeline_result(rng, job.job_id, pages, billing)

    # ------------------------------------------------------------------ actions

    def cancel(self, job: SimJob) -> bool:
        now = self.clock()
        if job.status(now) not in CANCELLABLE:
            return False
        job.cancelled_at = now
        return True

    def delete(self, job: SimJob) -> None:
        if job.deleted_at is None:
            job.deleted_at = self.clock()


def pick_failure(type_: str, roll: float) -> Failure:
    """The failure that ``roll`` (0..1) lands on among those that happen to ``type_``."""
    fits = [f for f in FAILURES if not f.types or type_ in f.types]
    mark = roll * sum(f.weight for f in fits)
    for failure in fits:
        mark -= failure.weight
        if mark < 0:
            return failure
    return fits[-1]


def request_body(job: SimJob, name: str) -> dict[str, Any]:
    """The v1.12.20 ``*_async`` body a job of this type was created with (its raw_config)."""
    if job.type == "Edit":
        return {"document_url": job.source, "edit_instructions": "Fill in the applicant's details."}
    body: dict[str, Any] = {"input": job.source}
    if job.type in ("Parse", "Extract"):
        body["queue_priority"] = "batch" if job.batch else "auto"
        body["async"] = {"metadata": {"file": name, "batch": f"inbox-{job.seq // 50}"}}
    if job.type == "Extract":
        body["instructions"] = {"schema": payloads.EXTRACT_SCHEMA}
    elif job.type == "Split":
        body["split_description"] = [
            {"name": "Invoice", "description": "Pages billing for goods or services."},
            {"name": "Bill of lading", "description": "Shipping receipt for the goods."},
        ]
    elif job.type == "Classify":
        body["classification_schema"] = [
            {"category": "invoice", "criteria": ["itemized charges", "amount due"]},
            {"category": "contract", "criteria": ["parties", "signatures"]},
        ]
    elif job.type == "Pipeline":
        body["pipeline_id"] = "pl_demo_invoices"
    return body


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Raises ``ValueError`` for a cursor this server did not make."""
    padded = cursor + "=" * (-len(cursor) % 4)
    text = base64.urlsafe_b64decode(padded.encode()).decode()
    if not text.startswith("seq:"):
        raise ValueError("bad cursor")
    return int(text[4:])
