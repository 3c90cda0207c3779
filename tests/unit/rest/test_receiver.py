"""The receiver in-process through httpx's ASGI transport (no sockets); loopback tests are in integration."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from crossdock.bridges.rest.receiver import create_receiver
from crossdock.bridges.rest.signature import sign
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.errors import TransientError
from tests.unit.rest.samples import shopify_order

SECRET = b"whsec-test"
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()
BODY = json.dumps(shopify_order()).encode()


def headers(body: bytes = BODY, *, webhook_id: str = "wh-1", at: str = "2024-03-01T11:59:30Z") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": sign(SECRET, body),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "example.myshopify.com",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Triggered-At": at,
    }


class AsgiClient:
    """A synchronous face on httpx.AsyncClient + ASGITransport (Starlette's AsgiClient wants httpx2)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)


@pytest.fixture
def sink() -> InMemorySink:
    return InMemorySink()


@pytest.fixture
def client(sink: InMemorySink) -> AsgiClient:
    return AsgiClient(create_receiver(sink, SECRET, tolerance_s=300, max_body_bytes=200_000, clock=lambda: NOW))


def test_good_webhook_is_stored_raw_and_enqueued(client: AsgiClient, sink: InMemorySink) -> None:
    response = client.post("/webhooks/shopify", content=BODY, headers=headers())
    assert response.status_code == 200
    ref = response.json()["ref"]
    assert sink.queue == [ref]
    stored = sink.stored[ref]
    assert stored.body == BODY
    assert stored.headers["x-shopify-topic"] == "orders/create"
    assert "x-shopify-hmac-sha256" not in stored.headers


def test_replayed_webhook_id_is_acknowledged_but_not_stored_twice(client: AsgiClient, sink: InMemorySink) -> None:
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).status_code == 200
    again = client.post("/webhooks/shopify", content=BODY, headers=headers())
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert len(sink.queue) == 1


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        (lambda h: h.pop("X-Shopify-Hmac-Sha256"), 401, "unsigned"),
        (lambda h: h.update({"X-Shopify-Hmac-Sha256": sign(b"wrong", BODY)}), 401, "bad_signature"),
        (lambda h: h.update({"X-Shopify-Triggered-At": "2024-03-01T11:50:00Z"}), 401, "stale"),
        (lambda h: h.update({"X-Shopify-Triggered-At": "2024-03-01T12:30:00Z"}), 401, "stale"),
        (lambda h: h.update({"X-Shopify-Triggered-At": "soon"}), 400, "bad_timestamp"),
        (lambda h: h.pop("X-Shopify-Webhook-Id"), 400, "missing_header"),
        (lambda h: h.update({"Content-Type": "text/plain"}), 415, "unsupported_media_type"),
    ],
)
def test_rejections_are_4xx_with_a_clear_message(
    client: AsgiClient, sink: InMemorySink, change: object, status: int, error: str
) -> None:
    h = headers()
    change(h)  # type: ignore[operator]
    response = client.post("/webhooks/shopify", content=BODY, headers=h)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["message"]
    assert sink.queue == []


def test_signed_but_malformed_json_and_oversized_bodies(client: AsgiClient, sink: InMemorySink) -> None:
    bad = b'{"id": 1,'
    assert client.post("/webhooks/shopify", content=bad, headers=headers(bad)).json()["error"] == "bad_json"
    deep = b"[" * 100_000
    assert client.post("/webhooks/shopify", content=deep, headers=headers(deep)).json()["error"] == "bad_json"
    big = b'{"pad": "' + b"x" * 200_001 + b'"}'
    assert client.post("/webhooks/shopify", content=big, headers=headers(big)).status_code == 413
    assert sink.queue == []


def test_a_failing_sink_answers_503_and_the_retry_is_not_taken_for_a_duplicate() -> None:
    class FlakySink(InMemorySink):
        fail = True

        def store_raw(self, channel: str, body: bytes, headers: object) -> str:  # type: ignore[override]
            if self.fail:
                self.fail = False
                raise TransientError("store down")
            return super().store_raw(channel, body, headers)  # type: ignore[arg-type]

    sink = FlakySink()
    client = AsgiClient(create_receiver(sink, SECRET, clock=lambda: NOW))
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).status_code == 503
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).json()["status"] == "accepted"


