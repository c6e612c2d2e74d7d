"""The hostile server serves what it promises (others' tests and manual tries rely on it)."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx

from reducto_tui.demo.hostile import CASES, NASTY_IDS, create_app


async def _get(path: str, jobs_case: str = "normal") -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(jobs_case))
    async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as http:
        return await http.get(path)


async def test_the_list_holds_raw_values_python_would_not_write() -> None:
    text = (await _get("/jobs")).text
    assert '"duration": 1e400' in text and "9" * 5000 in text
    assert "0001-01-01T00:00:00+14:00" in text and "9999-12-31T23:59:59-05:00" in text
    ids = [j["job_id"] for j in json.loads(text, parse_int=lambda s: None)["jobs"]]
    assert set(NASTY_IDS) <= set(ids) and set(CASES) <= set(ids)
    assert any("\x1b]52;" in i for i in ids) and any("\u202e" in i for i in ids)


async def test_each_case_answers_as_described() -> None:
    assert (await _get("/job/deleting")).status_code == 409
    assert (await _get("/job/deleted")).status_code == 410
    missing = await _get("/job/no-such")
    assert missing.status_code == 404 and "\x1b]0;" in missing.json()["detail"]
    assert (await _get("/jobs", "deep")).text.startswith("[[[[")
    assert (await _get("/hop/2")).headers["location"] == "/hop/1"
    assert (await _get("/hop/1")).headers["location"] == "/result"
    assert (await _get("/hop/away")).headers["location"].startswith("http://example.com")
    assert (await _get("/version")).json().startswith("1.12.20-hostile")


def test_it_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reducto_tui.demo.hostile", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "--jobs-case" in done.stdout
