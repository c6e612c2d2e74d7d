"""Creating jobs: upload a local document, then ``POST /{kind}_async`` — at most once.

v1.12.20 declares no idempotency key (and the official SDK sends none), so a POST whose answer
was lost may or may not have made its job. Such a POST is never simply sent again: the recent
jobs are read first, and a job of the same type and input, with a config that holds ours,
created since just before the POST (less :data:`MATCH_WINDOW` for clock skew) and not already
claimed by this creator, is taken as the one it made. Only when there is none is it sent again,
once; when the check itself fails the error says the job may exist and nothing is resent.

A 429 (``RateLimitError``) and a refused connection never created anything: the client waits
those out itself (``Retry-After`` up to its cap); what is left is raised for the caller.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import stat
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from reducto_tui.api.client import MB, ReductoClient, is_loopback
from reducto_tui.api.errors import (
    BadResponseError,
    InsecureConnectionError,
    InvalidRequestError,
    NetworkError,
    ReductoError,
    ResponseTooLargeError,
    ServerError,
)
from reducto_tui.api.models import Model, parse_timestamp

#: The ``*_async`` paths and the job ``type`` each one makes.
KINDS: dict[str, str] = {
    "parse": "Parse",
    "extract": "Extract",
    "split": "Split",
    "classify": "Classify",
    "edit": "Edit",
    "pipeline": "Pipeline",
}
#: Reducto's documented limits: direct ``/upload`` up to 100 MB, presigned PUT up to 5 GB.
DIRECT_UPLOAD_MAX = 100 * MB
MAX_UPLOAD = 5 * 1024 * MB
CHUNK = 1 * MB
#: How far before our POST a found job may say it was created (clock skew, slow commit).
MATCH_WINDOW = 60.0
#: Pause before looking for a job whose POST lost its answer: let the server commit it.
SETTLE = 2.0
#: The recent jobs read when looking for it.
LOOKBACK = 100

Progress = Callable[[int, int], None]


class LocalFileError(InvalidRequestError):
    """The local file is missing, unreadable or too large: refused before sending anything."""


class UploadFailedError(ReductoError):
    """The presigned storage host refused the file."""


class UncertainCreateError(ReductoError):
    """A POST lost its answer and the check for its job failed: it may or may not exist."""

    retryable = False


@dataclass(frozen=True, slots=True)
class Uploaded:
    file_id: str
    name: str
    size: int
    presigned: bool


@dataclass(frozen=True, slots=True)
class Created:
    job_id: str
    #: True when the POST lost its answer and the job was found in the list afterwards.
    recovered: bool = False


def input_of(kind: str, body: dict[str, Any]) -> Any:
    """The document a body points at (``document_url`` for edit, ``input`` otherwise)."""
    return body.get("document_url" if kind == "edit" else "input")


def with_input(kind: str, config: dict[str, Any], document: str) -> dict[str, Any]:
    return {**config, ("document_url" if kind == "edit" else "input"): document}


def _same_document(source: Any, document: Any) -> bool:
    def plain(value: Any) -> Any:
        return value.get("file_id") if isinstance(value, dict) else value

    return bool(plain(source) == plain(document))


def _holds(config: Any, ours: Any) -> bool:
    """``config`` has every value of ``ours`` (a server may add its defaults to raw_config)."""
    if isinstance(ours, dict):
        return isinstance(config, dict) and all(
            k in config and _holds(config[k], v) for k, v in ours.items()
        )
    return bool(config == ours)


class _FileStream:
    """A file's bytes, read in a thread chunk by chunk; iterable again (a retry re-reads it)."""

    def __init__(
        self,
        path: Path,
        size: int,
        progress: Progress | None,
        head: bytes = b"",
        tail: bytes = b"",
    ) -> None:
        self.path, self.size, self.progress = path, size, progress
        self.head, self.tail = head, tail

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        if self.head:
            yield self.head
        try:
            handle = await asyncio.to_thread(self.path.open, "rb")
        except OSError as exc:
            raise _unreadable(self.path, exc) from exc
        sent = 0
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                sent += len(chunk)
                if self.progress is not None:
                    self.progress(sent, self.size)
                yield chunk
        finally:
            handle.close()
        if self.tail:
            yield self.tail


