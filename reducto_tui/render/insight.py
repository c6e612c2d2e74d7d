"""The insight numbers for people: the headline lines, tables for the CLI, and the charts the
insight view draws (stacked columns per time bucket, horizontal bars), as rich Text.

Charts are plain Unicode blocks (``▁▂▃▄▅▆▇█``) in styles the caller passes (the view takes
them from its theme), so they cost O(buckets x height) to draw and stay readable at 80x24.
Every piece of server text (job types, failure codes and reasons) goes through ``clean``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.style import Style
from rich.table import Table
from rich.text import Text

from reducto_tui.core.details import Tally
from reducto_tui.core.insight import RATE_MINUTES, Bucket, InsightNumbers
from reducto_tui.render import format as fmt
from reducto_tui.render.text import clean, shorten

UNKNOWN = fmt.UNKNOWN
OUTCOMES = ("completed", "failed", "cancelled")
_EIGHTHS = " ▁▂▃▄▅▆▇█"
_BAR_EIGHTHS = " ▏▎▍▌▋▊▉█"


def seconds(value: float | None) -> str:
    """A duration, or "unknown" (never blank: a blank cell reads as zero)."""
    return fmt.duration(value) or UNKNOWN if value is not None else UNKNOWN


def bucket_label(size: int) -> str:
    if size % 86400 == 0:
        return f"{size // 86400} d"
    if size % 3600 == 0:
        return f"{size // 3600} h"
    return f"{size // 60} min"


def bucket_time(start: float, size: int) -> str:
    try:
        when = datetime.fromtimestamp(start, UTC)
    except (OverflowError, ValueError, OSError):
        return UNKNOWN
    return when.strftime("%m-%d" if size >= 86400 else "%H:%M")


def rate(value: float) -> str:
    if not math.isfinite(value):
        return UNKNOWN
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def drain_text(n: InsightNumbers) -> str:
    if n.open_jobs == 0:
        return "nothing open"
    what = f"{fmt.count(n.open_jobs)} open jobs"
    if n.open_pages:
        what += f", {fmt.count(n.open_pages)} pages"
    if n.drain_seconds is None:
        return f"{what}: unknown (nothing finished in the last {RATE_MINUTES} min)"
    return f"{what}: about {seconds(n.drain_seconds)} at this rate"


def credits_text(n: InsightNumbers) -> str:
    if not n.credits_known:
        return "unknown (no job in the selection reported credits)"
    return (
        f"{fmt.number(n.credits)} (reported by {fmt.count(n.credits_known)} of "
        f"{fmt.count(n.jobs)} jobs)"
    )


def headline(n: InsightNumbers) -> list[tuple[str, str]]:
    """(label, value) lines: the selection at a glance."""

    def states(*names: str) -> str:
        return " · ".join(f"{fmt.count(n.counts.get(name, 0))} {name}" for name in names)

    finished = states(*OUTCOMES)
    if n.counts.get("unknown"):
        finished += f" · {fmt.count(n.counts['unknown'])} unknown"
    return [
        ("jobs", fmt.count(n.jobs)),
        ("open", states("queued", "running")),
        ("finished", finished),
        ("pages", f"{fmt.count(n.pages)} completed"),
        ("credits", credits_text(n)),
        (
            "throughput",
            f"{rate(n.pages_per_minute)} pages/min · {rate(n.jobs_per_minute)} jobs/min "
            f"(last {RATE_MINUTES} min)",
        ),
        ("drain", drain_text(n)),
        ("stuck?", fmt.count(n.stuck)),
    ]


# --------------------------------------------------------------------------- tables (CLI)


def _table(*columns: str, right_from: int = 1) -> Table:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for i, name in enumerate(columns):
        table.add_column(name, no_wrap=True, justify="right" if i >= right_from else "left")
    return table


def safe_numbers(numbers: InsightNumbers, filter_text: str = "", gone: int = 0) -> dict[str, Any]:
    """The numbers as a dict (for JSON and CSV), with server text (types, codes, reasons)
    passed through ``clean``; ``filter`` names the jobs they cover ("" for all);
    ``failures_gone``: of ``failures_unknown``, those the API no longer keeps."""
    body = {"filter": clean(filter_text, single_line=True), **numbers.as_dict()}
    body["failures_gone"] = min(gone, numbers.failures_unknown)
    for lat in body["latency"]:
        lat["type"] = clean(lat["type"], single_line=True)
    for failure in body["failures"]:
        failure["key"] = clean(failure["key"], single_line=True)
        failure["reason"] = clean(failure["reason"], single_line=True)
    return body


def headline_table(n: InsightNumbers) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in headline(n):
        table.add_row(Text(label), Text(value))
    return table


def buckets_table(n: InsightNumbers) -> Table:
    table = _table(
        f"FINISHED PER {bucket_label(n.bucket_seconds).upper()}",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "PAGES",
        "CREDITS",
    )
    for b in n.buckets:
        if not (b.completed or b.failed or b.cancelled):
            continue
        table.add_row(
            Text(bucket_time(b.start, n.bucket_seconds)),
            Text(fmt.count(b.completed)),
            Text(fmt.count(b.failed)),
            Text(fmt.count(b.cancelled)),
            Text(fmt.count(b.pages)),
            Text(fmt.number(b.credits) if b.credits else "–"),
        )
    return table


def latency_table(n: InsightNumbers) -> Table:
    table = _table("TYPE", "JOBS", "P50", "P90", "P99", "MAX", "QUEUE P50", "QUEUE P90")
    for lat in n.latency:
        waits = lat.waits > 0
        table.add_row(
            Text(clean(lat.type or UNKNOWN, single_line=True)),
            Text(fmt.count(lat.jobs)),
            Text(seconds(lat.p50)),
            Text(seconds(lat.p90)),
            Text(seconds(lat.p99)),
            Text(seconds(lat.max)),
            Text(seconds(lat.wait_p50) if waits else "–"),
            Text(seconds(lat.wait_p90) if waits else "–"),
        )
    return table


def details_words(tally: Tally) -> str:
    """What asking ``GET /job`` got, in the words the view and ``jobs stats`` share."""
    if not tally.asked:
        return "no job asked (GET /job)"
    words = f"{fmt.count(tally.asked)} jobs asked (GET /job): {fmt.count(tally.read)} read"
    if tally.gone:
        words += f", {fmt.count(tally.gone)} no longer kept by the API"
    other = tally.asked - tally.read - tally.gone
    if other > 0:
        words += f", {fmt.count(other)} not answered"
    return words


def unknown_failures(n: InsightNumbers, gone: int) -> list[tuple[int, str]]:
    """The failed jobs without a known reason, split by whether asking can still tell:
    (count, words) for those not asked yet and for those the API no longer keeps."""
    gone = min(gone, n.failures_unknown)
    parts = []
    if n.failures_unknown - gone:
        parts.append((n.failures_unknown - gone, "reason not asked yet"))
    if gone:
        parts.append((gone, "reason gone: the API no longer keeps these jobs"))
    return parts


def failures_table(n: InsightNumbers, width: int = 100, gone: int = 0) -> Table:
    """Count, code and reason; the reason is cut to fit ``width`` (rich would rather drop
    the count column than shorten a no-wrap cell)."""
    rows = [
        (fmt.count(f.count), clean(f.key, single_line=True), clean(f.reason, single_line=True))
        for f in n.failures
    ]
    for unknown, words in unknown_failures(n, gone):
        rows.append((fmt.count(unknown), UNKNOWN, words))
    count_w = max((len(r[0]) for r in rows), default=0)
    code_w = min(32, max((len(r[1]) for r in rows), default=0))
    reason_w = max(10, width - max(5, count_w) - max(4, code_w) - 4)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("COUNT", justify="right", no_wrap=True)
    table.add_column("CODE", no_wrap=True)
    table.add_column("REASON", no_wrap=True)
    for count, code, reason in rows:
        table.add_row(Text(count), Text(shorten(code, 32)), Text(shorten(reason, reason_w) or "–"))
    return table


# --------------------------------------------------------------------------- charts (view)


def column_chart(
    buckets: Sequence[Bucket], height: int, styles: Mapping[str, Style], cell: int = 1
) -> list[Text]:
    """Finished jobs per bucket as columns stacked by outcome (completed at the bottom),
    ``height`` lines, ``cell`` cells per bucket, scaled to the tallest bucket."""
    top = max((b.completed + b.failed + b.cancelled for b in buckets), default=0)
    if height <= 0:
        return []
    scale = height * 8 / top if top else 0.0
    # Per line, (text, outcome) cells; runs of one outcome become one span (far fewer
    # segments for the terminal to lay out than a span per cell).
    grid: list[list[tuple[str, str]]] = [[] for _ in range(height)]
    for b in buckets:
        # Cumulative heights in eighths of a cell: where each outcome's segment ends.
        ends = []
        acc = 0
        for value in (b.completed, b.failed, b.cancelled):
            acc += value
            ends.append(round(acc * scale))
        if acc and ends[-1] == 0:
            ends[-1] = 1  # a bucket with any job shows at least a sliver
        for line_no in range(height):
            low = (height - 1 - line_no) * 8  # this line's bottom, in eighths
            fill = min(8, ends[-1] - low)
            if fill <= 0:
                grid[line_no].append((" " * cell, ""))
                continue
            # One cell has one colour: the outcome under the middle of its filled part.
            middle = low + fill / 2
            outcome = next(o for o, end in zip(OUTCOMES, ends, strict=True) if end > middle)
            grid[line_no].append((_EIGHTHS[fill] * cell, outcome))
    return [_runs(cells, styles) for cells in grid]


def _runs(cells: list[tuple[str, str]], styles: Mapping[str, Style]) -> Text:
    text = Text()
    run, name = "", ""
    for chars, outcome in cells:
        if outcome != name and run:
            text.append(run, styles.get(name, Style()) if name else None)
            run = ""
        run += chars
        name = outcome
    if run:
        text.append(run, styles.get(name, Style()) if name else None)
    return text


def spark(values: Sequence[float], style: Style, cell: int = 1) -> Text:
    """One line of ``▁▂▃`` for a series (pages or credits per bucket), ``cell`` cells each."""
    finite = [v if math.isfinite(v) and v > 0 else 0.0 for v in values]
    top = max(finite, default=0.0)
    chars = (_EIGHTHS[max(1, round(v / top * 8))] if top and v else " " for v in finite)
    return Text("".join(c * cell for c in chars), style=style)


def hbar(value: float, top: float, width: int, style: Style) -> Text:
    """A horizontal bar ``value / top`` of ``width`` cells, in eighths."""
    if width <= 0 or not math.isfinite(value) or not math.isfinite(top) or top <= 0:
        return Text(" " * max(0, width))
    eighths = round(max(0.0, min(1.0, value / top)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (_BAR_EIGHTHS[part] if part else "")
    return Text(bar.ljust(width), style)


# --------------------------------------------------------------------------- the view


#: Style names the view passes in (from its theme): outcomes, series, and chrome.
STYLE_NAMES = (*OUTCOMES, "pages", "credits", "bar", "axis", "title", "key", "warn")
#: Failure groups get the keys 1..9 in the view.
FAILURE_KEYS = 9


def _style(styles: Mapping[str, Style], name: str) -> Style:
    return styles.get(name, Style())


def _title(text: str, styles: Mapping[str, Style]) -> Text:
    return Text(text, style=_style(styles, "title"), no_wrap=True, overflow="crop")


def timeline_lines(
    n: InsightNumbers, width: int, height: int, styles: Mapping[str, Style]
) -> list[Text]:
    """Jobs finished per bucket, stacked by outcome, with a y-axis label, the first and last
    bucket's time under it, a legend, and the pages and credits per bucket as sparklines."""
    size = bucket_label(n.bucket_seconds)
    out = [_title(f"Finished per {size}", styles)]
    buckets = n.buckets
    if not buckets:
        out.append(Text("  nothing finished in the selection", style="dim"))
        return out
    top = max(b.completed + b.failed + b.cancelled for b in buckets)
    axis_w = max(len(fmt.count(top)) + 1, 9)  # room for the "credits" row label
    cell = max(1, min(3, (width - axis_w - 1) // len(buckets)))
    shown = buckets[-max(1, (width - axis_w - 1) // cell) :]
    chart = column_chart(shown, height, styles, cell)
    axis = _style(styles, "axis")
    for i, line in enumerate(chart):
        label = fmt.count(top) if i == 0 else ("0" if i == height - 1 else "")
        row = Text(label.rjust(axis_w - 1) + "│", style=axis, no_wrap=True, overflow="crop")
        row.append_text(line)
        out.append(row)
    first = bucket_time(shown[0].start, n.bucket_seconds)
    last = bucket_time(shown[-1].start, n.bucket_seconds)
    span = len(shown) * cell
    out.append(
        Text(" " * axis_w + first + last.rjust(max(0, span - len(first))), style=axis, no_wrap=True)
    )
    legend = Text(" " * axis_w, no_wrap=True, overflow="crop")
    for outcome in OUTCOMES:
        legend.append("■ ", style=_style(styles, outcome))
        legend.append(f"{outcome} {fmt.count(sum(getattr(b, outcome) for b in buckets))}  ")
    out.append(legend)
    for name, values, total in (
        ("pages", [float(b.pages) for b in shown], fmt.count(n.pages)),
        (
            "credits",
            [b.credits for b in shown],
            fmt.number(n.credits) if n.credits_known else UNKNOWN,
        ),
    ):
        row = Text(
            name.rjust(axis_w - 1)[: axis_w - 1] + "│", style=axis, no_wrap=True, overflow="crop"
        )
        row.append_text(spark(values, _style(styles, name), cell))
        row.append(f" {total}")
        out.append(row)
    return out


def latency_lines(n: InsightNumbers, width: int, styles: Mapping[str, Style]) -> list[Text]:
    """Per job type: p50 / p90 / p99 / max, and a bar of the p90 against the slowest type's."""
    out = [_title("Duration per type  (p50 · p90 · p99 · max; queue wait where seen)", styles)]
    rows = [lat for lat in n.latency if lat.jobs]
    if not rows:
        out.append(Text("  no finished job with a duration", style="dim"))
        return out
    name_w = min(12, max(len(clean(lat.type or UNKNOWN, True)) for lat in rows))
    top = max((lat.p90 or 0.0) for lat in rows)
    for lat in rows:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(shorten(clean(lat.type or UNKNOWN, True), name_w).ljust(name_w) + " ")
        numbers = " · ".join(seconds(v) for v in (lat.p50, lat.p90, lat.p99, lat.max))
        line.append(numbers.ljust(38))
        room = width - line.cell_len - 2
        if room >= 6:
            line.append(" ")
            line.append_text(hbar(lat.p90 or 0.0, top, min(room, 30), _style(styles, "bar")))
        out.append(line)
        if lat.waits:
            out.append(
                Text(
                    " " * (name_w + 1)
                    + f"queue {seconds(lat.wait_p50)} · {seconds(lat.wait_p90)} "
                    + f"(p50 · p90 of {fmt.count(lat.waits)} seen)",
                    style="dim",
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
    return out


def failure_lines(
    n: InsightNumbers, width: int, styles: Mapping[str, Style], gone: int = 0
) -> list[Text]:
    """Top failure codes with counts and bars; each has a key (1..9) that filters to it.
    ``gone``: failed jobs without a reason that the API no longer keeps (never known)."""
    out = [_title("Top failures  (press the number to filter the list to them)", styles)]
    unknown = [
        Text(f"  + {fmt.count(count)} failed job{'' if count == 1 else 's'}: {words}", style="dim")
        for count, words in unknown_failures(n, gone)
    ]
    if not n.failures:
        return [*out, Text("  none known", style="dim"), *unknown]
    top = max(f.count for f in n.failures)
    code_w = min(28, max(len(clean(f.key, True)) for f in n.failures))
    count_w = max(len(fmt.count(f.count)) for f in n.failures)
    bar_w = max(4, min(16, width // 6))
    for i, f in enumerate(n.failures[:FAILURE_KEYS], start=1):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{i} ", style=_style(styles, "key"))
        line.append(fmt.count(f.count).rjust(count_w) + " ")
        line.append_text(hbar(f.count, top, bar_w, _style(styles, "failed")))
        line.append(" " + shorten(clean(f.key, True), code_w).ljust(code_w) + " ")
        room = width - line.cell_len
        if room > 8:
            line.append(shorten(clean(f.reason, True), room), style="dim")
        out.append(line)
    return [*out, *unknown]


def headline_lines(n: InsightNumbers, styles: Mapping[str, Style]) -> list[Text]:
    out = []
    for label, value in headline(n):
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{label:<11}", style=_style(styles, "title"))
        warn = label == "stuck?" and n.stuck
        line.append(value, style=_style(styles, "warn") if warn else "")
        out.append(line)
    return out