def test_openapi_and_empty_secret() -> None:
    spec = AsgiClient(create_receiver(InMemorySink(), SECRET)).get("/openapi.json").json()
    assert "/webhooks/shopify" in spec["paths"]
    with pytest.raises(ValueError):
        create_receiver(InMemorySink(), b"")


def test_a_sink_without_the_blocking_flag_is_called_off_the_event_loop() -> None:
    import threading

    class ThreadRecordingSink:
        """Implements RawSink without ``blocking``: the receiver must assume it does blocking IO."""

        def __init__(self) -> None:
            self.threads: list[str] = []
            self.refs: list[str] = []

        def store_raw(self, channel: str, body: bytes, headers: object) -> str:
            self.threads.append(threading.current_thread().name)
            return "ref-1"

        def enqueue(self, ref: str) -> None:
            self.refs.append(ref)

    sink = ThreadRecordingSink()
    client = AsgiClient(create_receiver(sink, SECRET, clock=lambda: NOW))  # type: ignore[arg-type]
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).json()["ref"] == "ref-1"
    assert sink.refs == ["ref-1"]
    assert sink.threads and sink.threads[0] != threading.main_thread().name


def test_same_event_id_under_a_new_webhook_id_is_a_duplicate(client: AsgiClient, sink: InMemorySink) -> None:
    first = {**headers(webhook_id="wh-a"), "X-Shopify-Event-Id": "ev-1"}
    second = {**headers(webhook_id="wh-b"), "X-Shopify-Event-Id": "ev-1"}
    assert client.post("/webhooks/shopify", content=BODY, headers=first).json()["status"] == "accepted"
    assert client.post("/webhooks/shopify", content=BODY, headers=second).json()["status"] == "duplicate"
    assert len(sink.queue) == 1
    assert sink.stored[sink.queue[0]].headers["x-shopify-event-id"] == "ev-1"


def test_a_replay_with_fresh_unsigned_headers_is_a_duplicate(client: AsgiClient, sink: InMemorySink) -> None:
    # Given a delivery that was accepted
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).json()["status"] == "accepted"
    # When someone who captured it sends the same signed body with new ids, topic and timestamp
    # (none of which the signature covers)
    replayed = {**headers(webhook_id="wh-new", at="2024-03-01T11:59:59Z"), "X-Shopify-Event-Id": "ev-new",
                "X-Shopify-Topic": "orders/cancelled"}  # fmt: skip
    again = client.post("/webhooks/shopify", content=BODY, headers=replayed)
    # Then it is recognised as the same delivery and not stored again
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    # While a different body (a real new event) is accepted
    other = json.dumps({**shopify_order(), "updated_at": "2024-03-01T11:59:58Z"}).encode()
    assert client.post("/webhooks/shopify", content=other, headers=headers(other, webhook_id="wh-2")).json()[
        "status"
    ] == "accepted"
    assert len(sink.queue) == 2


def test_receiver_from_settings_needs_the_secret() -> None:
    from crossdock.bridges.rest.receiver import receiver_from_settings
    from crossdock.errors import ConfigError
    from crossdock.settings import load_settings

    with pytest.raises(ConfigError, match="webhook_secret"):
        receiver_from_settings(load_settings(environ={}), InMemorySink())
    settings = load_settings(environ={"CROSSDOCK_WEBHOOK_SECRET": SECRET.decode()})
    app = receiver_from_settings(settings, InMemorySink())
    response = AsgiClient(app).post(
        "/webhooks/shopify", content=BODY, headers=headers(at=datetime.now(UTC).isoformat())
    )
    assert response.status_code == 200


def test_a_sink_bug_does_not_mark_the_delivery_as_seen() -> None:
    class BrokenOnceSink(InMemorySink):
        broken = True

        def enqueue(self, ref: str) -> None:
            if self.broken:
                self.broken = False
                raise RuntimeError("bug")
            super().enqueue(ref)

    sink = BrokenOnceSink()
    client = AsgiClient(create_receiver(sink, SECRET, clock=lambda: NOW))
    with pytest.raises(RuntimeError):
        client.post("/webhooks/shopify", content=BODY, headers=headers())
    assert client.post("/webhooks/shopify", content=BODY, headers=headers()).json()["status"] == "accepted"