def _unreadable(path: Path, exc: OSError) -> LocalFileError:
    if isinstance(exc, FileNotFoundError):
        return LocalFileError(f"The file {path} does not exist (any more).")
    if isinstance(exc, IsADirectoryError):
        return LocalFileError(f"{path} is a directory, not a file.")
    return LocalFileError(f"The file {path} cannot be read ({exc.strerror or type(exc).__name__}).")


def _header_name(name: str) -> str:
    # A file name goes into a multipart header: no quotes, no line breaks, ASCII only.
    safe = "".join(ch if " " <= ch < "\x7f" and ch not in '"\\' else "_" for ch in name)
    return safe[:200] or "upload"


class JobCreator:
    """Uploads and ``*_async`` creations through one :class:`ReductoClient`."""

    def __init__(
        self,
        client: ReductoClient,
        *,
        presign_above: int = DIRECT_UPLOAD_MAX,
        max_upload: int = MAX_UPLOAD,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        settle: float = SETTLE,
    ) -> None:
        self.client = client
        self.presign_above = presign_above
        self.max_upload = max_upload
        self._clock = clock
        self._sleep = sleep
        self._settle = settle
        #: Jobs this creator made or adopted: never adopted a second time.
        self.claimed: set[str] = set()

    # ------------------------------------------------------------------ upload

    async def upload(self, path: Path, progress: Progress | None = None) -> Uploaded:
        """Send a local file; ``/upload`` multipart, or a presigned PUT above ``presign_above``."""
        try:
            info = await asyncio.to_thread(os.stat, path)
        except OSError as exc:
            raise _unreadable(path, exc) from exc
        if stat.S_ISDIR(info.st_mode):
            raise LocalFileError(f"{path} is a directory, not a file.")
        if not stat.S_ISREG(info.st_mode):
            raise LocalFileError(f"{path} is not a regular file.")
        size = info.st_size
        if size > self.max_upload:
            raise LocalFileError(
                f"{path.name} is {size / MB:,.0f} MB: more than the {self.max_upload / MB:,.0f} MB "
                "Reducto accepts for one upload.",
                hint="Split the document, or host it and pass its URL.",
            )
        if size > self.presign_above:
            return await self._presigned(path, size, progress)
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{_header_name(path.name)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        answer = await self.client._request(
            "POST",
            "/upload",
            content=_FileStream(path, size, progress, head, tail),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + size + len(tail)),
            },
            idempotent=False,  # a second copy is harmless, but a failed upload is reported
            deadline=self.client.download_deadline,
        )
        upload = _upload_response(answer.content)
        return Uploaded(upload.file_id, path.name, size, presigned=False)

    async def _presigned(self, path: Path, size: int, progress: Progress | None) -> Uploaded:
        extension = path.suffix.lstrip(".")
        answer = await self.client._request(
            "POST", "/upload", params={"extension": extension} if extension else None
        )
        upload = _upload_response(answer.content)
        if not upload.presigned_url:
            raise BadResponseError("The server gave no presigned URL for a large upload.")
        target = self._storage_url(upload.presigned_url)
        # Straight through the transport with no headers of ours: the URL is signed, and the
        # API key must never reach a storage host.
        stored = await self.client._fetch(
            "PUT",
            target,
            headers={"Content-Length": str(size)},
            content=_FileStream(path, size, progress),
            cap=64 * 1024,
            deadline=self.client.download_deadline,
            what="the upload's answer",
            track=False,
        )
        if stored.status >= 300:
            raise UploadFailedError(
                f"The storage host refused the upload (HTTP {stored.status}).",
                hint="The presigned link may have expired; submit the file again.",
                status_code=stored.status,
            )
        return Uploaded(upload.file_id, path.name, size, presigned=True)

    def _storage_url(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise InvalidRequestError("The presigned upload URL is not a valid URL.") from exc
        if target.scheme == "https" or (
            target.scheme == "http"
            and (is_loopback(target.host) or self.client._same_origin(target))
        ):
            return target
        raise InsecureConnectionError(
            f"Refusing to upload over {target.scheme or 'a relative'}:// to {target.host}: "
            "presigned upload links must use https://."
        )

    # ------------------------------------------------------------------ create

    async def create(self, kind: str, body: dict[str, Any]) -> Created:
        """``POST /{kind}_async`` once; see the module's notes on a lost answer."""
        if kind not in KINDS:
            raise InvalidRequestError(
                f"'{kind}' is not a kind of job the API creates ({', '.join(KINDS)})."
            )
        resent = False
        while True:
            started = self._clock()
            try:
                job_id = await self.client.create_job(kind, body)
            except (NetworkError, ServerError) as exc:
                if isinstance(exc.__cause__, httpx.ConnectError):
                    raise  # never delivered (and already retried by the client)
                found = await self._look_for(kind, body, started, exc)
                if found is not None:
                    return Created(found, recovered=True)
                if resent:
                    exc.hint = f"{exc.hint} No job was created (checked the job list).".strip()
                    raise
                resent = True
                continue
            self.claimed.add(job_id)
            return Created(job_id)

    async def _look_for(
        self, kind: str, body: dict[str, Any], started: float, cause: ReductoError
    ) -> str | None:
        await self._sleep(self._settle)
        try:
            found = await self.find_landed(kind, body, started)
        except ReductoError as check:
            raise UncertainCreateError(
                f"The request to create the job was sent but its answer was lost "
                f"({cause.message}), and the job list could not be read to check "
                f"({check.message}). The job may exist: it was not sent again.",
                hint="Look at the newest jobs before trying again.",
            ) from cause
        if found is not None:
            self.claimed.add(found)
        return found

    async def find_landed(self, kind: str, body: dict[str, Any], since: float) -> str | None:
        """The newest unclaimed job that this POST would have made, created after ``since``."""
        page = await self.client.list_jobs(limit=LOOKBACK, exclude_configs=False)
        wanted = KINDS[kind].lower()
        document = input_of(kind, body)
        for job in page.jobs:
            created = parse_timestamp(job.created_at)
            if created is not None and created.timestamp() < since - MATCH_WINDOW:
                break  # newest first: the rest are older still
            if job.job_id in self.claimed or (job.type or "").lower() != wanted:
                continue
            evidence = False
            if job.source is not None:
                if not _same_document(job.source, document):
                    continue
                evidence = True
            config = _json_or_none(job.raw_config)
            if config is not None:
                if not _holds(config, body):
                    continue
                evidence = True
            if not evidence:
                continue  # nothing to tell it from another job of the same kind
            return job.job_id
        return None


class UploadResponse(Model):
    """What ``POST /upload`` answers: ``file_id`` is what a job's ``input`` takes."""

    file_id: str
    presigned_url: str | None = None


def _upload_response(content: bytes) -> UploadResponse:
    try:
        return UploadResponse.model_validate_json(content)
    except ValueError as exc:
        raise BadResponseError("The server's /upload answer has no file_id.") from exc


def _json_or_none(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


async def probe_link(client: ReductoClient, url: str, deadline: float = 5.0) -> int:
    """The HTTP status a document link answers to a one-byte ``GET`` (no key, no cookies).

    Only public ``https://`` hosts are asked: a config from the server must not make this
    machine call addresses on its own network.
    """
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidRequestError("The document link is not a valid URL.") from exc
    if target.scheme != "https" or not target.host or _private_host(target.host):
        raise InvalidRequestError("Only public https:// links are checked.")
    try:
        answer = await client._fetch(
            "GET",
            target,
            headers={"Range": "bytes=0-0"},
            cap=64 * 1024,
            deadline=deadline,
            what="the document link's answer",
            track=False,
        )
    except ResponseTooLargeError:
        return 200  # it ignored the range and sent the document: it is there
    return answer.status


def _private_host(host: str) -> bool:
    if is_loopback(host) or host.endswith((".local", ".internal")) or "." not in host:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global
