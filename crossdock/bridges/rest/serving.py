"""Run an ASGI app under uvicorn in a background thread on a loopback socket (tests, bench, the sim CLI
when embedded). The socket is bound before the thread starts, so ``url`` is known at once. With
``limits``, the server guards its connections as ``crossdock rest serve`` does (:mod:`.guard`)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from crossdock.bridges.rest.guard import ConnectionCounter, GuardedServer, ReceiverLimits, guarded_config


class ServerThread:
    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        limits: ReceiverLimits | None = None,
        on_close: ConnectionCounter | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.on_close = on_close
        self.host = host
        self.port = port
        self.log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        # proto must say TCP: asyncio sets TCP_NODELAY only on such sockets (else Nagle adds ~40 ms a reply).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._sock = sock
        if self.limits is not None:  # as `crossdock rest serve` runs the receiver
            config = guarded_config(self.app, self.limits, on_close=self.on_close, log_level=self.log_level,
                                    timeout_graceful_shutdown=2)  # fmt: skip
            self._server = GuardedServer(config)
        else:
            config = uvicorn.Config(
                self.app, log_level=self.log_level, access_log=False, lifespan="off", timeout_graceful_shutdown=2
            )
            self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server on {self.url} did not start within {timeout}s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
