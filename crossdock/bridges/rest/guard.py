"""Connection limits for the webhook receiver under uvicorn: slow or idle clients cannot starve it.

uvicorn's h11 protocol waits for request headers forever and counts slow connections against its own
``limit_concurrency``, so 1,000 clients each sending a few bytes (or a process file limit of 200) keep
``/health`` and real webhooks out. :func:`guarded_protocol` returns an h11 protocol class that adds:

- a header deadline: a connection whose request headers are not complete within ``header_timeout_s``
  of its opening (or of its previous response) is closed;
- a connection cap, ``max_connections``, never more than the process's file limit allows: a new
  connection over the cap closes the OLDEST connection still sending a request (headers or body) or
  idle between requests, so a client that sends its request at once is always served; when every
  connection is busy with a request being answered, the new one gets 503 at once.

The body deadline and the in-flight request cap are the app's (:mod:`crossdock.bridges.rest.receiver`):
it answers those with 408 and 503. Every connection closed here is logged (reason, remote address).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("crossdock.bridges.rest.receiver")

FILES_RESERVED = 64
"""File descriptors left for everything but client connections (database, broker, logs, accept bursts)."""
ACCEPT_BURST = 16
"""Connections accepted per wake-up of the event loop: few enough that an accept burst over the cap never
runs the process out of file descriptors (asyncio then stops accepting for a whole second)."""
LISTEN_BACKLOG = 2048
"""Connections the kernel queues before they are accepted."""
_BUSY_BODY = b'{"error": "busy", "message": "too many connections; retry in a second"}'
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"retry-after: 1\r\ncontent-length: " + str(len(_BUSY_BODY)).encode() + b"\r\n\r\n" + _BUSY_BODY
)


@dataclass(frozen=True, slots=True)
class ReceiverLimits:
    """Bounds on what clients can hold: connections, requests in flight, time to send a request."""

    max_connections: int = 1000
    max_in_flight: int = 32
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.max_connections < 1 or self.max_in_flight < 1:
            raise ValueError("max_connections and max_in_flight must be at least 1")
        if self.header_timeout_s <= 0 or self.body_timeout_s <= 0:
            raise ValueError("header_timeout_s and body_timeout_s must be positive")

    def connection_cap(self) -> int:
        """``max_connections``, lowered to what the process's soft file limit leaves for clients."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            return self.max_connections
        return max(1, min(self.max_connections, soft - FILES_RESERVED))


ConnectionCounter = Callable[[str], None]
"""Told the reason of each connection closed here: ``header_timeout``, ``evicted`` (closed for a new
connection) or ``busy`` (503: every connection being answered); the receiver's metrics count them."""


def guarded_protocol(limits: ReceiverLimits, on_close: ConnectionCounter | None = None) -> type[H11Protocol]:
    """An ``H11Protocol`` subclass enforcing ``limits`` (pass it as uvicorn's ``http=``); ``on_close``
    is told why each connection it closes was closed."""
    cap = limits.connection_cap()
    count: ConnectionCounter = on_close or (lambda reason: None)

    class GuardedH11Protocol(H11Protocol):
        _opened: float
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._opened = time.monotonic()
            self._arm()
            if len(self.connections) > cap:
                self._make_room()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request's headers are in: the app's body deadline takes over
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection gets its own header deadline

        def _arm(self) -> None:
            self._disarm()
            self._header_timer = self.loop.call_later(limits.header_timeout_s, self._headers_late)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_late(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
                _refused(self, f"request headers not complete within {limits.header_timeout_s:g}s")
                count("header_timeout")
                self.transport.close()

        def _make_room(self) -> None:
            victim: Any = min(
                (p for p in self.connections if p is not self and _evictable(p)),
                key=lambda p: getattr(p, "_opened", 0.0),
                default=None,
            )
            if victim is not None:
                _refused(victim, f"closed for a new connection: {cap} connections open, this one still sending")
                count("evicted")
                victim._disarm()
                victim.transport.close()
                return
            _refused(self, f"503 busy: {cap} connections open, all being answered")
            count("busy")
            self._disarm()
            self.transport.write(BUSY)
            self.transport.close()

    return GuardedH11Protocol


def _evictable(protocol: Any) -> bool:
    """Still sending its request (headers or body), or idle between requests: nothing is being answered."""
    if protocol.transport is None or protocol.transport.is_closing():
        return False
    return protocol.conn.their_state in (h11.IDLE, h11.SEND_BODY) and protocol.conn.our_state in (
        h11.IDLE, h11.SEND_RESPONSE
    )  # fmt: skip


def _refused(protocol: Any, reason: str) -> None:
    client = protocol.client
    remote = f"{client[0]}:{client[1]}" if client else "?"
    log.warning("connection refused: %s; remote %s", reason, remote)


def guarded_config(
    app: Any, limits: ReceiverLimits, *, on_close: ConnectionCounter | None = None, **options: Any
) -> uvicorn.Config:
    """A uvicorn config serving ``app`` with :func:`guarded_protocol` and small accept bursts."""
    return uvicorn.Config(
        app, http=guarded_protocol(limits, on_close), backlog=ACCEPT_BURST, lifespan="off", timeout_keep_alive=5,
        **options,
    )  # fmt: skip


class GuardedServer(uvicorn.Server):
    """uvicorn's server with the kernel's listen queue set back to :data:`LISTEN_BACKLOG` after start
    (uvicorn's ``backlog`` sizes both the queue and asyncio's accept burst; only the burst must be small)."""

    async def startup(self, sockets: Sequence[socket.socket] | None = None) -> None:
        await super().startup(sockets=list(sockets) if sockets is not None else None)
        for sock in sockets or ():
            sock.listen(LISTEN_BACKLOG)
