"""``crossdock rest translate --channel shopify|amazon|walmart FILE [--json]`` and
``crossdock marketplace-sim --port N``; ``crossdock rest serve --port N`` runs the webhook receiver;
``crossdock rest poll --channel amazon|walmart`` runs an order poller.

Exit codes of ``translate``: 0 a canonical Order was produced; 1 the payload cannot be mapped (field-level
errors listed); 2 the file is unreadable or not JSON. Of ``serve`` and ``poll``: 2 a configuration
problem; ``poll --once``: 1 the poll failed (what was handed over before the failure stays handed over).
"""

from __future__ import annotations

import ipaddress
import json
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from crossdock.errors import MappingError

app = typer.Typer(
    rich_markup_mode=None,
    help="Marketplaces over REST: translate payloads, run the webhook receiver, poll orders.", no_args_is_help=True
)
MAPPING_EXIT = 1
FAILED_EXIT = 1
UNREADABLE_EXIT = 2
CONFIG_EXIT = 2


class ChannelName(StrEnum):
    SHOPIFY = "shopify"
    AMAZON = "amazon"
    WALMART = "walmart"


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("translate")
def translate(
    file: Annotated[Path, typer.Argument(help="One order as the marketplace's API returns it (JSON).")],
    channel: Annotated[ChannelName, typer.Option("--channel", help="Which marketplace the payload is from.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: the order, or the errors.")] = False,
) -> None:
    """Map one raw marketplace order to canonical JSON, with field-level errors for what cannot be mapped.

    Amazon: an order object with its getOrderItems list under "OrderItems", or {"Order": ..., "OrderItems": [...]}."""
    from crossdock.canonical.marketplaces import order_to_canonical

    try:
        document = json.loads(file.read_bytes())
    except OSError as exc:
        _fail(as_json, UNREADABLE_EXIT, f"cannot read {file}: {exc.strerror}", [])
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(as_json, UNREADABLE_EXIT, f"{file} is not JSON: {exc}", [])
    try:
        order = order_to_canonical(channel.value, document)
    except MappingError as exc:
        _fail(as_json, MAPPING_EXIT, f"{file}: {exc.args[0]}", exc.errors)
    payload = order.model_dump(mode="json", exclude_none=True)
    if as_json:
        _emit({"ok": True, "channel": channel.value, "document_type": "order", "document": payload})
    else:
        _emit(payload)


def _fail(as_json: bool, code: int, message: str, errors: list[tuple[str, str]]) -> None:
    if as_json:
        _emit({"ok": False, "error": message, "errors": [{"path": p, "message": m} for p, m in errors]})
    else:
        typer.echo(f"error: {message}", err=True)
        for path, what in errors:
            typer.echo(f"  {path}: {what}", err=True)
    raise typer.Exit(code)


