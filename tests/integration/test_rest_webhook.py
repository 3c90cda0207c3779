"""Signed webhooks from the simulator into the receiver, both real HTTP servers on loopback."""

from __future__ import annotations

import json

import httpx
import pytest

from crossdock.bridges.rest.signature import sign
from crossdock.canonical.marketplaces import order_to_canonical
from tests.fixtures.marketplace import RunningReceiver, RunningSim

pytestmark = pytest.mark.integration


def fire(sim: RunningSim, receiver: RunningReceiver, **options: object) -> list[dict[str, object]]:
    body = {"url": receiver.url + "/webhooks/shopify", "secret": receiver.secret, **options}
    response = sim.control.post("/_sim/webhooks", json=body)
    response.raise_for_status()
    deliveries: list[dict[str, object]] = response.json()["deliveries"]
    return deliveries


def test_signed_webhooks_are_stored_raw_and_enqueued(
    marketplace_sim: RunningSim, webhook_receiver: RunningReceiver
) -> None:
    deliveries = fire(marketplace_sim, webhook_receiver, count=3)

    assert [d["status"] for d in deliveries] == [200, 200, 200]
    bodies = webhook_receiver.sink.bodies("shopify")
    assert len(bodies) == 3
    # What was stored is the raw body, and it maps to a canonical order.
    orders = [order_to_canonical("shopify", json.loads(body)) for body in bodies]
    assert [o.external_id for o in orders] == [str(o["id"]) for o in marketplace_sim.state.shopify[:3]]
    stored = next(iter(webhook_receiver.sink.stored.values()))
    assert stored.headers["x-shopify-topic"] == "orders/create"


def test_tampered_stale_and_replayed_webhooks(marketplace_sim: RunningSim, webhook_receiver: RunningReceiver) -> None:
    assert fire(marketplace_sim, webhook_receiver, tamper=True)[0]["status"] == 401
    assert fire(marketplace_sim, webhook_receiver, age_s=900)[0]["status"] == 401
    assert webhook_receiver.sink.queue == []

    first = fire(marketplace_sim, webhook_receiver, webhook_id="replayed-1")
    again = fire(marketplace_sim, webhook_receiver, webhook_id="replayed-1")
    assert first[0]["status"] == again[0]["status"] == 200
    assert len(webhook_receiver.sink.queue) == 1


def test_unsigned_and_wrong_secret_posts_are_401_with_a_message(webhook_receiver: RunningReceiver) -> None:
    body = b'{"id": 1}'
    with httpx.Client(base_url=webhook_receiver.url, timeout=5) as client:
        unsigned = client.post("/webhooks/shopify", content=body, headers={"Content-Type": "application/json"})
        wrong = client.post(
            "/webhooks/shopify",
            content=body,
            headers={"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": sign(b"not-the-secret", body)},
        )
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "unsigned")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "bad_signature")
    assert webhook_receiver.sink.queue == []
