"""Every export format parses back to the source data; writes are atomic."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reducto_tui import export
from reducto_tui.api.models import FullResult, JobDetail, ParseResponse
from reducto_tui.core.store import JobStore
from reducto_tui.demo import payloads
from tests.conftest import FakeClock
from tests.unit.test_filters_store import job


def detail(payload: dict[str, Any]) -> JobDetail:
    return JobDetail.model_validate(
        {
            "status": "Completed",
            "type": "Parse",
            "result": payload,
            "raw_config": "{}",
            "unknown_extra": 1,
        }
    )


def test_job_json_is_the_job_as_received() -> None:
    payload = payloads.parse_result(random.Random(1), "j", 2)
    data = json.loads(export.render_job(export.JOB_JSON, detail(payload), "j"))
    assert data["result"] == payload and data["job_id"] == "j" and data["unknown_extra"] == 1


def test_unknown_results_export_their_raw_json() -> None:
    raw = {"response_type": "hologram", "x": [1]}
    data = json.loads(export.job_json(detail(raw), "j"))
    assert data["result"] == raw


def test_parse_blocks_csv_jsonl_and_markdown() -> None:
    payload = payloads.parse_result(random.Random(2), "j", 3)
    d = detail(payload)
    assert export.formats_for(d)[:4] == [
        export.JOB_JSON,
        export.CHUNKS_MD,
        export.BLOCKS_CSV,
        export.BLOCKS_JSONL,
    ]
    blocks = [b for c in payload["result"]["chunks"] for b in c["blocks"]]
    rows = list(csv.DictReader(io.StringIO(export.render_job(export.BLOCKS_CSV, d, "j"))))
    assert [r["content"] for r in rows] == [b["content"] for b in blocks]
    assert [int(r["page"]) for r in rows] == [b["bbox"]["page"] for b in blocks]
    assert float(rows[0]["left"]) == blocks[0]["bbox"]["left"]
    lines = export.render_job(export.BLOCKS_JSONL, d, "j").splitlines()
    assert [json.loads(line)["type"] for line in lines] == [b["type"] for b in blocks]
    md = export.render_job(export.CHUNKS_MD, d, "j")
    assert md.count("## Chunk ") == len(payload["result"]["chunks"])
    assert "<!-- page 1 -->" in md and "<!-- page 3 -->" in md
    for chunk in payload["result"]["chunks"]:
        assert chunk["content"].strip() in md


def test_split_and_extract_exports() -> None:
    split = payloads.split_result(random.Random(3), "s", 9, deep=False)
    rows = list(
        csv.DictReader(io.StringIO(export.render_job(export.SPLIT_CSV, detail(split), "s")))
    )
    assert [(r["name"], r["pages"], r["conf"]) for r in rows] == [
        (s["name"], " ".join(map(str, s["pages"])), s["conf"]) for s in split["result"]["splits"]
    ]
    extract = payloads.extract_result(random.Random(4), "e", 2)
    assert (
        json.loads(export.render_job(export.EXTRACT_JSON, detail(extract), "e"))
        == extract["result"]
    )
    with pytest.raises(ValueError, match="no split result"):
        export.render_job(export.SPLIT_CSV, detail(extract), "e")


def test_job_list_csv_and_jsonl() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page([job("a", source='comma, "quote"'), job("b", "Failed")], None)
    rows = list(csv.DictReader(io.StringIO(export.render_list(export.LIST_CSV, store.view.rows))))
    assert [r["job_id"] for r in rows] == ["a", "b"] and rows[0]["source"] == 'comma, "quote"'
    lines = [
        json.loads(x) for x in export.render_list(export.LIST_JSONL, store.view.rows).splitlines()
    ]
    assert lines[1]["status"] == "Failed" and lines[0]["num_pages"] == 3


def test_atomic_write_never_overwrites_silently(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    export.write_atomic(target, "one")
    with pytest.raises(FileExistsError):
        export.write_atomic(target, "two")
    assert target.read_text() == "one"
    export.write_atomic(target, "two", overwrite=True)
    assert target.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OSError):
            export.write_atomic(locked / "x.csv", "data")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_write_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.md"
    with pytest.raises(UnicodeEncodeError):
        export.write_atomic(target, "ok \udcff surrogate")  # cannot be encoded: fails mid-write
    assert list(tmp_path.iterdir()) == []


def test_a_list_export_streamed_in_pieces_is_one_whole_file(tmp_path: Path) -> None:
    """Issue 14: the export thread writes pieces of rows (one huge string held the GIL for
    whole frames); the file holds every row once, the CSV header once, as before."""
    store = JobStore(clock=FakeClock())
    store.add_page([job(f"j{n:03d}", source=f"f{n}.pdf") for n in range(25)], None)
    for fmt in (export.LIST_CSV, export.LIST_JSONL):
        pieces = list(export.render_list_chunks(fmt, store.view.rows, size=7))
        assert len(pieces) == 4 + (fmt is export.LIST_CSV)
        target = export.write_atomic(tmp_path / f"all{fmt.suffix}", iter(pieces))
        text = target.read_bytes().decode()  # CSV rows end in CR LF: keep them
        assert text == "".join(pieces) == export.render_list(fmt, store.view.rows)
        lines = text.splitlines()
        assert len(lines) == 25 + (fmt is export.LIST_CSV)
        assert lines[-1].startswith("j024" if fmt is export.LIST_CSV else '{"job_id": "j024"')


def test_a_streamed_export_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield "job_id\n"
        yield "a\n"
        raise ValueError("a row could not be rendered")

    with pytest.raises(ValueError, match="could not be rendered"):
        export.write_atomic(tmp_path / "x.csv", pieces())
    assert list(tmp_path.iterdir()) == []


def test_full_result_selector_reads_pipelines() -> None:
    pipe = payloads.pipeline_result(random.Random(5), "p", 4)
    d = detail(pipe)
    assert isinstance(export.full_result(d), FullResult)
    assert export.split_result(d) is not None
    assert isinstance(export.extract_data(d), list)
    assert not isinstance(d.result, ParseResponse)


# ---------------------------------------------------------------------- hostile input


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
#: Each quoted; a lone CR is also escaped, as on screen (it would overwrite a terminal line).
NEUTRALISED = ["'" + text for text in FORMULAS[:-1]] + ["'\\x0dx"]


def test_csv_cells_that_would_start_a_formula_are_neutralised() -> None:
    store = JobStore(clock=FakeClock())
    store.add_page([job(f"j{n}", source=text) for n, text in enumerate(FORMULAS)], None)
    rows = list(csv.DictReader(io.StringIO(export.render_list(export.LIST_CSV, store.rows))))
    assert [r["source"] for r in rows] == NEUTRALISED
    assert rows[0]["num_pages"] == "3", "numbers stay numbers"
    blocks = {
        "response_type": "parse",
        "result": {
            "type": "full",
            "chunks": [{"content": "", "blocks": [{"type": t, "content": t} for t in FORMULAS]}],
        },
    }
    text = export.render_job(export.BLOCKS_CSV, detail(blocks), "j")
    cells = list(csv.DictReader(io.StringIO(text)))
    assert [c["content"] for c in cells] == NEUTRALISED
    assert [c["type"] for c in cells] == NEUTRALISED
    assert all(c["left"] == "0.0" for c in cells)


def test_an_export_that_loses_the_race_for_the_name_leaves_the_winner_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    real_fsync = os.fsync

    def other_export_wins(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_text("the other export\n")

    monkeypatch.setattr(os, "fsync", other_export_wins)
    with pytest.raises(FileExistsError, match="already exists"):
        export.write_atomic(target, "ours\n")
    assert target.read_text() == "the other export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"], "no temp file left"


def test_two_concurrent_exports_to_one_name_have_one_winner(tmp_path: Path) -> None:
    import threading

    target = tmp_path / "race.json"
    barrier = threading.Barrier(8)
    wins: list[int] = []
    losses: list[int] = []

    def one(n: int) -> None:
        barrier.wait()
        try:
            export.write_atomic(target, f"{n}\n" * 1000)
        except FileExistsError:
            losses.append(n)
        else:
            wins.append(n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(losses) == 7
    assert target.read_text() == f"{wins[0]}\n" * 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.json"]


def test_a_dangling_symlink_is_not_replaced_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "link.md"
    target.symlink_to(tmp_path / "nowhere" / "x.md")
    with pytest.raises(FileExistsError):
        export.write_atomic(target, "text")
    assert target.is_symlink() and not target.exists()
    export.write_atomic(target, "text", overwrite=True)
    assert not target.is_symlink() and target.read_text() == "text"


def test_exports_respect_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        written = export.write_atomic(tmp_path / "private.json", "{}")
        replaced = export.write_atomic(tmp_path / "private.json", "{}", overwrite=True)
    finally:
        os.umask(old)
    assert written.stat().st_mode & 0o777 == 0o600
    assert replaced.stat().st_mode & 0o777 == 0o600
    os.umask(0o022)
    try:
        assert export.write_atomic(tmp_path / "shared.json", "{}").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_a_failed_export_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        export.write_atomic(tmp_path / "full.csv", "x" * 10_000)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("job_id", "fmt", "name"),
    [
        ("0f3c2a9e-77aa-4bd0", export.CHUNKS_MD, "reducto-0f3c2a9e-chunks_md.md"),
        ("ABCdef12-x", export.SPLIT_CSV, "reducto-ABCdef12-split_csv.csv"),
        ("ab/../\x1b[2J", export.JOB_JSON, "reducto-ab_..___-job_json.json"),
        (None, export.LIST_CSV, "reducto-jobs-list_csv.csv"),
        ("", export.LIST_JSONL, "reducto-jobs-list_jsonl.jsonl"),
    ],
)
def test_the_proposed_file_name_is_safe_and_says_what_it_holds(
    job_id: str | None, fmt: export.ExportFormat, name: str
) -> None:
    assert export.default_name(job_id, fmt) == name


def test_without_hard_links_the_name_is_still_claimed_only_if_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:  # a FAT or network file system
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    old = os.umask(0o022)
    try:
        target = export.write_atomic(tmp_path / "out.md", "first\n")
    finally:
        os.umask(old)
    assert target.read_text() == "first\n" and target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(FileExistsError, match=r"out\.md already exists"):
        export.write_atomic(target, "second\n")
    assert target.read_text() == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"], "no temporary file left"


def test_without_hard_links_a_name_taken_meanwhile_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "race.csv"

    def no_links_and_a_rival(src: object, dst: object) -> None:
        target.write_text("the other export\n")  # another export takes the name just now
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links_and_a_rival)
    with pytest.raises(FileExistsError, match=r"race\.csv already exists"):
        export.write_atomic(target, "ours\n")
    assert target.read_text() == "the other export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.csv"]


def test_a_relative_name_and_a_long_name_export_beside_where_they_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert export.write_atomic(Path("here.csv"), "a\n").resolve() == tmp_path / "here.csv"
    long = "x" * 230 + ".json"  # the temporary name beside it must still fit in 255 bytes
    assert export.write_atomic(tmp_path / long, "{}").read_text() == "{}"
    with pytest.raises(FileExistsError, match=r"here\.csv already exists"):
        export.write_atomic(Path("here.csv"), "b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["here.csv", long])


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_link_planted_at_the_temporary_or_final_name_is_never_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    """Someone who can write to the export folder and guess a name gets no file of theirs
    overwritten through a symlink."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    monkeypatch.setattr(secrets, "token_hex", lambda n: "guessed")
    (tmp_path / ".out.md.guessed.tmp").symlink_to(victim)
    with pytest.raises(FileExistsError):
        export.write_atomic(tmp_path / "out.md", "ours\n")
    assert victim.read_text() == "precious\n" and not (tmp_path / "out.md").exists()
    if not hard_links:

        def no_links(src: object, dst: object) -> None:
            raise OSError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    (tmp_path / ".out.md.guessed.tmp").unlink()
    monkeypatch.setattr(secrets, "token_hex", lambda n: "fresh")
    (tmp_path / "taken.md").symlink_to(tmp_path / "nowhere.md")  # dangling: lexists only
    monkeypatch.setattr(os.path, "lexists", lambda p: False)  # as if it appeared just now
    with pytest.raises(FileExistsError):
        export.write_atomic(tmp_path / "taken.md", "ours\n")
    assert not (tmp_path / "nowhere.md").exists(), "not written through the dangling link"
