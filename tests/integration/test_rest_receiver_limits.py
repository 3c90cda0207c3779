"""The receiver's limits on a real loopback uvicorn server, guarded as ``crossdock rest serve`` runs it:
header and body deadlines, the connection cap (oldest still-sending connection closed), the in-flight
cap, and a log line for each refusal that carries neither the body nor the signature."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from crossdock.bridges.rest.guard import ReceiverLimits
from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.serving import ServerThread
from crossdock.bridges.rest.signature import sign
from crossdock.bridges.rest.sink import InMemorySink
from tests.unit.rest.samples import shopify_order

pytestmark = pytest.mark.integration
SECRET = b"limits-secret"
BODY = json.dumps(shopify_order()).encode()


def signed(body: bytes = BODY, webhook_id: str = "wh-1") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": sign(SECRET, body),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def closed_by_server(sock: socket.socket, within: float) -> bytes | None:
    """What the server sent before closing ``sock`` within ``within`` seconds; None if it stayed open."""
    sock.settimeout(within)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def connect(url: str, first_bytes: bytes) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(first_bytes)
    return sock


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ServerThread] = []

    def start(limits: ReceiverLimits, sink: Any = None) -> str:
        app = create_receiver(sink or InMemorySink(), SECRET, limits=limits)
        server = ServerThread(app, limits=limits).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def test_a_connection_that_never_finishes_its_headers_is_closed(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    url = serve(ReceiverLimits(header_timeout_s=0.5))
    sock = connect(url, b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nX-Shopify-To")
    with caplog.at_level(logging.WARNING, "crossdock.bridges.rest.receiver"):
        assert closed_by_server(sock, within=10) == b""
    assert "request headers not complete within 0.5s" in caplog.text
    sock.close()


def test_a_body_that_never_finishes_is_answered_408(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    url = serve(ReceiverLimits(body_timeout_s=0.5))
    head = "".join(f"{k}: {v}\r\n" for k, v in signed().items())
    sock = connect(url, f"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n{head}\r\n".encode()
                   + b'{"id": ')  # fmt: skip
    with caplog.at_level(logging.WARNING, "crossdock.bridges.rest.receiver"):
        answer = closed_by_server(sock, within=10)
    sock.close()
    assert answer is not None and answer.startswith(b"HTTP/1.1 408 ")
    [line] = [r.getMessage() for r in caplog.records if "408" in r.getMessage()]
    assert line.startswith("webhook refused: 408 body_timeout; remote 127.0.0.1:")
    assert "topic orders/create; delivery wh-1" in line
    assert signed()["X-Shopify-Hmac-Sha256"] not in caplog.text and '"id"' not in caplog.text


def test_over_the_connection_cap_the_oldest_slow_connection_makes_room(serve: Any) -> None:
    # Given a receiver allowed 4 connections, held by 4 clients that never finish their requests
    url = serve(ReceiverLimits(max_connections=4, header_timeout_s=60, body_timeout_s=60))
    slow = [connect(url, b"POST /webhooks/shopify HTTP/1.1\r\nHost: x\r\n") for _ in range(4)]
    time.sleep(0.2)
    # When a real delivery and a health check come in, Then both are answered
    with httpx.Client(timeout=10) as client:
        assert client.get(url + "/health").status_code == 200
        assert client.post(url + "/webhooks/shopify", content=BODY, headers=signed()).json()["status"] == "accepted"
    # And the oldest slow clients were the ones closed
    assert closed_by_server(slow[0], within=5) == b""
    for sock in slow:
        sock.close()


class GatedSink(InMemorySink):
    """Stores only once ``gate`` is set: holds a webhook in flight."""

    blocking = True

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def store_raw(self, channel: str, body: bytes, headers: Any) -> str:
        self.entered.set()
        assert self.gate.wait(20)
        return super().store_raw(channel, body, headers)


def test_over_the_in_flight_cap_a_webhook_is_refused_at_once_and_taken_on_retry(serve: Any) -> None:
    sink = GatedSink()
    url = serve(ReceiverLimits(max_in_flight=1), sink)
    other = json.dumps({**shopify_order(), "id": 99}).encode()
    with httpx.Client(timeout=20) as client:
        first: dict[str, httpx.Response] = {}
        worker = threading.Thread(
            target=lambda: first.setdefault("r", client.post(url + "/webhooks/shopify", content=BODY, headers=signed()))
        )
        worker.start()
        assert sink.entered.wait(10)
        busy = httpx.post(url + "/webhooks/shopify", content=other, headers=signed(other, "wh-2"), timeout=10)
        assert busy.status_code == 503 and busy.json()["error"] == "busy" and busy.headers["retry-after"] == "1"
        sink.gate.set()
        worker.join(20)
        assert first["r"].json()["status"] == "accepted"
        retried = client.post(url + "/webhooks/shopify", content=other, headers=signed(other, "wh-2"))
        assert retried.json()["status"] == "accepted"  # the refused one was not remembered as seen
