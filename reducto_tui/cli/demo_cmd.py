"""``demo-server``: the Reducto-compatible demo Jobs API in the foreground."""

from __future__ import annotations

import socket

import click

from reducto_tui.cli.exits import FAILED, CliError

DEMO_KEY = "demo-key"


def _check_port(host: str, port: int) -> int:
    """Bind once to fail early with a clear message; port 0 picks a free one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family = infos[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            return int(sock.getsockname()[1])
    except OSError as exc:
        raise CliError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.", FAILED) from None


def connect_help(url: str, key: str | None) -> str:
    shown = DEMO_KEY if key is None else "<the --require-key value>"
    return (
        f"Demo Reducto Jobs API on {url}\n"
        "Connect with:\n"
        f"  export REDUCTO_BASE_URL={url} REDUCTO_API_KEY={shown}\n"
        "  reducto-tui\n"
        f"or: REDUCTO_API_KEY={shown} reducto-tui --base-url {url} jobs list\n"
        "Ctrl+C stops it."
    )


@click.command("demo-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=500,
    show_default=True,
    help="Jobs to pre-populate.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Seconds added to every API answer.",
)
@click.option(
    "--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of answers that are 5xx."
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0),
    default=0.0,
    help="Requests per second before 429 (0 = none).",
)
@click.option("--require-key", help="Answer 401 unless this exact bearer key is sent.")
@click.option(
    "--arrival-interval",
    type=click.FloatRange(min=0),
    default=8.0,
    show_default=True,
    help="Mean seconds between new jobs (0 = none).",
)
@click.option(
    "--long-poll",
    is_flag=True,
    help="Honour GET /job/{id}?timeout= (the older Jobs spec); v1.12.20 has no such parameter.",
)
@click.option(
    "--extended-statuses",
    is_flag=True,
    help="GET /job/{id} also answers InProgress/Completing/Cancelled (not in v1.12.20).",
)
def demo_server(
    host: str,
    port: int,
    jobs: int,
    seed: int,
    latency: float,
    error_rate: float,
    rate_limit: float,
    require_key: str | None,
    arrival_interval: float,
    long_poll: bool,
    extended_statuses: bool,
) -> None:
    """Serve the Reducto-compatible demo Jobs API in the foreground.

    \b
    Example:
      reducto-tui demo-server --port 8000 --jobs 100000 --latency 0.2 --error-rate 0.1
    """
    from reducto_tui.demo.runner import serve_forever
    from reducto_tui.demo.server import Extras, Faults
    from reducto_tui.demo.simulator import LIVELY_STUCK_SPAN

    port = _check_port(host, port)
    faults = Faults(
        latency=latency,
        error_rate=error_rate,
        rate_limit=rate_limit,
        require_key=require_key,
        seed=seed,
    )
    url_host = f"[{host}]" if ":" in host else host
    click.echo(connect_help(f"http://{url_host}:{port}", require_key))
    click.echo("", nl=True)
    extras = Extras(long_poll=long_poll, extended_statuses=extended_statuses)
    serve_forever(
        host, port, jobs, seed, faults, arrival_interval, extras, stuck_span=LIVELY_STUCK_SPAN
    )
