"""What an upload and a link check put on the wire, and what a user is told when the file,
the storage host or the link misbehaves (the demo server in-process, or a storage host and
a document host written here as small ASGI-free handlers)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import CHUNK, JobCreator, LocalFileError, UploadFailedError, probe_link
from reducto_tui.api.errors import DeadlineError, NetworkError, ResponseTooLargeError
from tests.faults import DROP_AFTER
from tests.unit.test_create import Setup, pdf

FILE_ID = "reducto://uploads/a.pdf"
Handler = Callable[[httpx.Request], Coroutine[Any, Any, httpx.Response]]


def client_for(
    handler: Handler, request_deadline: float = 30.0, download_deadline: float = 300.0
) -> ReductoClient:
    return ReductoClient(
        "k-SECRET",
        "http://api.test",
        transport=httpx.MockTransport(handler),
        request_deadline=request_deadline,
        download_deadline=download_deadline,
    )


def presigning(storage: Handler) -> Handler:
    """An API that hands out a presigned link to ``storage`` (https, another host)."""

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "store.test":
            return await storage(request)
        return httpx.Response(
            200, json={"file_id": FILE_ID, "presigned_url": "https://store.test/put?sig=1"}
        )

    return handler


async def test_the_upload_announces_exactly_the_bytes_it_sends(tmp_path: Path) -> None:
    got: list[tuple[str | None, bytes]] = []

    async def api(request: httpx.Request) -> httpx.Response:
        got.append((request.headers.get("content-length"), await request.aread()))
        return httpx.Response(200, json={"file_id": FILE_ID})

    path = pdf(tmp_path, "a.pdf", 3000)
    uploaded = await JobCreator(client_for(api)).upload(path)
    assert (uploaded.file_id, uploaded.name, uploaded.size) == (FILE_ID, "a.pdf", 3000)
    assert uploaded.presigned is False
    ((length, sent),) = got
    assert length == str(len(sent)) and path.read_bytes() in sent


async def test_a_file_that_holds_boundary_like_lines_arrives_whole(tmp_path: Path) -> None:
    s = Setup()
    path = tmp_path / "tricky.pdf"
    content = b"%PDF-1.7\r\n--None\r\nContent-Type: text/plain\r\n\r\nx\r\n--None--\r\n%%EOF"
    path.write_bytes(content)
    uploaded = await s.creator.upload(path)
    assert s.sim.uploads[uploaded.file_id].size == len(content)


async def test_a_file_name_in_the_upload_header_has_no_delete_and_at_most_200_characters(
    tmp_path: Path,
) -> None:
    sent: list[bytes] = []

    async def api(request: httpx.Request) -> httpx.Response:
        sent.append(await request.aread())
        return httpx.Response(200, json={"file_id": FILE_ID})

    creator = JobCreator(client_for(api))
    await creator.upload(pdf(tmp_path, "a\x7fb.pdf", 100))
    await creator.upload(pdf(tmp_path, "n" * 240 + ".pdf", 100))
    assert b'filename="a_b.pdf"\r\n' in sent[0]
    assert b'filename="' + b"n" * 200 + b'"\r\n' in sent[1]


async def test_progress_counts_every_megabyte_sent(tmp_path: Path) -> None:
    s = Setup()
    size = 2 * CHUNK + 500
    seen: list[tuple[int, int]] = []
    await s.creator.upload(pdf(tmp_path, "big.pdf", size), lambda n, t: seen.append((n, t)))
    assert seen == [(CHUNK, size), (2 * CHUNK, size), (size, size)]


async def test_an_upload_whose_answer_was_lost_is_reported_not_sent_twice(tmp_path: Path) -> None:
    s = Setup()
    s.transport.script[("POST", "/upload")] = [DROP_AFTER]
    with pytest.raises(NetworkError):
        await s.creator.upload(pdf(tmp_path))
    assert s.transport.count("POST", "/upload") == 1


class _Vanishing(httpx.AsyncBaseTransport):
    """A server that reads the body only after the file was removed (or replaced)."""

    def __init__(self, path: Path, replace: str) -> None:
        self.path, self.replace = path, replace

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.path.unlink()  # after the size was read, before the bytes are
        if self.replace == "a directory":
            self.path.mkdir()
        await request.aread()
        return httpx.Response(200, json={"file_id": FILE_ID})


@pytest.mark.parametrize("replace", ["removed", "a directory"])
async def test_a_file_that_goes_away_while_it_is_sent_is_named(
    tmp_path: Path, replace: str
) -> None:
    path = pdf(tmp_path, "vanishing.pdf", 100)
    client = ReductoClient("k-SECRET", "http://api.test", transport=_Vanishing(path, replace))
    with pytest.raises(LocalFileError) as err:
        await JobCreator(client).upload(path)
    assert err.value.message == (
        f"The file {path} does not exist (any more)."
        if replace == "removed"
        else f"{path} is a directory, not a file."
    )


async def test_a_slow_upload_answer_gets_the_download_deadline(tmp_path: Path) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await request.aread()
        await asyncio.sleep(0.3)
        return httpx.Response(200, json={"file_id": FILE_ID})

    client = client_for(slow, request_deadline=0.05, download_deadline=30.0)
    uploaded = await JobCreator(client).upload(pdf(tmp_path, "a.pdf", 500))
    assert uploaded.file_id == FILE_ID


async def test_a_storage_host_that_never_answers_is_given_up_in_words(tmp_path: Path) -> None:
    async def stalled(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1.0)
        return httpx.Response(200)

    client = client_for(presigning(stalled), download_deadline=0.05)
    with pytest.raises(DeadlineError) as err:
        await JobCreator(client, presign_above=10).upload(pdf(tmp_path, "a.pdf", 500))
    assert err.value.message == (
        "The server took longer than 0 s to send the upload's answer; gave up waiting."
    )


@pytest.mark.parametrize("status", [300, 403])
async def test_a_storage_host_that_refuses_the_file_says_so(tmp_path: Path, status: int) -> None:
    async def refusing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status)

    client = client_for(presigning(refusing))
    with pytest.raises(UploadFailedError) as err:
        await JobCreator(client, presign_above=10).upload(pdf(tmp_path, "a.pdf", 500))
    assert err.value.message == f"The storage host refused the upload (HTTP {status})."
    assert err.value.hint == "The presigned link may have expired; submit the file again."
    assert err.value.status_code == status


async def test_a_storage_answer_is_read_up_to_64_kib(tmp_path: Path) -> None:
    size = 64 * 1024

    async def storage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * size)

    creator = JobCreator(client_for(presigning(storage)), presign_above=10)
    uploaded = await creator.upload(pdf(tmp_path, "a.pdf", 500))
    assert (uploaded.presigned, uploaded.name, uploaded.size) == (True, "a.pdf", 500)
    size += 1
    with pytest.raises(ResponseTooLargeError):
        await creator.upload(pdf(tmp_path, "a.pdf", 500))


async def test_an_extension_is_sent_as_the_file_has_it(tmp_path: Path) -> None:
    asked: list[httpx.URL] = []

    async def storage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200)

    api = presigning(storage)

    async def recording(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        return await api(request)

    await JobCreator(client_for(recording), presign_above=10).upload(pdf(tmp_path, "scan.XPS", 500))
    assert asked[0].params["extension"] == "XPS"


async def test_waiting_on_storage_or_a_link_is_not_shown_as_a_slow_api(tmp_path: Path) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    methods: list[str] = []

    async def held(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        entered.set()
        await release.wait()
        return httpx.Response(206, content=b"%")

    for client, start in (
        (client_for(held), lambda c: probe_link(c, "https://files.example.com/a.pdf")),
        (
            client_for(presigning(held)),
            lambda c: JobCreator(c, presign_above=10).upload(pdf(tmp_path, "a.pdf", 500)),
        ),
    ):
        entered.clear()
        release.clear()
        task = asyncio.ensure_future(start(client))
        await entered.wait()
        waiting = client.oldest_inflight_age()
        release.set()
        await task
        assert waiting is None
    assert methods == ["GET", "PUT"]


async def test_a_link_that_never_answers_is_given_up_in_words() -> None:
    async def stalled(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1.0)
        return httpx.Response(206)

    with pytest.raises(DeadlineError) as err:
        await probe_link(client_for(stalled), "https://files.example.com/a.pdf", deadline=0.05)
    assert err.value.message == (
        "The server took longer than 0 s to send the document link's answer; gave up waiting."
    )


async def test_a_link_sending_more_than_64_kib_for_one_byte_is_there() -> None:
    async def whole(request: httpx.Request) -> httpx.Response:
        return httpx.Response(206, content=b"x" * (64 * 1024 + 1))

    assert await probe_link(client_for(whole), "https://files.example.com/a.pdf") == 200
