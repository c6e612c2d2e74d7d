"""The floor: every page of ``GET /jobs`` with one keep-alive httpx client and ``json.loads``,
nothing else. Run as a child process: ``python bench/floor.py URL PAGE_SIZE``; prints JSON."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx


async def fetch_all(url: str, page_size: int) -> dict[str, float]:
    headers = {"Authorization": "Bearer bench-key"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        start, cpu = time.perf_counter(), time.process_time()
        cursor: str | None = None
        rows = 0
        while True:
            params = {"limit": str(page_size), "exclude_configs": "true"}
            if cursor:
                params["cursor"] = cursor
            response = await client.get("/jobs", params=params)
            page = json.loads(response.content)
            rows += len(page["jobs"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"seconds": seconds, "cpu_s": cpu, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(fetch_all(sys.argv[1], int(sys.argv[2])))))
