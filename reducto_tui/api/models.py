"""Pydantic models of the Reducto Jobs API (jobs-openapi.yml and the v1.12.20 spec).

Forward compatible on purpose: statuses and types are open strings, unknown fields are kept
(``extra="allow"``), values that do not fit degrade to ``None`` instead of raising, and a
result whose shape we do not recognise becomes an :class:`UnknownResult` holding the raw
JSON, so a new server release never crashes the dashboard.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from reducto_tui.api.status import StatusKind, job_kind, status_kind

#: Larger integers are not counts or codes anyone sends on purpose (and a 5000-digit one
#: would make every formatter slow): they degrade to "unknown" like any other bad value.
MAX_INT = 2**63


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


def _as_text(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return None  # a structure is not a word; str() of it would only mislead
    try:
        return str(value)
    except ValueError:  # an integer too long to print (over 4300 digits)
        return None


def _number(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A finite number in range, or ``None``: inf, nan, huge ints and wrong types degrade."""
    if isinstance(value, bool):
        return None
    try:
        out = handler(value)
    except (ValidationError, OverflowError, ValueError):
        return None
    if isinstance(out, float) and not math.isfinite(out):
        return None
    if isinstance(out, int) and not -MAX_INT < out < MAX_INT:
        return None
    return out


def _not_negative(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    out = _number(value, handler)
    return out if out is None or out >= 0 else None


def _coordinate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    out = _number(value, handler)
    return 0.0 if out is None else out


LenientInt = Annotated[int | None, WrapValidator(_number)]
LenientFloat = Annotated[float | None, WrapValidator(_number)]
#: Counts, durations and credits: a negative value is as wrong as a missing one.
Count = Annotated[int | None, WrapValidator(_not_negative)]
Amount = Annotated[float | None, WrapValidator(_not_negative)]
Coordinate = Annotated[float, WrapValidator(_coordinate)]
LenientStr = Annotated[str | None, WrapValidator(_as_text)]


def _config_text(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # The API sends raw_config as a JSON string; a server sending the object itself means
    # the same config (a tester's server did: it was read as "no config").
    if isinstance(value, dict):
        try:
            return json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            return None
    return _as_text(value, handler)


ConfigText = Annotated[str | None, WrapValidator(_config_text)]


class Model(BaseModel):
    # No inf/nan in any float field: one such value would crash arithmetic and formatting
    # far from here, and it is not JSON anyway.
    model_config = ConfigDict(extra="allow", populate_by_name=True, allow_inf_nan=False)


def parse_timestamp(raw: str | None) -> datetime | None:
    """ISO 8601 from the API; anything else is ``None`` ("unknown" on screen)."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        # Year 1 at +14:00 or year 9999 at -05:00 leaves datetime's range once in UTC;
        # the timestamp must also fit the platform's time functions.
        value = value.astimezone(UTC)
        datetime.fromtimestamp(value.timestamp(), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return value


# --------------------------------------------------------------------------- errors


class ErrorDetail(Model):
    """The ``error`` object of failed jobs (newest spec). ``name`` is one of 44 codes."""

    code: LenientInt = None
    name: LenientStr = None
    message: LenientStr = None
    job_id: LenientStr = None

    @model_validator(mode="before")
    @classmethod
    def _name_in_code(cls, data: Any) -> Any:
        # Some servers put the name where the spec puts the numeric code.
        if isinstance(data, dict) and isinstance(data.get("code"), str) and not data.get("name"):
            code = data["code"]
            if code and not code.lstrip("-").isdigit():
                return {**data, "name": code}
        return data


# --------------------------------------------------------------------------- geometry


class BoundingBox(Model):
    left: Coordinate = 0.0
    top: Coordinate = 0.0
    width: Coordinate = 0.0
    height: Coordinate = 0.0
    page: LenientInt = None
    original_page: LenientInt = None


# --------------------------------------------------------------------------- usage


def _number_map(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """``{name: number}`` keeping only the entries that are readable numbers."""
    if not isinstance(value, dict):
        return None
    out: dict[str, float] = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            continue
        if isinstance(number, int) and not -MAX_INT < number < MAX_INT:
            continue
        if math.isfinite(number):
            out[str(key)] = float(number)
    return out


def _word_lists(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """``{page: [feature, ...]}`` keeping only the string entries."""
    if not isinstance(value, dict):
        return None
    return {
        str(key): [w for w in words if isinstance(w, str)]
        for key, words in value.items()
        if isinstance(words, list)
    }


NumberMap = Annotated[dict[str, float] | None, WrapValidator(_number_map)]
WordLists = Annotated[dict[str, list[str]] | None, WrapValidator(_word_lists)]


class UsageBreakdown(Model):
    """Raw quantities under Reducto's newer pricing (then ``credits`` is absent).

    One class for the parse, split, edit, extract and classify shapes of the spec: each
    names its model (``parse_model`` "R-1"/"Legacy", ``extract_model``, ...) and counts
    pages; parse and extract also carry a ``tier`` ("Default" or "Batch")."""

    parse_model: LenientStr = None
    split_model: LenientStr = None
    edit_model: LenientStr = None
    extract_model: LenientStr = None
    classify_model: LenientStr = None
    tier: LenientStr = None
    parse_pages: Count = None
    parse_native_pages: Count = None
    legacy_parse_credits: Amount = None
    split_pages: Count = None
    edit_pages: Count = None
    prefill_pages: Count = None
    extract_pages: Count = None
    extract_fields: Count = None
    classify_pages: Count = None
    ocr_pages: Count = None
    charts: Count = None
    prompted_blocks: Count = None

    @property
    def model_name(self) -> str | None:
        return (
            self.parse_model
            or self.extract_model
            or self.split_model
            or self.classify_model
            or self.edit_model
        )


Breakdown = Annotated[UsageBreakdown | None, WrapValidator(_or_none)]


class Usage(Model):
    """Every usage shape of the spec in one (ParseUsage, ExtractUsage, ClassifyUsage,
    ChartUsage): each field is optional, so a renderer shows whichever are present."""

    num_pages: Count = None
    credits: Amount = None
    credit_breakdown: NumberMap = None
    page_billing_breakdown: WordLists = None
    non_empty_cell_count: Count = None
    usage_breakdown: Breakdown = None
    num_fields: Count = None
    extract_mode: LenientStr = None
    num_categories: Count = None
    num_charts: Count = None

    @property
    def total_credits(self) -> float | None:
        """What the job cost in credits, from whichever pricing shape it reports: ``credits``
        (the older pricing), else the sum of its ``credit_breakdown``, else the newer
        pricing's ``legacy_parse_credits`` (a parse on the legacy pipeline carries its whole
        cost there). ``None`` when the job reports only raw quantities (the newer pricing's
        R-1 parse, split, edit, extract, classify): the API prices those on a rate card it
        does not publish, so no credit figure is made up for them."""
        if self.credits is not None:
            return self.credits
        if self.credit_breakdown:
            return sum(self.credit_breakdown.values())
        breakdown = self.usage_breakdown
        if breakdown is not None and (
            breakdown.parse_model == "Legacy" or breakdown.legacy_parse_credits
        ):
            return breakdown.legacy_parse_credits
        return None


LenientUsage = Annotated[Usage | None, WrapValidator(_or_none)]


# --------------------------------------------------------------------------- parse


class UrlResult(Model):
    """A result too large for the response body: fetch ``url`` (a presigned link)."""

    type: Literal["url"] = "url"
    url: str
    result_id: str = ""


class GranularConfidence(Model):
    extract_confidence: LenientFloat = None
    parse_confidence: LenientFloat = None


class ParseBlock(Model):
    type: LenientStr = None
    bbox: BoundingBox = Field(default_factory=BoundingBox)
    content: LenientStr = ""
    image_url: LenientStr = None
    chart_data: list[str] | None = None
    confidence: LenientStr = None
    granular_confidence: GranularConfidence | None = None
    merged_tables: list[Any] | None = None
    extra: dict[str, Any] | None = None


class ParseChunk(Model):
    content: LenientStr = ""
    embed: LenientStr = ""
    enriched: LenientStr = None
    enrichment_success: bool = False
    blocks: list[ParseBlock] = Field(default_factory=list)


class OCRWord(Model):
    text: LenientStr = ""
    bbox: BoundingBox = Field(default_factory=BoundingBox)
    confidence: LenientFloat = None
    chunk_index: LenientInt = None
    rotation: LenientInt = None


class OCRLine(OCRWord):
    pass


class OCRResult(Model):
    words: list[OCRWord] = Field(default_factory=list)
    lines: list[OCRLine] = Field(default_factory=list)


class FullResult(Model):
    type: Literal["full"] = "full"
    chunks: list[ParseChunk] = Field(default_factory=list)
    ocr: OCRResult | None = None
    custom: Any = None


def _result_type(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "url" if getattr(value, "type", None) == "url" else "full"
    if isinstance(value, dict) and value.get("type") == "url":
        return "url"
    return "full"


ParseResultBody = Annotated[
    Annotated[FullResult, Tag("full")] | Annotated[UrlResult, Tag("url")],
    Discriminator(_result_type),
]


class DocumentProperties(Model):
    title: LenientStr = None
    author: LenientStr = None
    subject: LenientStr = None
    keywords: LenientStr = None
    creator: LenientStr = None
    producer: LenientStr = None
    last_modified_by: LenientStr = None
    created_at: LenientStr = None
    modified_at: LenientStr = None


class ParseResponse(Model):
    response_type: Literal["parse"] = "parse"
    job_id: LenientStr = None
    duration: LenientFloat = None
    pdf_url: LenientStr = None
    studio_link: LenientStr = None
    usage: LenientUsage = None
    result: ParseResultBody
    parse_mode: LenientStr = None
    document_properties: DocumentProperties | None = None


# --------------------------------------------------------------------------- split


class SplitPartition(Model):
    name: str = ""
    pages: list[int] = Field(default_factory=list)
    conf: LenientStr = None


class Split(Model):
    name: str = ""
    pages: list[int] = Field(default_factory=list)
    conf: LenientStr = None
    partitions: list[SplitPartition] | None = None


class SplitResult(Model):
    section_mapping: dict[str, list[int]] | None = None
    splits: list[Split] = Field(default_factory=list)


class DeepSplitPageEvidence(Model):
    page_number: LenientInt = None
    evidence: LenientStr = ""
    confidence: LenientStr = None


class DeepSplitPartition(Model):
    name: str = ""
    pages: list[DeepSplitPageEvidence] = Field(default_factory=list)


class DeepSplit(Model):
    name: str = ""
    pages: list[DeepSplitPageEvidence] = Field(default_factory=list)
    partitions: list[DeepSplitPartition] | None = None


class DeepSplitResult(Model):
    splits: list[DeepSplit] = Field(default_factory=list)


def _split_body_kind(value: Any) -> str:
    if isinstance(value, BaseModel):
        return {"UrlResult": "url", "DeepSplitResult": "deep"}.get(type(value).__name__, "simple")
    if isinstance(value, dict):
        if value.get("type") == "url":
            return "url"
        splits = value.get("splits")
        if isinstance(splits, list) and splits:
            pages = splits[0].get("pages") if isinstance(splits[0], dict) else None
            if isinstance(pages, list) and pages and isinstance(pages[0], dict):
                return "deep"
    return "simple"


SplitResultBody = Annotated[
    Annotated[SplitResult, Tag("simple")]
    | Annotated[DeepSplitResult, Tag("deep")]
    | Annotated[UrlResult, Tag("url")],
    Discriminator(_split_body_kind),
]


class SplitResponse(Model):
    response_type: Literal["split"] = "split"
    job_id: LenientStr = None
    usage: LenientUsage = None
    duration: LenientFloat = None
    result: SplitResultBody


# --------------------------------------------------------------------------- extract


class ExtractResponse(Model):
    response_type: Literal["extract"] = "extract"
    job_id: LenientStr = None
    usage: LenientUsage = None
    duration: LenientFloat = None
    studio_link: LenientStr = None
    result: list[Any] | UrlResult | None = None
    citations: list[Any] | UrlResult | None = None
    response_confidence: dict[str, Any] | None = None


class V3ExtractResponse(Model):
    response_type: Literal["v3_extract"] = "v3_extract"
    job_id: LenientStr = None
    usage: LenientUsage = None
    duration: LenientFloat = None
    studio_link: LenientStr = None
    confidence: LenientStr = None
    confidence_reason: LenientStr = None
    result: Any = None


# --------------------------------------------------------------------------- classify


class CriteriaConfidence(Model):
    criterion: str = ""
    confidence: LenientStr = None


class CategoryConfidence(Model):
    category: str = ""
    confidence: LenientFloat = None
    criteria_confidence: list[CriteriaConfidence] = Field(default_factory=list)


class ResponseConfidence(Model):
    categories: list[CategoryConfidence] = Field(default_factory=list)


class ClassifyResponseCategory(Model):
    category: LenientStr = None


class ClassifyResponse(Model):
    response_type: Literal["classify"] = "classify"
    job_id: LenientStr = None
    result: UrlResult | ClassifyResponseCategory
    response_confidence: ResponseConfidence | None = None
    usage: LenientUsage = None
    extra_metadata: dict[str, Any] | None = None
    duration: LenientFloat = None


# --------------------------------------------------------------------------- chart


class ChartResult(Model):
    chart_data: dict[str, Any] = Field(default_factory=dict)
    summary: LenientStr = ""
    reconstruction_url: LenientStr = None
    verified: bool | None = None


class ChartResponse(Model):
    response_type: Literal["chart"] = "chart"
    job_id: LenientStr = None
    result: ChartResult
    usage: LenientUsage = None
    duration: LenientFloat = None


# --------------------------------------------------------------------------- edit


class EditWidget(Model):
    bbox: BoundingBox = Field(default_factory=BoundingBox)
    description: LenientStr = ""
    type: LenientStr = None
    fill: bool = True
    value: LenientStr = None
    font_size: LenientFloat = None


class EditResponse(Model):
    response_type: Literal["edit"] = "edit"
    job_id: LenientStr = None
    document_url: str
    form_schema: list[EditWidget] | None = None
    usage: LenientUsage = None


# --------------------------------------------------------------------------- pipeline


class ExtractSplitResponse(Model):
    split_name: str = ""
    page_range: list[int] = Field(default_factory=list)
    partition: LenientStr = None
    result: ExtractResponse | V3ExtractResponse


class PipelineResult(Model):
    parse: ParseResponse | list[ParseResponse] | None = None
    extract: list[ExtractSplitResponse] | ExtractResponse | V3ExtractResponse | None = None
    split: SplitResponse | None = None
    edit: EditResponse | None = None


class PipelineResponse(Model):
    response_type: Literal["pipeline"] = "pipeline"
    job_id: LenientStr = None
    usage: LenientUsage = None
    result: PipelineResult


# --------------------------------------------------------------------------- fallback


class UnknownResult(BaseModel):
    """A result we could not read as any known kind; ``raw`` is the JSON as received."""

    model_config = ConfigDict(extra="forbid")
    response_type: Literal["unknown"] = "unknown"
    raw: Any = None
    problem: str = ""


RESULT_KINDS = ("parse", "extract", "v3_extract", "split", "classify", "chart", "edit", "pipeline")


def infer_result_kind(value: Any) -> str:
    """``response_type`` when present; older payloads (the SDK docs' example) lack it."""
    if isinstance(value, BaseModel):  # serialising: the model already knows its kind
        kind = getattr(value, "response_type", "unknown")
        return kind if isinstance(kind, str) else "unknown"
    if not isinstance(value, dict):
        return "unknown"
    declared = value.get("response_type")
    if isinstance(declared, str):
        return declared if declared in RESULT_KINDS else "unknown"
    if "document_url" in value:
        return "edit"
    inner = value.get("result")
    if isinstance(inner, dict):
        # Without response_type a URL result is ambiguous; parse is by far the common case.
        if inner.get("type") in ("full", "url"):
            return "parse"
        return _dict_kind(inner)
    if isinstance(inner, list) or "citations" in value:
        return "extract"
    return "unknown"


def _dict_kind(inner: dict[str, Any]) -> str:
    if "splits" in inner:
        return "split"
    if "category" in inner:
        return "classify"
    if "chart_data" in inner:
        return "chart"
    if {"parse", "extract", "split"} & inner.keys():
        return "pipeline"
    return "unknown"


_KNOWN = Annotated[
    Annotated[ParseResponse, Tag("parse")]
    | Annotated[ExtractResponse, Tag("extract")]
    | Annotated[V3ExtractResponse, Tag("v3_extract")]
    | Annotated[SplitResponse, Tag("split")]
    | Annotated[ClassifyResponse, Tag("classify")]
    | Annotated[ChartResponse, Tag("chart")]
    | Annotated[EditResponse, Tag("edit")]
    | Annotated[PipelineResponse, Tag("pipeline")]
    | Annotated[UnknownResult, Tag("unknown")],
    Discriminator(infer_result_kind),
]

KnownResult = (
    ParseResponse
    | ExtractResponse
    | V3ExtractResponse
    | SplitResponse
    | ClassifyResponse
    | ChartResponse
    | EditResponse
    | PipelineResponse
    | UnknownResult
)


def _result_or_unknown(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None or isinstance(value, BaseModel):
        return value
    if infer_result_kind(value) == "unknown":
        return UnknownResult(raw=value, problem="unrecognised result shape")
    try:
        return handler(value)
    except ValidationError as exc:
        return UnknownResult(raw=value, problem=_summarise(exc))


def _summarise(exc: ValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))


JobResult = Annotated[_KNOWN | None, WrapValidator(_result_or_unknown)]


# --------------------------------------------------------------------------- jobs


class _JobFields(Model):
    status: LenientStr = None
    type: LenientStr = None
    num_pages: Count = None
    total_pages: Count = None
    duration: Amount = None
    created_at: LenientStr = None
    raw_config: ConfigText = None
    source: Any = None
    bucket: Any = None

    @property
    def created(self) -> datetime | None:
        return parse_timestamp(self.created_at)

    @property
    def status_kind(self) -> StatusKind:
        return status_kind(self.status)


class SingleJob(_JobFields):
    """One row of ``GET /jobs``."""

    job_id: str


class JobsResponse(Model):
    jobs: list[SingleJob] = Field(default_factory=list)
    next_cursor: LenientStr = None
    #: How many items of the page could not be read at all (no usable ``job_id``).
    skipped: int = 0


class JobDetail(_JobFields):
    """``GET /job/{job_id}``: the union of ``AsyncJobResponse`` and its enhanced form.

    The plain ``AsyncJobResponse`` has only status, result, progress, reason and error:
    every other field is then ``None``, meaning "not said", never "blank"."""

    result: JobResult = None
    progress: LenientFloat = None
    reason: LenientStr = None
    error: Annotated[ErrorDetail | None, WrapValidator(_or_none)] = None

    @property
    def status_kind(self) -> StatusKind:
        return job_kind(
            self.status,
            progress=self.progress,
            error_name=self.error.name if self.error is not None else None,
        )

    @property
    def progress_fraction(self) -> float | None:
        """``progress`` as 0..1. The API sends a percentage, 0..100 (the JavaScript docs
        print ``${job.progress}%``), so 0.5 means half a percent, not half done."""
        if self.progress is None:
            return None
        return max(0.0, min(1.0, self.progress / 100))


class AsyncJobCreated(Model):
    """What ``POST /parse_async`` and its siblings answer."""

    job_id: str


class DeleteJobResponse(Model):
    job_id: LenientStr = None


def source_label(source: Any) -> str:
    """A short, human name for the free-form ``source`` of a job."""
    if source is None:
        return ""
    if isinstance(source, str):
        return source
    if isinstance(source, dict):
        for key in ("file_name", "filename", "name", "url", "input", "path"):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value
    if isinstance(source, list) and source:
        return source_label(source[0]) + (f" (+{len(source) - 1})" if len(source) > 1 else "")
    try:
        return json.dumps(source, default=str)[:200]
    except (ValueError, RecursionError):  # nan/inf inside, or absurdly deep
        return "unknown"
