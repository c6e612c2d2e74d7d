"""Exports: pure functions from models to text, and one atomic writer.

A write goes to a temporary file in the target directory and is renamed into place only
when complete, so a failure (full disk, read-only directory, crash) never leaves a partial
file. Nothing here ever sees the API key.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError

from reducto_tui.api.errors import BadResponseError
from reducto_tui.api.lazy import raw_items
from reducto_tui.api.models import (
    ExtractResponse,
    FullResult,
    JobDetail,
    ParseResponse,
    PipelineResponse,
    SplitResponse,
    SplitResult,
    UnknownResult,
    V3ExtractResponse,
)
from reducto_tui.core.rows import JobRow
from reducto_tui.render.format import absolute
from reducto_tui.render.text import clean


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    suffix: str


JOB_JSON = ExportFormat("job_json", "Full job (JSON)", ".json")
CHUNKS_MD = ExportFormat("chunks_md", "Parse chunks (Markdown)", ".md")
BLOCKS_CSV = ExportFormat("blocks_csv", "Parse blocks (CSV)", ".csv")
BLOCKS_JSONL = ExportFormat("blocks_jsonl", "Parse blocks (JSONL)", ".jsonl")
SPLIT_CSV = ExportFormat("split_csv", "Splits (CSV)", ".csv")
EXTRACT_JSON = ExportFormat("extract_json", "Extracted data (JSON)", ".json")
#: Every format one job can be exported in (which fit a given job: :func:`formats_for`).
JOB_FORMATS = (JOB_JSON, CHUNKS_MD, BLOCKS_CSV, BLOCKS_JSONL, SPLIT_CSV, EXTRACT_JSON)
LIST_CSV = ExportFormat("list_csv", "Job list (CSV)", ".csv")
LIST_JSONL = ExportFormat("list_jsonl", "Job list (JSONL)", ".jsonl")

BLOCK_FIELDS = ("chunk", "type", "page", "left", "top", "width", "height", "confidence", "content")
LIST_FIELDS = (
    "job_id",
    "status",
    "type",
    "source",
    "created_at",
    "num_pages",
    "total_pages",
    "duration",
    "reason",
)


def formats_for(detail: JobDetail | None) -> list[ExportFormat]:
    """The formats that fit one job (its result kind decides)."""
    out = [JOB_JSON]
    if detail is None:
        return out
    if full_result(detail) is not None:
        out += [CHUNKS_MD, BLOCKS_CSV, BLOCKS_JSONL]
    if split_result(detail) is not None:
        out.append(SPLIT_CSV)
    if extract_data(detail) is not None:
        out.append(EXTRACT_JSON)
    return out


# ---------------------------------------------------------------------- selectors


def full_result(detail: JobDetail) -> FullResult | None:
    result = detail.result
    if isinstance(result, PipelineResponse):
        parse = result.result.parse
        result = parse[0] if isinstance(parse, list) and parse else parse  # type: ignore[assignment]
    if isinstance(result, ParseResponse) and isinstance(result.result, FullResult):
        return result.result
    return None


def split_result(detail: JobDetail) -> SplitResult | None:
    result = detail.result
    if isinstance(result, PipelineResponse):
        result = result.result.split
    if isinstance(result, SplitResponse) and isinstance(result.result, SplitResult):
        return result.result
    return None


def extract_data(detail: JobDetail) -> Any:
    result = detail.result
    if isinstance(result, PipelineResponse) and result.result.extract is not None:
        extract = result.result.extract
        if isinstance(extract, list):
            return [
                {"split_name": e.split_name, "page_range": e.page_range, "result": e.result.result}
                for e in extract
            ]
        return extract.result
    if isinstance(result, ExtractResponse | V3ExtractResponse):
        return result.result if not hasattr(result.result, "url") else None
    return None


# ---------------------------------------------------------------------- renderers


_PRINTABLE_INT_BITS = 14_000


def finite(value: Any) -> Any:
    """``value`` with every inf/nan float as ``null``: ``Infinity`` and ``NaN`` are not JSON,
    and a server can send them (``1e400`` parses as inf) in any field we keep as-is."""
    if value is None or type(value) is str:  # most values: answered before the checks below
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int) and value.bit_length() > _PRINTABLE_INT_BITS:
        return None  # Python refuses to print it (over 4300 digits): not a number we can keep
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


#: Kept as ``\\uXXXX`` escapes in JSON text (valid JSON either way): DEL, C1 controls, bidi
#: overrides and Unicode line separators, which would reorder or split lines in a viewer.
_JSON_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(value: Any, indent: int | None = None) -> str:
    """Strict JSON text of ``value``: never ``Infinity``/``NaN``, no raw control characters."""
    text = json.dumps(finite(value), indent=indent, ensure_ascii=False, allow_nan=False)
    return _escape(text)


def _escape(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


#: One encoder for every line of a JSONL export (``json.dumps`` builds one per call).
_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def job_json(detail: JobDetail, job_id: str) -> str:
    # Chunks still held as JSON (api.lazy.LazyList) are dumped as received; pydantic would
    # warn that they are dicts, not models, which is exactly what is meant here.
    data = detail.model_dump(mode="python", exclude_unset=True, warnings=False)
    _chunks_as_received(detail, data)
    if isinstance(detail.result, UnknownResult):
        data["result"] = detail.result.raw
    return dumps(_plain({"job_id": job_id, **data}), indent=2) + "\n"


def _chunks_as_received(detail: JobDetail, data: dict[str, Any]) -> None:
    """Chunks left in the body (api.lazy.Spans) are not in the list pydantic reads: put
    them into ``data`` (``detail`` dumped) as received."""
    result = detail.result
    pairs: list[tuple[ParseResponse, Any]] = []
    if isinstance(result, ParseResponse):
        pairs = [(result, data.get("result"))]
    elif isinstance(result, PipelineResponse) and result.result.parse is not None:
        parses, dumped = result.result.parse, data.get("result", {}).get("result", {}).get("parse")
        if isinstance(parses, list) and isinstance(dumped, list):
            pairs = list(zip(parses, dumped, strict=False))
        elif isinstance(parses, ParseResponse):
            pairs = [(parses, dumped)]
    for parse, dumped in pairs:
        chunks = raw_items(parse.result.chunks) if isinstance(parse.result, FullResult) else None
        if (
            chunks is not None
            and isinstance(dumped, dict)
            and isinstance(dumped.get("result"), dict)
        ):
            dumped["result"]["chunks"] = chunks


def _plain(value: Any) -> Any:
    """Python values as JSON types (model_dump's json mode would turn inf into "Infinity")."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def chunks_markdown(result: FullResult, title: str) -> str:
    """Markdown is read by people, often with ``cat`` in a terminal: server text goes through
    :func:`clean` (control characters become visible escapes; tabs and line breaks stay)."""
    return clean(_chunks_markdown(result, title))


def _chunks_markdown(result: FullResult, title: str) -> str:
    out = [f"# {title}\n"]
    seen: set[int] = set()
    for n, chunk in enumerate(result.chunks, 1):
        pages = sorted({b.bbox.page for b in chunk.blocks if b.bbox.page is not None})
        # A marker for each page that starts in this chunk, so page breaks survive export.
        out.extend(f"<!-- page {p} -->\n" for p in pages if p not in seen)
        seen.update(pages)
        span = (
            f" (pages {pages[0]}–{pages[-1]})"
            if len(pages) > 1
            else (f" (page {pages[0]})" if pages else "")
        )
        out.append(f"## Chunk {n}{span}\n\n{chunk.content.strip() if chunk.content else ''}\n")
    return "\n".join(out)


def block_records(result: FullResult) -> list[dict[str, Any]]:
    return [
        {
            "chunk": n,
            "type": block.type,
            "page": block.bbox.page,
            "left": block.bbox.left,
            "top": block.bbox.top,
            "width": block.bbox.width,
            "height": block.bbox.height,
            "confidence": block.confidence,
            "content": block.content,
        }
        for n, chunk in enumerate(result.chunks, 1)
        for block in chunk.blocks
    ]


#: A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet and a terminal: text that would start a formula gets
    a leading ``'``, and control characters other than tab and newline become the visible
    escapes :func:`clean` writes. Numbers we produced ourselves are left as numbers.

    Why escape, when JSON and JSONL keep the text exact: CSV has no escape of its own for
    control characters, and a CSV is as often ``cat``-ed or opened in a viewer as parsed;
    an ESC sequence there retitles the window or writes the clipboard. Tab and newline are
    ordinary cell content that the csv module quotes; a lone CR would overwrite the line.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        shown = clean(value)
        if value.startswith(_FORMULA_START) or shown.startswith(_FORMULA_START):
            return "'" + shown
        return shown
    return value


def to_csv(
    records: Iterable[dict[str, Any]], fields: tuple[str, ...], *, header: bool = True
) -> str:
    """Every CSV we write goes through here, so every cell is neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    if header:
        writer.writeheader()
    for record in records:
        writer.writerow({k: csv_cell(record.get(k)) for k in fields})
    return buffer.getvalue()


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    # The escapes apply to the text as a whole: once per piece, not once per line.
    return _escape("".join([_LINE(finite(r)) + "\n" for r in records]))


def split_records(result: SplitResult) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "pages": " ".join(str(p) for p in s.pages), "conf": s.conf}
        for s in result.splits
    ]


def row_record(row: JobRow) -> dict[str, Any]:
    return {
        "job_id": row.job_id,
        "status": row.status,
        "type": row.type,
        "source": row.source,
        "created_at": absolute(row.created) if row.created is not None else None,
        "num_pages": row.num_pages,
        "total_pages": row.total_pages,
        "duration": row.duration,
        "reason": row.reason,
    }


#: What writing JSON nested a few hundred levels deep raises: Python's ``json`` and our own
#: walks run out of stack, pydantic calls it a circular reference. A server can send such
#: JSON and it still parses (Python's parser goes ~1000 levels deep).
TOO_DEEP = (RecursionError, PydanticSerializationError)


def too_deep(doing: str = "write it out", then: str = "nothing was written") -> BadResponseError:
    """The one message for JSON too deeply nested to write (a server's answer we cannot use:
    the CLI's exit code 4, as for any unusable answer)."""
    tail = f"; {then}." if then else "."
    return BadResponseError(
        f"The job's JSON is nested too deeply (hundreds of levels) to {doing}{tail}"
    )


def render_job(fmt: ExportFormat, detail: JobDetail, job_id: str) -> str:
    """One job in ``fmt``. Raises ``ValueError`` when ``fmt`` does not fit the job, and
    :func:`too_deep`'s error for JSON nested too deeply to write."""
    try:
        return _render_job(fmt, detail, job_id)
    except TOO_DEEP as exc:
        raise too_deep() from exc


def _render_job(fmt: ExportFormat, detail: JobDetail, job_id: str) -> str:
    if fmt is JOB_JSON:
        return job_json(detail, job_id)
    if fmt in (CHUNKS_MD, BLOCKS_CSV, BLOCKS_JSONL):
        result = full_result(detail)
        if result is None:
            raise ValueError("This job has no parse result to export.")
        if fmt is CHUNKS_MD:
            return chunks_markdown(result, f"Job {job_id}")
        records = block_records(result)
        return to_csv(records, BLOCK_FIELDS) if fmt is BLOCKS_CSV else to_jsonl(records)
    if fmt is SPLIT_CSV:
        split = split_result(detail)
        if split is None:
            raise ValueError("This job has no split result to export.")
        return to_csv(split_records(split), ("name", "pages", "conf"))
    if fmt is EXTRACT_JSON:
        data = extract_data(detail)
        if data is None:
            raise ValueError("This job has no extracted data to export.")
        return dumps(_plain(data), indent=2) + "\n"
    raise ValueError(f"{fmt.label} does not apply to a single job.")


def render_list(fmt: ExportFormat, rows: Iterable[JobRow]) -> str:
    return "".join(render_list_chunks(fmt, rows))


#: Rows rendered per piece of a streamed list export (a few ms of work each).
LIST_CHUNK = 250


def render_list_chunks(
    fmt: ExportFormat, rows: Iterable[JobRow], size: int = LIST_CHUNK
) -> Iterator[str]:
    """The list export of ``rows`` in pieces of ``size`` rows (CSV: the header first).

    A 100k-row export is tens of MB of text: built, joined and encoded in one piece, each of
    those single C calls holds the GIL for tens of ms while a thread writes it, and the UI
    stalls (issue 14). Pieces keep every step short."""
    if fmt not in (LIST_CSV, LIST_JSONL):
        raise ValueError(f"{fmt.label} is not a job-list format.")
    listed = list(rows)
    if fmt is LIST_CSV:
        yield to_csv([], LIST_FIELDS)
    for start in range(0, len(listed), size):
        records = [row_record(r) for r in listed[start : start + size]]
        if fmt is LIST_CSV:
            yield to_csv(records, LIST_FIELDS, header=False)
        else:
            yield to_jsonl(records)


# ---------------------------------------------------------------------- files


def default_name(job_id: str | None, fmt: ExportFormat) -> str:
    stem = f"reducto-{job_id[:8]}-{fmt.key}" if job_id else f"reducto-jobs-{fmt.key}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) + fmt.suffix


#: Seconds a writing thread sleeps between pieces, so the event loop's thread gets the GIL.
YIELD = 0.001


def write_atomic(
    path: Path, text: str | Iterable[str], *, overwrite: bool = False, mode: int = 0o666
) -> Path:
    """Write ``text`` (one string, or pieces written as they come) to ``path`` all at once
    or not at all.

    The text goes to a temporary file beside ``path`` (created with ``mode``, 0666 by
    default, less the umask), then takes the name in one step. Without ``overwrite`` that
    step is a hard link, which fails if anything holds the name by then (another export
    that won the race, a dangling symlink): ``FileExistsError``, and the other file is left
    untouched. ``OSError`` if the directory cannot be written. Nothing partial is left.
    """
    path = path.expanduser()
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path} already exists.")
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"  # "x.csv": parent "."
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            for piece in (text,) if isinstance(text, str) else text:
                handle.write(piece)
                # Let the UI's thread have the GIL between pieces: on a busy machine a
                # thread that never blocks can keep it for whole OS time slices, and
                # ``sleep(0)`` hands it back before a waiting thread has woken up.
                time.sleep(YIELD)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _claim(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _claim(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the name ``path`` only if nothing has it (O_EXCL semantics)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists.") from None
    except OSError:
        # No hard links here (some network or FAT file systems): reserve the name with an
        # exclusive create, then move the complete file over our own placeholder.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666))
        except FileExistsError:
            raise FileExistsError(f"{path} already exists.") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


# ---------------------------------------------------------------------- insight numbers

INSIGHT_JSON = ExportFormat("insight_json", "Insight numbers (JSON)", ".json")
INSIGHT_CSV = ExportFormat("insight_csv", "Insight numbers (CSV, one measure a row)", ".csv")
INSIGHT_FIELDS = ("section", "item", "measure", "value")


def insight_records(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The insight numbers (``safe_numbers``' dict) in long form: one measure a row, so a
    spreadsheet can pivot them."""
    rows: list[dict[str, Any]] = []

    def add(section: str, item: str, measure: str, value: Any) -> None:
        rows.append({"section": section, "item": item, "measure": measure, "value": value})

    add("selection", "", "filter", body.get("filter", ""))  # "" for every job
    for name in (
        "jobs",
        "pages",
        "credits",
        "credits_known",
        "pages_per_minute",
        "jobs_per_minute",
        "open_jobs",
        "open_pages",
        "drain_seconds",
        "stuck",
        "failures_unknown",
        "failures_gone",
    ):
        add("total", "", name, body[name])
    for state, n in body["counts"].items():
        add("state", state, "jobs", n)
    for bucket in body["buckets"]:
        when = absolute(bucket["start"])
        for measure in ("completed", "failed", "cancelled", "pages", "credits"):
            add(f"per {body['bucket_seconds']} s", when, measure, bucket[measure])
    for lat in body["latency"]:
        for measure, value in lat.items():
            if measure != "type":
                add("duration", lat["type"], measure, value)
    for failure in body["failures"]:
        add("failure", failure["key"], "count", failure["count"])
        add("failure", failure["key"], "reason", failure["reason"])
    return rows


def render_insight(body: dict[str, Any], csv: bool) -> str:
    if csv:
        return to_csv(insight_records(body), INSIGHT_FIELDS)
    return dumps(body, indent=2) + "\n"
