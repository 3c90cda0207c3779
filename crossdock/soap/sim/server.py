"""Run the ERP simulator on loopback with uvicorn; the first line printed is the WSDL's URL."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn

from crossdock.soap.sim.app import SimAuth, build_app
from crossdock.soap.sim.control import Behaviour, Control
from crossdock.soap.sim.db import SimDatabase

LOOPBACK = "127.0.0.1"


def serve(
    port: int = 0,
    database: Path | str = ":memory:",
    auth: SimAuth | None = None,
    behaviours: dict[str, Behaviour] | None = None,
    announce: Callable[[str], None] = print,
    host: str = LOOPBACK,
) -> None:
    """Bind ``host:port`` (loopback by default; 0: any free port), announce the WSDL URL, serve until
    stopped."""
    db = SimDatabase(database)
    db.open()
    control = Control()
    for operation, behaviour in (behaviours or {}).items():
        control.set(operation, behaviour)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the listening
    # socket says it is TCP; without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        build_app(db, control, auth),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    shown = LOOPBACK if ipaddress.ip_address(host).is_unspecified else host  # 0.0.0.0: reachable here too
    announce(f"http://{shown}:{bound}/erp?wsdl")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        db.close()
