"""``crossdock rest translate --channel shopify|amazon|walmart FILE [--json]`` and
``crossdock marketplace-sim --port N``; ``crossdock rest serve --port N`` runs the webhook receiver.

Exit codes of ``translate``: 0 a canonical Order was produced; 1 the payload cannot be mapped (field-level
errors listed); 2 the file is unreadable or not JSON.
"""

from __future__ import annotations

import json
import socket
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.errors import MappingError

app = typer.Typer(help="Marketplaces over REST: translate payloads, run the webhook receiver.", no_args_is_help=True)
MAPPING_EXIT = 1
UNREADABLE_EXIT = 2


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
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (0: any free port).")] = 8090,
    orders: Annotated[int, typer.Option(help="Seeded orders per marketplace.", min=0, max=10_000)] = 25,
) -> None:
    """Run the marketplace simulator (Shopify, Amazon SP-API, Walmart) on 127.0.0.1; prints its base URL
    first. Control: GET /_sim/state, POST /_sim/faults, /_sim/rate-limit, /_sim/reset, /_sim/webhooks."""
    import uvicorn

    from crossdock.bridges.rest.sim import SimState, create_sim_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        typer.echo(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror}", err=True)
        raise typer.Exit(UNREADABLE_EXIT) from None
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    typer.echo(url)
    sys.stdout.flush()
    config = uvicorn.Config(create_sim_app(SimState(orders_per_channel=orders)), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="TCP port (0: any free port).")] = 8088,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Run the signed-webhook receiver (POST /webhooks/shopify, GET /openapi.json): each verified body is
    stored in crossdock's database and sent to the marketplace.inbound flow on RabbitMQ, where
    ``crossdock worker`` books it. Needs CROSSDOCK_WEBHOOK_SECRET, CROSSDOCK_BROKER_URL and
    <partners_path>/flows.yaml. Prints its base URL first."""
    import uvicorn

    from crossdock.actors.wiring import intake
    from crossdock.bridges.rest.receiver import receiver_from_settings
    from crossdock.errors import ConfigError
    from crossdock.settings import load_settings

    try:
        settings = load_settings()
        with intake(settings) as (_, webhook_sink):
            receiver = receiver_from_settings(settings, webhook_sink)
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
            config = uvicorn.Config(receiver, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
            uvicorn.Server(config).run(sockets=[sock])
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(UNREADABLE_EXIT) from exc


def register(root: typer.Typer) -> None:
    """Add ``rest`` and ``marketplace-sim`` to the root command."""
    root.add_typer(app, name="rest")
    root.command("marketplace-sim")(marketplace_sim)
