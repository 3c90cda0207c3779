"""Every ERP call bounded in time and size: a deadline for the whole call and a cap on the decoded body.

Socket timeouts bound each wait, not a call: a server sending one byte every two seconds never trips a
five-second read timeout, in the headers or in the body. So a call runs under a :class:`CallWatch`: a
timer that, when the deadline passes, shuts down the sockets the call uses (connect, send, headers and
body all end with an error at once), plus a check of the clock at each chunk of the body. The body is
read in chunks of at most :data:`CHUNK` decoded bytes (urllib3 >= 2.6 bounds what one gzip or deflate
step may produce), so a gzip bomb or an endless answer is cut after at most ``cap + CHUNK`` bytes.

:class:`CallDeadlineError` and :class:`ResponseTooLargeError` are this module's own; the bridge's
``erp_errors`` turns them into crossdock's ``TransientError`` classes, which the breaker counts.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import exceptions as urllib3_errors
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CHUNK = 64 * 1024


class CallDeadlineError(Exception):
    """The call did not finish (connect, send, headers, body) within its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within the {seconds:g} s call deadline")
        self.seconds = seconds


class ResponseTooLargeError(Exception):
    """The decoded response passed the cap; ``read`` is how many decoded bytes were read when it was cut."""

    def __init__(self, cap: int, read: int) -> None:
        super().__init__(f"the response passed the cap of {cap} bytes (decoded) and was cut")
        self.cap = cap
        self.read = read


def _shut(connection: HTTPConnection) -> None:
    """End every blocking read or write on the connection's socket now (also a TLS one, under its layer)."""
    sock = connection.sock
    if sock is not None:
        with suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class CallWatch:
    """One call's deadline: the connections it uses are shut down when the deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._expired = False
        self._connections: list[HTTPConnection] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        return self._expired or time.monotonic() >= self.ends_at

    def attach(self, connection: HTTPConnection) -> None:
        with self._lock:
            self._connections.append(connection)
            late = self._expired
        if late:
            _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections report to the call running on their thread, if any."""

    def __init__(self) -> None:
        self._calls = threading.local()
        super().__init__()  # no retries: a POST is not repeated behind the caller's back

    def _current(self) -> CallWatch | None:
        watch: CallWatch | None = getattr(self._calls, "watch", None)
        return watch

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        current = self._current

        class WatchedHTTPConnection(HTTPConnection):
            def connect(self) -> None:
                super().connect()
                if (watch := current()) is not None:
                    watch.attach(self)  # shut at once when the deadline passed while connecting

            def request(self, *args: Any, **kwargs: Any) -> None:
                if (watch := current()) is not None:
                    watch.attach(self)  # a connection reused from the pool is watched too
                super().request(*args, **kwargs)

        class WatchedHTTPSConnection(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                if (watch := current()) is not None:
                    watch.attach(self)

            def request(self, *args: Any, **kwargs: Any) -> None:
                if (watch := current()) is not None:
                    watch.attach(self)
                super().request(*args, **kwargs)

        class WatchedHTTPPool(HTTPConnectionPool):
            ConnectionCls = WatchedHTTPConnection

        class WatchedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = WatchedHTTPSConnection

        self.poolmanager.pool_classes_by_scheme = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    @contextmanager
    def watch(self, seconds: float) -> Iterator[CallWatch]:
        """Run one call on this thread under a deadline of ``seconds``."""
        watch = CallWatch(seconds)
        self._calls.watch = watch
        watch.start()
        try:
            yield watch
        finally:
            watch.stop()
            self._calls.watch = None


def read_capped(response: requests.Response, cap: int, watch: CallWatch) -> bytes:
    """The decoded body, read chunk by chunk: :class:`ResponseTooLargeError` past ``cap`` decoded bytes,
    :class:`CallDeadlineError` past the deadline. urllib3's errors come out as requests' (as from
    ``iter_content``), so the bridge maps them in one place."""
    body = io.BytesIO()
    size = 0
    try:
        # read1: what has arrived (a full-chunk read would wait past the deadline); decoded, at most CHUNK
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > cap:
                raise ResponseTooLargeError(cap, size)
            if watch.expired:
                raise CallDeadlineError(watch.seconds)
            body.write(chunk)
    except urllib3_errors.ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except urllib3_errors.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except (urllib3_errors.ProtocolError, urllib3_errors.SSLError, OSError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    return body.getvalue()
