"""A separate process that archives jobs, for the kill and concurrency tests.

``python -m tests.archive.writer_child URL FIRST COUNT ROUNDS`` stores jobs FIRST..FIRST+COUNT-1
once per letter of ROUNDS (P Pending, I InProgress, C Completed; "PPPP" is a writer that
keeps seeing stale answers), then prints ``done``. With ROUNDS ``forever`` it loops until
killed, with bodies, printing ``queued N T`` (T = time.monotonic()) after each batch it hands
over, so a kill lands mid-write.
"""

from __future__ import annotations

import json
import sys
import time

from reducto_tui.api.models import SingleJob
from reducto_tui.archive import open_archive

STATUSES = {"P": "Pending", "I": "InProgress", "C": "Completed"}
BATCH = 250


def job(n: int, status: str) -> SingleJob:
    return SingleJob(
        job_id=f"job-{n:08d}",
        status=status,
        type="Parse",
        created_at=f"2026-03-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
        source={"file_name": f"doc-{n}.pdf"},
    )


def main() -> None:
    url, first, count, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    archive = open_archive(url)
    if rounds == "forever":
        n = 0
        body = json.dumps({"status": "Completed", "result": {"x": "y" * 4000}}).encode()
        while True:
            batch = [job(first + n + i, "Completed") for i in range(BATCH)]
            archive.saw_jobs(batch)
            for item in batch[:20]:
                archive.saw_job_body(item.job_id, body)
            n += BATCH
            print(f"queued {n} {time.monotonic()}", flush=True)
            time.sleep(0.02)
    for letter in rounds:
        status = STATUSES[letter]
        for start in range(first, first + count, BATCH):
            stop = min(first + count, start + BATCH)
            archive.saw_jobs([job(n, status) for n in range(start, stop)])
    archive.close()
    if archive.problem:
        print(archive.problem, flush=True)
        sys.exit(1)
    print("done", flush=True)


if __name__ == "__main__":
    main()
