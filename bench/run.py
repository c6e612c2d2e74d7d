"""Benchmarks of what a user gets (issue 14). Not part of the tests: ``python bench/run.py``.

Every product figure goes through the real path: the app (headless Pilot, real widgets,
default config, page size included) in a fresh child process, against
``reducto-tui demo-server`` in another process, through the app's own handlers, ending with
the screen's repaint; the floor (bare httpx + json.loads at the same page size) is printed
beside it. ``--quick`` skips the million-job run. One line per figure:
``name: value unit (goal ...) ok`` or ``... MISS``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
from server import DemoServer  # noqa: E402

from reducto_tui.config import Settings  # noqa: E402

PAGE_SIZE = Settings().page_size  # the default config's


def report(name: str, value: float, unit: str, goal: str, ok: bool) -> None:
    print(f"{name}: {value:,.2f} {unit} (goal: {goal}) {'ok' if ok else 'MISS'}", flush=True)


def note(text: str) -> None:
    print(f"  {text}", flush=True)


def child(script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE / script), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from textual import __version__ as textual_version

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"Textual {textual_version}, load average {load}; page size {PAGE_SIZE} (default config)"
    )


def loading(url: str, interact: str, runs: int) -> tuple[float, float, list[dict[str, Any]]]:
    """Paired runs (floor, app, floor, app, ...), so drift on a shared machine hits both."""
    floors, apps = [], []
    for n in range(runs):
        floors.append(child("floor.py", url, str(PAGE_SIZE)))
        apps.append(child("app_path.py", url, interact if n == 0 else "load"))
    floor = statistics.median(f["seconds"] for f in floors)
    return floor, statistics.median(f["cpu_s"] for f in floors), apps


def figures_at(jobs: int, runs: int, interact: str) -> dict[str, Any]:
    with DemoServer(jobs) as server:
        floor, floor_cpu, apps = loading(server.url, interact, runs)
        store = child("app_path.py", server.url, "store") if "store" in interact else {}
        # Start-up is the noisiest figure on a shared machine: three more starts each.
        starts = [a["first_frame_ms"] for a in apps]
        starts += [child("app_path.py", server.url, "first")["first_frame_ms"] for _ in range(3)]
    load = statistics.median(a["load_s"] for a in apps)
    return {
        "first_frame_ms": statistics.median(starts),
        "floor": floor,
        "floor_cpu": floor_cpu,
        "load": load,
        "apps": apps,
        "first": apps[0],
        **store,
    }


def interactive(first: dict[str, Any], k: str, filter_goal: float = 50) -> None:
    """Filter, sort, a polled change and live refresh, from one app run (those it ran)."""
    if "filter_p95_ms" in first:
        report(
            f"filter keystroke p95 at {k} ({first['filter_keys']} keys typed into the filter box, "
            f"median {first['filter_median_ms']:.1f} ms)",
            first["filter_p95_ms"],
            "ms",
            f"≤ {filter_goal:.0f} ms",
            first["filter_p95_ms"] <= filter_goal,
        )
        note(
            f"until the whole filter result is on screen (scanned between frames): "
            f"p95 {first['filter_whole_p95_ms']:.0f} ms; UI thread CPU per key p95 "
            f"{first['filter_cpu_p95_ms']:.0f} ms"
        )
    if "sort_max_ms" in first:
        report(
            f"sort at {k} (s, S through the handler incl. repaint), worst of 8",
            first["sort_max_ms"],
            "ms",
            "≤ 150 ms",
            first["sort_max_ms"] <= 150,
        )
    if "change_median_ms" in first:
        report(
            f"one polled change at {k}, sorted by status, filtered: store + view + table "
            f"(p95 {first['change_p95_ms']:.2f} ms)",
            first["change_median_ms"],
            "ms median",
            "≤ 2 ms",
            first["change_median_ms"] <= 2,
        )
    if "live_stall_ms" in first:
        report(
            f"live refresh at {k} sorted by status: longest event-loop stall over "
            f"{first['live_polls']} rounds",
            first["live_stall_ms"],
            "ms",
            "≤ 50 ms",
            first["live_stall_ms"] <= 50,
        )
        note(f"UI thread CPU in that stall: {first['live_stall_cpu_ms']:.0f} ms")


def exports(first: dict[str, Any]) -> None:
    for key, label in (("list_csv", "CSV"), ("list_jsonl", "JSONL")):
        report(
            f"export {first[f'export_{key}_lines'] - (key == 'list_csv'):,} rows to {label} "
            f"({first[f'export_{key}_s']:.2f} s): longest event-loop stall",
            first[f"export_{key}_stall_ms"],
            "ms",
            "≤ 50 ms (off the event loop)",
            first[f"export_{key}_stall_ms"] <= 50,
        )
        note(f"UI thread CPU in that stall: {first[f'export_{key}_stall_cpu_ms']:.0f} ms")


def only(figures: str, n: int) -> None:
    """Some figures alone, from one app run at ``n`` jobs (``--only filter,live``)."""
    with DemoServer(n) as server:
        first = child("app_path.py", server.url, f"load,{figures}")
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    wanted = set(figures.split(","))
    if wanted & {"filter", "sort", "change", "live"}:
        interactive(first, f"{n // 1000}k", 100 if n >= 1_000_000 else 50)
    if "export" in wanted:
        exports(first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the million-job run")
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument(
        "--only", help="only these of filter,sort,change,live,export (one app run, no floor)"
    )
    args = parser.parse_args()
    print(machine(), flush=True)
    if args.only:
        only(args.only, args.jobs)
        return
    n, big = args.jobs, args.big
    k = f"{n // 1000}k"

    base = figures_at(n, 3, "load,filter,sort,change,live,export,store")
    first = base["first"]
    rows = first["rows"]
    ratio = base["load"] / base["floor"]
    report(
        f"load all {rows:,} jobs in the app (median of 3; floor {base['floor']:.2f} s)",
        base["load"],
        "s",
        "≤ 1.5x floor",
        ratio <= 1.5,
    )
    note(f"ratio to the floor: {ratio:.2f}x")
    cpu = statistics.median(a["load_cpu_s"] for a in base["apps"])
    note(
        f"CPU time of the app while loading {cpu:.2f} s, of the floor "
        f"{base['floor_cpu']:.2f} s ({cpu / base['floor_cpu']:.2f}x): a shared machine "
        "inflates wall times, CPU times less"
    )
    paints, pages = first["repaints"], first["pages"]
    report(
        f"table repaints while loading all {pages} pages",
        paints,
        "repaints",
        f"a few per second, not per page (≤ {first['load_s'] * 4 + 2:.0f})",
        paints <= first["load_s"] * 4 + 2,
    )
    note(f"longest event-loop stall while loading: {first['load_stall_ms']:.0f} ms")
    report(
        f"first frame at {k} (app start to the first page on screen, median of 6 starts)",
        base["first_frame_ms"],
        "ms",
        "constant in the number of jobs (compared with 1M below)",
        True,
    )
    interactive(first, k)
    report(
        f"whole app RSS with {rows:,} jobs loaded",
        first["rss_mb"],
        "MB",
        "< 150 MB",
        first["rss_mb"] < 150,
    )
    report(
        f"job store bytes per row (tracemalloc, {base['rows']:,} rows via the client)",
        base["store_bytes_per_row"],
        "B",
        "≤ 400 B",
        base["store_bytes_per_row"] <= 400,
    )
    exports(first)

    if not args.quick:
        large = figures_at(big, 1, "load,filter")
        one = large["first"]
        per_row = (large["load"] / one["rows"]) / (base["load"] / rows)
        report(
            f"load all {one['rows']:,} jobs in the app (floor {large['floor']:.2f} s, "
            f"{large['load'] / large['floor']:.2f}x)",
            large["load"],
            "s",
            "informational",
            True,
        )
        report(
            f"time per row at {big // 1000}k / at {k} (linear loading)",
            per_row,
            "x",
            "≤ 1.3x",
            per_row <= 1.3,
        )
        note(f"repaints while loading: {one['repaints']} for {one['pages']} pages")
        frame = large["first_frame_ms"] / base["first_frame_ms"]
        report(
            f"first frame at {big // 1000}k ({large['first_frame_ms']:.0f} ms, median of 4 "
            f"starts) / at {k}",
            frame,
            "x",
            "≤ 1.3x (constant)",
            frame <= 1.3,
        )
        report(
            f"filter keystroke p95 at {big // 1000}k (median {one['filter_median_ms']:.1f} ms)",
            one["filter_p95_ms"],
            "ms",
            "≤ 100 ms",
            one["filter_p95_ms"] <= 100,
        )
        note(f"until the whole filter result is on screen: p95 {one['filter_whole_p95_ms']:.0f} ms")
        note(f"whole app RSS with {one['rows']:,} jobs: {one['rss_mb']:.0f} MB")

    asyncio.run(compare.datatable(report))
    asyncio.run(compare.poller(report))


if __name__ == "__main__":
    main()
