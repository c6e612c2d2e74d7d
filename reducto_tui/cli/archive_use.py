"""The archive as the job commands use it: opened once per command, closed when it ends."""

from __future__ import annotations

import click

from reducto_tui.api.client import ReductoClient
from reducto_tui.api.models import JobDetail
from reducto_tui.archive import Archive, ArchiveError, open_archive
from reducto_tui.archive.base import detail_from_body
from reducto_tui.cli.exits import FAILED, CliError
from reducto_tui.cli.resolve import MIN_PREFIX
from reducto_tui.config import Settings
from reducto_tui.render.text import clean

_OPEN: dict[int, Archive] = {}


def opened(settings: Settings, required: bool = False) -> Archive | None:
    """The command's archive; a problem is one line on stderr and the command goes on without
    it (or, when ``required``, the command fails with that line)."""
    ctx = click.get_current_context(silent=True)
    key = id(ctx.find_root()) if ctx is not None else 0
    if key in _OPEN:
        return _OPEN[key]
    try:
        archive = open_archive(settings.archive_url_value())
    except ArchiveError as exc:
        if required:
            raise CliError(clean(str(exc), single_line=True), FAILED) from None
        click.echo(f"{clean(str(exc), single_line=True)} Going on without the archive.", err=True)
        return None
    _OPEN[key] = archive
    if ctx is not None:
        ctx.find_root().call_on_close(lambda: _close(key))
    return archive


def _close(key: int) -> None:
    archive = _OPEN.pop(key, None)
    if archive is None:
        return
    archive.close()
    if archive.problem:
        click.echo(clean(archive.problem, single_line=True), err=True)


def attach(client: ReductoClient, settings: Settings) -> None:
    archive = opened(settings)
    if archive is not None:
        client.observer = archive


def archived_detail(settings: Settings, ref: str) -> tuple[str, JobDetail, float] | None:
    """The job (or the one job whose id starts with ``ref``) as stored: its ``GET /job``
    answer when one was fetched, else its list row; with when it was last seen."""
    archive = opened(settings)
    if archive is None:
        return None
    try:
        job = archive.get(ref)
        if job is None:
            ids = archive.ids_with_prefix(ref, limit=2) if len(ref) >= MIN_PREFIX else []
            job = archive.get(ids[0]) if len(ids) == 1 else None
        if job is None:
            return None
        body = archive.body(job.job_id) if job.has_body else None
        detail = (
            detail_from_body(body)
            if body is not None
            else JobDetail.model_validate({k: v for k, v in job.data.items() if k != "result"})
        )
    except ArchiveError as exc:
        click.echo(clean(str(exc), single_line=True), err=True)
        return None
    # The merged status is the furthest one seen (a list row may be newer than the body).
    detail.status = job.as_job().status
    return job.job_id, detail, job.seen_at
