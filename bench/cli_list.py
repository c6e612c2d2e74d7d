"""``jobs list --all --format jsonl > /dev/null`` against the official SDK and a bare loop.

Not part of the test suite: ``python bench/cli_list.py`` (``BENCH_JOBS``, ``BENCH_BIG_JOBS``).
A demo server with BENCH_JOBS jobs runs in another process; each contender is a fresh
Python process that writes every job as a JSON line to /dev/null, at the same page size:

* the CLI: ``reducto-tui jobs list --all --format jsonl --page-size 500``;
* the official SDK: ``Reducto(...).job.get_all(limit=500, cursor=...)`` in a loop;
* bare: one ``httpx.Client``, ``json.loads`` per page, ``json.dumps`` per job.

Goals: the CLI within 1.5x the bare loop and at least 2x faster than the SDK; memory flat
(the CLI's peak RSS listing BENCH_BIG_JOBS within 20 MB of its peak listing BENCH_JOBS).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

N = int(os.environ.get("BENCH_JOBS", "100000"))
BIG = int(os.environ.get("BENCH_BIG_JOBS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
PAGE = 500
KEY = "bench-key"

BARE = """
import json, sys, httpx
url, key, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = open("/dev/null", "w")
with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
    cursor = None
    while True:
        params = {"limit": page, "exclude_configs": "true"}
        if cursor:
            params["cursor"] = cursor
        data = json.loads(http.get("/jobs", params=params).content)
        out.write("".join(json.dumps(job) + "\\n" for job in data["jobs"]))
        cursor = data.get("next_cursor")
        if not cursor:
            break
"""

SDK = """
import sys
from reducto import Reducto
url, key, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = open("/dev/null", "w")
sdk = Reducto(api_key=key, base_url=url, max_retries=0)
cursor = None
while True:
    result = sdk.job.get_all(limit=page, cursor=cursor) if cursor else sdk.job.get_all(limit=page)
    out.write("".join(job.model_dump_json() + "\\n" for job in result.jobs))
    cursor = result.next_cursor
    if not cursor:
        break
"""


def start_server(jobs: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reducto_tui",
            "demo-server",
            "--port",
            "0",
            "--jobs",
            str(jobs),
            "--arrival-interval",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().split(" on ", 1)[1].strip()
    # Keep reading what it prints (uvicorn's access log): a full pipe would block the server.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/version", timeout=5).read()
            return proc, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the demo server did not start")


def run(argv: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one child process, stdout to /dev/null."""
    env = {**os.environ, "REDUCTO_API_KEY": KEY, "REDUCTO_TUI_CONFIG": os.devnull + ".none"}
    with open(os.devnull, "w") as devnull:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=devnull, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{argv[:4]} exited {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024


def cli(url: str) -> list[str]:
    return [sys.executable, "-m", "reducto_tui", "jobs", "list", "--all", "--format", "jsonl",
            "--page-size", str(PAGE), "--base-url", url]  # fmt: skip


def report(name: str, value: float, unit: str, goal: str, ok: bool) -> None:
    print(f"{name}: {value:,.2f} {unit} (goal: {goal}) {'ok' if ok else 'MISS'}", flush=True)


def main() -> None:
    server, url = start_server(N)
    try:
        times: dict[str, list[float]] = {"cli": [], "bare": [], "sdk": []}
        rss_small = 0.0
        for _ in range(REPEAT):  # interleaved, so load on the machine hits all three alike
            seconds, rss = run(cli(url))
            times["cli"].append(seconds)
            rss_small = max(rss_small, rss)
            times["bare"].append(run([sys.executable, "-c", BARE, url, KEY, str(PAGE)])[0])
            times["sdk"].append(run([sys.executable, "-c", SDK, url, KEY, str(PAGE)])[0])
    finally:
        server.terminate()
        server.wait()
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, value in med.items():
        print(f"{name}: {value:.2f} s for {N:,} jobs (median of {REPEAT})")
    report("cli / bare", med["cli"] / med["bare"], "x", "<= 1.5x", med["cli"] <= 1.5 * med["bare"])
    report("sdk / cli", med["sdk"] / med["cli"], "x", ">= 2x faster", med["sdk"] >= 2 * med["cli"])
    if BIG <= 0:
        return
    server, url = start_server(BIG)
    try:
        seconds, rss_big = run(cli(url))
    finally:
        server.terminate()
        server.wait()
    print(f"cli: {seconds:.2f} s for {BIG:,} jobs; peak RSS {rss_small:.1f} MB at {N:,}, "
          f"{rss_big:.1f} MB at {BIG:,}")  # fmt: skip
    report("cli RSS growth", rss_big - rss_small, "MB", "<= 20 MB", rss_big - rss_small <= 20)


if __name__ == "__main__":
    main()
