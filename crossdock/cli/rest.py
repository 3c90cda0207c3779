"""``crossdock rest translate --channel shopify|amazon|walmart FILE [--json]`` and
``crossdock marketplace-sim --port N``.

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

app = typer.Typer(help="Marketplaces over REST: translate payloads.", no_args_is_help=True)
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


def register(root: typer.Typer) -> None:
    """Add ``rest`` and ``marketplace-sim`` to the root command."""
    root.add_typer(app, name="rest")
    root.command("marketplace-sim")(marketplace_sim)
