"""Uploading and creating jobs against the demo server in-process, with network faults
injected around it: every job is created exactly once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.create import (
    MAX_UPLOAD,
    JobCreator,
    LocalFileError,
    UncertainCreateError,
    with_input,
)
from reducto_tui.api.errors import (
    ConflictError,
    InsecureConnectionError,
    InvalidRequestError,
    NetworkError,
    RateLimitError,
    ReductoError,
    RequestValidationError,
)
from reducto_tui.demo import server as demo_server
from reducto_tui.demo.server import create_app
from reducto_tui.demo.simulator import Simulator
from tests.conftest import FakeClock
from tests.faults import DROP_AFTER, DROP_BEFORE, Scripted

KEY = "create-SECRET-key"
PARSE = ("POST", "/parse_async")


class Setup:
    def __init__(self, **creator: object) -> None:
        self.clock = FakeClock()
        self.sim = Simulator(jobs=30, seed=5, clock=self.clock, arrival_interval=0)
        self.transport = Scripted(httpx.ASGITransport(app=create_app(self.sim)))
        self.slept: list[float] = []

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        self.client = ReductoClient(
            KEY, "http://demo.test", transport=self.transport, sleep=sleep, max_retries=2
        )
        self.creator = JobCreator(self.client, clock=self.clock, sleep=sleep, **creator)  # type: ignore[arg-type]

    def jobs_with(self, document: str) -> list[str]:
        return [j.job_id for j in self.sim.jobs if j.source == document]


def pdf(tmp_path: Path, name: str = "scan.pdf", size: int = 150_000) -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7 " + b"x" * (size - 9))
    return path


async def test_upload_then_parse_sends_the_file_and_the_config(tmp_path: Path) -> None:
    s = Setup()
    seen: list[tuple[int, int]] = []
    uploaded = await s.creator.upload(pdf(tmp_path), progress=lambda n, t: seen.append((n, t)))
    assert not uploaded.presigned and uploaded.file_id in s.sim.uploads
    assert s.sim.uploads[uploaded.file_id].size == 150_000  # every byte arrived
    assert seen[-1] == (150_000, 150_000)
    body = {"input": uploaded.file_id, "queue_priority": "batch"}
    created = await s.creator.create("parse", body)
    job = s.sim.by_id[created.job_id]
    assert job.type == "Parse" and json.loads(job.raw_config) == body and job.batch
    assert not created.recovered and s.jobs_with(uploaded.file_id) == [created.job_id]


async def test_a_big_file_goes_to_the_presigned_url_without_the_key(tmp_path: Path) -> None:
    s = Setup(presign_above=100_000)
    uploaded = await s.creator.upload(pdf(tmp_path, "big scan.pdf", 300_000))
    assert uploaded.presigned and s.sim.uploads[uploaded.file_id].size == 300_000
    put = [x for x in s.transport.seen if x.method == "PUT"]
    assert len(put) == 1 and "/_demo/uploads/" in put[0].url
    assert "authorization" not in put[0].headers and "user-id" not in put[0].headers
    assert all(KEY not in v for v in put[0].headers.values())
    asked = [x for x in s.transport.seen if x.method == "POST"]
    assert asked[0].headers["authorization"] == f"Bearer {KEY}"
    assert httpx.URL(asked[0].url).params["extension"] == "pdf"


async def test_a_presigned_url_over_plain_http_elsewhere_is_refused(tmp_path: Path) -> None:
    s = Setup(presign_above=10)

    async def hostile_upload(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"file_id": "reducto://x/a.pdf", "presigned_url": "http://evil.test/put"}
        )

    s.transport.inner = httpx.MockTransport(hostile_upload)
    with pytest.raises(InsecureConnectionError, match=r"evil\.test"):
        await s.creator.upload(pdf(tmp_path))
    assert [x.method for x in s.transport.seen] == ["POST"]  # nothing went to evil.test


async def test_a_vanished_or_oversized_file_is_refused_before_sending(tmp_path: Path) -> None:
    s = Setup()
    with pytest.raises(LocalFileError, match="does not exist"):
        await s.creator.upload(tmp_path / "gone.pdf")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:
        f.truncate(MAX_UPLOAD + 1)  # sparse: the size without the disk
    with pytest.raises(LocalFileError, match="more than the 5,120 MB"):
        await s.creator.upload(huge)
    with pytest.raises(LocalFileError, match="directory"):
        await s.creator.upload(tmp_path)
    assert s.transport.seen == []


async def test_the_servers_size_limit_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_server, "MAX_UPLOAD_BYTES", 100_000)
    s = Setup()
    with pytest.raises(ConflictError, match=r"HTTP 413.*larger than the 0 MB upload limit"):
        await s.creator.upload(pdf(tmp_path))
    assert not s.sim.uploads


async def test_a_422_carries_the_servers_details() -> None:
    s = Setup()
    with pytest.raises(RequestValidationError) as caught:
        await s.creator.create("split", {"input": "https://x/a.pdf"})
    assert "body.split_description: Field required" in caught.value.message
    assert s.transport.count(*PARSE) == 0 and len(s.sim.jobs) == 30


async def test_an_answer_lost_after_the_job_was_made_is_found_not_resent() -> None:
    s = Setup()
    s.transport.script[PARSE] = [DROP_AFTER]
    body = {"input": "https://x/lost.pdf"}
    created = await s.creator.create("parse", body)
    assert created.recovered
    assert s.jobs_with("https://x/lost.pdf") == [created.job_id]
    assert s.transport.count(*PARSE) == 1


async def test_a_request_lost_before_the_server_saw_it_is_checked_then_sent_once() -> None:
    s = Setup()
    s.transport.script[PARSE] = [DROP_BEFORE]
    created = await s.creator.create("parse", {"input": "https://x/never.pdf"})
    assert not created.recovered
    assert s.jobs_with("https://x/never.pdf") == [created.job_id]
    assert s.transport.count(*PARSE) == 2 and s.transport.count("GET", "/jobs") == 1


async def test_two_identical_reruns_each_get_their_own_job() -> None:
    s = Setup()
    body = {"input": "https://x/twice.pdf"}
    first = await s.creator.create("parse", body)
    s.transport.script[PARSE] = [DROP_BEFORE]
    second = await s.creator.create("parse", body)
    # The first job matches input and config, but it is already this creator's.
    assert second.job_id != first.job_id
    assert sorted(s.jobs_with("https://x/twice.pdf")) == sorted([first.job_id, second.job_id])


async def test_when_the_check_fails_nothing_is_resent() -> None:
    s = Setup()
    s.transport.script[PARSE] = [DROP_AFTER]
    s.transport.script[("GET", "/jobs")] = [DROP_BEFORE] * 3
    with pytest.raises(UncertainCreateError, match="may exist: it was not sent again") as err:
        await s.creator.create("parse", {"input": "https://x/unsure.pdf"})
    assert err.value.hint == "Look at the newest jobs before trying again."
    assert s.transport.count(*PARSE) == 1
    assert len(s.jobs_with("https://x/unsure.pdf")) == 1


async def test_lost_twice_gives_up_saying_no_job_was_created() -> None:
    s = Setup()
    s.transport.script[PARSE] = [DROP_BEFORE, DROP_BEFORE]
    with pytest.raises(NetworkError) as caught:
        await s.creator.create("parse", {"input": "https://x/twice-lost.pdf"})
    assert "No job was created" in str(caught.value)
    assert s.jobs_with("https://x/twice-lost.pdf") == []


async def test_a_429_is_waited_out_as_asked_and_sends_once() -> None:
    s = Setup()
    s.transport.script[PARSE] = [(429, {"Retry-After": "7"})]
    created = await s.creator.create("parse", {"input": "https://x/limited.pdf"})
    assert s.slept == [7.0]
    assert s.jobs_with("https://x/limited.pdf") == [created.job_id]
    s.transport.script[PARSE] = [(429, {"Retry-After": "600"})]
    with pytest.raises(RateLimitError) as caught:  # longer than the client's cap: the caller's
        await s.creator.create("parse", {"input": "https://x/later.pdf"})
    assert caught.value.retry_after == 600.0 and s.jobs_with("https://x/later.pdf") == []


def test_the_uploaded_file_goes_where_each_kind_reads_its_document() -> None:
    config = {"input": "old", "options": {"x": 1}}
    assert with_input("parse", config, "reducto://new") == {
        "input": "reducto://new",
        "options": {"x": 1},
    }
    assert with_input("edit", {"edit_instructions": "e"}, "reducto://new") == {
        "edit_instructions": "e",
        "document_url": "reducto://new",
    }
    assert config["input"] == "old", "the job's own config is not changed"


async def test_the_file_name_the_server_records_is_safe_for_a_multipart_header(
    tmp_path: Path,
) -> None:
    s = Setup()
    odd = await s.creator.upload(pdf(tmp_path, 'X-ray "name"\\é.pdf', 1000))
    assert s.sim.uploads[odd.file_id].name == "X-ray _name___.pdf"


async def test_a_big_upload_without_extension_sends_its_size_and_reports_progress(
    tmp_path: Path,
) -> None:
    s = Setup(presign_above=100)
    seen: list[tuple[int, int]] = []
    path = pdf(tmp_path, "README", 5000)
    uploaded = await s.creator.upload(path, progress=lambda n, t: seen.append((n, t)))
    assert uploaded.presigned and s.sim.uploads[uploaded.file_id].size == 5000
    (post,) = [x for x in s.transport.seen if x.method == "POST"]
    assert "extension" not in httpx.URL(post.url).params
    (put,) = [x for x in s.transport.seen if x.method == "PUT"]
    assert put.headers["content-length"] == "5000"
    assert seen[-1] == (5000, 5000)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"file_id": "reducto://x/a.pdf", "presigned_url": None},
         "The server gave no presigned URL for a large upload."),
        ({"presigned_url": "https://store.test/put"}, "The server's /upload answer has no file_id."),
        ({"file_id": "reducto://x/a.pdf", "presigned_url": "http://evil.test/put"},
         "Refusing to upload over http:// to evil.test: presigned upload links must use https://."),
        ({"file_id": "reducto://x/a.pdf", "presigned_url": "https://st\u0000ore.test/put"},
         "The presigned upload URL is not a valid URL."),
    ],
)  # fmt: skip
async def test_a_bad_presigned_answer_is_refused_in_words(
    tmp_path: Path, answer: dict[str, object], message: str
) -> None:
    s = Setup(presign_above=10)

    async def upload_answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    s.transport.inner = httpx.MockTransport(upload_answer)
    with pytest.raises(ReductoError) as err:
        await s.creator.upload(pdf(tmp_path))
    assert err.value.message == message
    assert [x.method for x in s.transport.seen] == ["POST"], "nothing was PUT anywhere"


async def test_files_that_cannot_be_sent_are_named_with_the_reason(tmp_path: Path) -> None:
    s = Setup(max_upload=3 * 1024 * 1024, presign_above=2000)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as f:
        f.truncate(3 * 1024 * 1024 + 1)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    reasons = {}
    for path in (tmp_path / "gone.pdf", tmp_path, fifo, plain / "inside.pdf", huge):
        with pytest.raises(LocalFileError) as err:
            await s.creator.upload(path)
        reasons[path.name] = (err.value.message, err.value.hint)
    assert reasons == {
        "gone.pdf": (f"The file {tmp_path / 'gone.pdf'} does not exist (any more).", ""),
        tmp_path.name: (f"{tmp_path} is a directory, not a file.", ""),
        "pipe": (f"{fifo} is not a regular file.", ""),
        "inside.pdf": (f"The file {plain / 'inside.pdf'} cannot be read (Not a directory).", ""),
        "huge.pdf": (
            "huge.pdf is 3 MB: more than the 3 MB Reducto accepts for one upload.",
            "Split the document, or host it and pass its URL.",
        ),
    }
    assert s.transport.seen == []


async def test_the_size_limits_are_inclusive(tmp_path: Path) -> None:
    s = Setup(max_upload=3000, presign_above=2000)
    direct = await s.creator.upload(pdf(tmp_path, "a.pdf", 2000))
    assert not direct.presigned, "exactly the direct limit still goes to /upload"
    presigned = await s.creator.upload(pdf(tmp_path, "b.pdf", 3000))
    assert presigned.presigned and s.sim.uploads[presigned.file_id].size == 3000


async def test_a_presigned_https_link_elsewhere_gets_the_file_without_the_key(
    tmp_path: Path,
) -> None:
    s = Setup(presign_above=10)
    stored: list[httpx.Request] = []

    async def storage(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            stored.append(request)
            return httpx.Response(200)
        return httpx.Response(
            200, json={"file_id": "reducto://x/a.pdf", "presigned_url": "https://store.test/put"}
        )

    s.transport.inner = httpx.MockTransport(storage)
    uploaded = await s.creator.upload(pdf(tmp_path, "a.pdf", 500))
    assert uploaded.presigned and uploaded.file_id == "reducto://x/a.pdf"
    assert [httpx.URL(str(r.url)).host for r in stored] == ["store.test"]
    assert "authorization" not in stored[0].headers


async def test_a_relative_presigned_link_is_refused_in_words(tmp_path: Path) -> None:
    s = Setup(presign_above=10)

    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"file_id": "reducto://x/a.pdf", "presigned_url": "/put"})

    s.transport.inner = httpx.MockTransport(answer)
    with pytest.raises(InsecureConnectionError) as err:
        await s.creator.upload(pdf(tmp_path))
    assert err.value.message == (
        "Refusing to upload over a relative:// to : presigned upload links must use https://."
    )


async def test_a_job_adopted_after_a_lost_answer_is_not_adopted_again() -> None:
    s = Setup()
    body = {"input": "https://x/once.pdf"}
    s.transport.script[PARSE] = [DROP_AFTER]
    first = await s.creator.create("parse", body)
    s.transport.script[PARSE] = [DROP_BEFORE]
    second = await s.creator.create("parse", body)
    assert first.recovered and not second.recovered and second.job_id != first.job_id
    assert sorted(s.jobs_with("https://x/once.pdf")) == sorted([first.job_id, second.job_id])


async def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    s = Setup()
    with pytest.raises(InvalidRequestError) as err:
        await s.creator.create("summarise", {"input": "https://x/a.pdf"})
    assert err.value.message == (
        "'summarise' is not a kind of job the API creates "
        "(parse, extract, split, classify, edit, pipeline)."
    )
    assert s.transport.seen == []