def marketplace_sim(
    port: Annotated[int, typer.Option(help="TCP port (0: any free port).")] = 8090,
    orders: Annotated[int, typer.Option(help="Seeded orders per marketplace.", min=0, max=10_000)] = 25,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 in a container stack; loopback by default).")
    ] = "127.0.0.1",
) -> None:
    """Run the marketplace simulator (Shopify, Amazon SP-API, Walmart), on 127.0.0.1 by default; prints its base URL
    first. Control: GET /_sim/state, POST /_sim/faults, /_sim/rate-limit, /_sim/reset, /_sim/webhooks."""
    import uvicorn

    from crossdock.bridges.rest.sim import SimState, create_sim_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
        raise typer.Exit(UNREADABLE_EXIT) from None
    shown = "127.0.0.1" if ipaddress.ip_address(host).is_unspecified else host  # 0.0.0.0: reachable here too
    url = f"http://{shown}:{sock.getsockname()[1]}"
    typer.echo(url)
    sys.stdout.flush()
    config = uvicorn.Config(create_sim_app(SimState(orders_per_channel=orders)), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="TCP port (0: any free port).")] = 8088,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    max_connections: Annotated[
        int,
        typer.Option(min=1, help="Open connections at most (lowered to what the file limit allows); over it, "
                     "the oldest connection still sending its request is closed."),
    ] = 1000,
    max_in_flight: Annotated[
        int, typer.Option(min=1, help="Webhooks being stored at once; more are answered 503 at once.")
    ] = 32,
    header_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a connection has to send its request headers.")
    ] = 10.0,
    body_timeout: Annotated[float, typer.Option(min=0.1, help="Seconds a request has to send its body (408).")] = 30.0,
    metrics_port: MetricsPort = None,
    metrics_host: MetricsHost = "127.0.0.1",
) -> None:
    """Run the signed-webhook receiver (POST /webhooks/shopify, GET /health, GET /openapi.json): each
    verified body is stored in crossdock's database and sent to the marketplace.inbound flow on
    RabbitMQ, where ``crossdock worker`` books it. Needs CROSSDOCK_WEBHOOK_SECRET, CROSSDOCK_BROKER_URL,
    <config_dir>/flows.yaml and a database at crossdock's schema (``crossdock db upgrade``). Prints
    its base URL first; logs every refused request and connection on stderr. With --metrics-port it
    serves Prometheus metrics there (refused requests by status and reason)."""
    import logging

    from crossdock.actors.wiring import intake
    from crossdock.bridges.rest.guard import GuardedServer, ReceiverLimits, guarded_config
    from crossdock.bridges.rest.metrics import ReceiverMetrics
    from crossdock.bridges.rest.receiver import receiver_from_settings
    from crossdock.cli import runtime
    from crossdock.errors import ConfigError, TransientError

    limits = ReceiverLimits(max_connections, max_in_flight, header_timeout, body_timeout)
    try:
        settings = runtime.settings()
        with intake(settings) as (_, webhook_sink):
            runtime.open_store(settings).close()  # refuse to start on a database without its schema
            metrics = ReceiverMetrics()
            receiver = receiver_from_settings(settings, webhook_sink, limits, metrics)
            _serve_metrics(metrics.registry, metrics_host, metrics_port)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                typer.echo(f"error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
                raise typer.Exit(UNREADABLE_EXIT) from None
            sock.listen(2048)  # before the URL is printed: a client that reads it may connect at once
            typer.echo(f"http://{host}:{sock.getsockname()[1]}")
            sys.stdout.flush()
            logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
            config = guarded_config(receiver, limits, on_close=metrics.close_connection, log_level="warning",
                                    timeout_graceful_shutdown=2)  # fmt: skip
            GuardedServer(config).run(sockets=[sock])
    except (ConfigError, TransientError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(UNREADABLE_EXIT) from None


MetricsPort = Annotated[
    int | None, typer.Option(min=0, max=65535, help="Serve Prometheus metrics on this port (0: any free one).")
]
MetricsHost = Annotated[str, typer.Option(help="Address of the metrics port (0.0.0.0 in a container stack).")]


def _serve_metrics(registry: Any, host: str, port: int | None) -> None:
    """Serve ``registry`` on ``host:port`` from a daemon thread (it ends with the process); say where."""
    if port is None:
        return
    from crossdock.bridges.rest.metrics import serve_metrics

    _server, bound = serve_metrics(registry, host, port)
    typer.echo(f"metrics on http://{host}:{bound}/metrics", err=True)


class PolledChannel(StrEnum):
    AMAZON = "amazon"
    WALMART = "walmart"


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 date-time (e.g. 2026-11-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no UTC offset (add Z or +HH:MM)")
    return moment


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` (the poll in hand finishes its page and saves it) instead of
    interrupting a write; the previous handlers come back afterwards."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@app.command("poll")
def poll(
    channel: Annotated[PolledChannel, typer.Option("--channel", help="Which marketplace's orders to poll.")],
    once: Annotated[bool, typer.Option("--once", help="Poll until caught up, then exit.")] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=1.0, max=86_400.0, help="Seconds between polls (without --once).")
    ] = 300.0,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="ISO date-time a FIRST poll starts at (no saved state yet); default: now minus the "
            "channel's lookback_h (24 h). Ignored once a state is saved.",
        ),
    ] = None,
    state: Annotated[
        Path | None, typer.Option("--state", help="The poll state file; default <data_dir>/rest/poll-<channel>.json.")
    ] = None,
    max_polls: Annotated[int | None, typer.Option("--max-polls", min=1, help="Stop after N polls.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each poll's report as one JSON line.")] = False,
    metrics_port: MetricsPort = None,
    metrics_host: MetricsHost = "127.0.0.1",
) -> None:
    """Poll Amazon SP-API or Walmart orders: each new order is stored in crossdock's database and sent
    to the marketplace.inbound flow on RabbitMQ, where ``crossdock worker`` books it; the poll state
    (watermark, cursor) is saved after each page. Needs CROSSDOCK_BROKER_URL, <config_dir>/flows.yaml
    with marketplaces.<channel>, and the token in the environment variable its token_env names. Without
    --once it polls every --interval seconds until SIGTERM or SIGINT. With --metrics-port it serves
    Prometheus metrics there (the poller lag: seconds since the last poll that caught up)."""
    from prometheus_client import CollectorRegistry

    from crossdock.actors.flow_config import load_flow_config
    from crossdock.actors.wiring import build_order_poller, flows_file, intake
    from crossdock.bridges.rest.metrics import PollMetrics
    from crossdock.bridges.rest.poll_service import PollRound, PollService
    from crossdock.bridges.rest.poll_state_file import PollStateFile
    from crossdock.cli import runtime
    from crossdock.errors import ConfigError

    first_start = _since(since)
    failed: list[PollRound] = []

    def show(report: PollRound) -> None:
        if report.error is not None:
            failed.append(report)
        if as_json:
            sys.stdout.write(json.dumps(report.to_dict()) + "\n")
        else:
            end = "caught up" if report.caught_up else "stopped" if report.stopped else f"failed: {report.error}"
            typer.echo(f"{report.channel}: {report.handed} new orders, watermark "
                       f"{report.state.watermark.isoformat()}, {end}")  # fmt: skip
        sys.stdout.flush()

    stop = threading.Event()
    try:
        settings = runtime.settings()
        config = load_flow_config(flows_file(settings))
        poller, client = build_order_poller(config, channel.value)
        lookback = timedelta(hours=config.marketplaces[channel.value].lookback_h)
        state_file = PollStateFile(state or settings.data_dir / "rest" / f"poll-{channel.value}.json", channel.value)
        start = first_start or datetime.now(UTC) - lookback
        with client, state_file.exclusive(), intake(settings) as (_, sink), _stop_on_signals(stop):
            saved = state_file.load()
            runtime.open_store(settings).close()  # refuse to start on a database without its schema
            if saved is not None and first_start is not None:
                typer.echo(f"note: --since ignored: resuming from {state_file.path} "
                           f"(watermark {saved.watermark.isoformat()})", err=True)  # fmt: skip
            metrics = PollMetrics()
            registry = CollectorRegistry(auto_describe=False)
            registry.register(metrics)
            _serve_metrics(registry, metrics_host, metrics_port)
            service = PollService(channel.value, poller, sink, state_file, start, stop=stop, metrics=metrics)
            if once:
                show(service.poll_once())
            else:
                service.run(interval, show, max_polls=max_polls)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(CONFIG_EXIT) from exc
    if once and failed:
        raise typer.Exit(FAILED_EXIT)


def register(root: typer.Typer) -> None:
    """Add ``rest`` and ``marketplace-sim`` to the root command."""
    root.add_typer(app, name="rest")
    root.command("marketplace-sim")(marketplace_sim)
