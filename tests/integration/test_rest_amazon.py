"""Polling SP-API-style orders and confirming shipments against the simulator on loopback."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from crossdock.bridges.rest.amazon import AmazonAdapter
from crossdock.bridges.rest.backoff import Backoff
from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.canonical import Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.canonical.order import OrderPurpose
from crossdock.errors import TransientError
from tests.fixtures.marketplace import TOKEN_HEADERS, RunningSim

pytestmark = pytest.mark.integration
START = PollState(watermark=datetime(2023, 12, 31, tzinfo=UTC))


def test_poll_across_pages_with_a_429_in_the_middle_hands_each_order_once(marketplace_sim: RunningSim) -> None:
    # Given 25 seeded orders, pages of 7, and a 429 (Retry-After: 1) on the third getOrders call
    marketplace_sim.fault(
        kind="status", status=429, retry_after=1, channel="amazon", path_contains="/orders/v0/orders", skip=2
    )
    sleeps: list[float] = []
    client = marketplace_sim.client("amazon", sleep=lambda s: sleeps.append(s), backoff=Backoff(max_attempts=4))
    adapter = AmazonAdapter(client, "ATVPDKIKX0DER", page_size=7)
    sink = InMemorySink()
    checkpoints: list[PollState] = []

    # When the poller runs
    state = adapter.poll_orders(sink, START, checkpoint=checkpoints.append)

    # Then every order is in the sink exactly once, with its items, and the watermark moved page by page
    docs = [json.loads(body) for body in sink.bodies("amazon")]
    ids = [doc["Order"]["AmazonOrderId"] for doc in docs]
    assert sorted(ids) == sorted(o["AmazonOrderId"] for o in marketplace_sim.state.amazon)
    assert len(ids) == len(set(ids)) == 25
    assert 1.0 in sleeps  # the server's Retry-After was honoured
    assert len(checkpoints) == 4 and checkpoints[-1] == state
    assert [c.cursor is None for c in checkpoints] == [False, False, False, True]
    assert [c.watermark for c in checkpoints] == sorted(c.watermark for c in checkpoints)
    last = max(o["PurchaseDate"] for o in marketplace_sim.state.amazon)
    assert state.watermark == datetime.fromisoformat(last.replace("Z", "+00:00"))
    assert all(order_to_canonical("amazon", doc).lines for doc in docs)

    # And a second poll from the saved state hands over nothing again
    again = InMemorySink()
    adapter.poll_orders(again, PollState.from_json(state.to_json()))
    assert again.queue == []


def test_poll_resumes_from_a_checkpointed_cursor(marketplace_sim: RunningSim) -> None:
    client = marketplace_sim.client("amazon")
    adapter = AmazonAdapter(client, "ATVPDKIKX0DER", page_size=10)
    first = InMemorySink()
    checkpoints: list[PollState] = []
    adapter.poll_orders(first, START, checkpoint=checkpoints.append, max_pages=3)
    # Crash after page 1: resume from its checkpoint into a fresh sink.
    rest = InMemorySink()
    adapter.poll_orders(rest, checkpoints[0])
    assert len(rest.queue) == 15
    assert not {json.loads(b)["Order"]["AmazonOrderId"] for b in rest.bodies()} & {
        json.loads(b)["Order"]["AmazonOrderId"] for b in first.bodies()[:10]
    }


def test_server_errors_are_retried_then_surface_as_transient(marketplace_sim: RunningSim) -> None:
    marketplace_sim.fault(kind="status", status=503, channel="amazon", times=1)
    client = marketplace_sim.client("amazon", sleep=lambda s: None)
    AmazonAdapter(client, "ATVPDKIKX0DER").poll_orders(InMemorySink(), START)

    marketplace_sim.fault(kind="status", status=500, channel="amazon", times=10)
    client = marketplace_sim.client("amazon", sleep=lambda s: None, backoff=Backoff(max_attempts=3))
    with pytest.raises(TransientError, match="500"):
        AmazonAdapter(client, "ATVPDKIKX0DER").poll_orders(InMemorySink(), START)


def _shipment(order: dict[str, object], item_id: str) -> Shipment:
    return Shipment(
        shipment_id="SH-100",
        shipped_at=datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
        carrier_scac="UPSN",
        tracking_numbers=["1Z999AA10123456784"],
        orders=[
            ShipmentOrder(
                order_ref=str(order["AmazonOrderId"]), lines=[ShipmentLine(line_number=item_id, quantity_shipped=1)]
            )
        ],
    )


def test_shipment_confirmation_lands_in_the_marketplace(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.amazon[0]
    item_id = order["OrderItems"][0]["OrderItemId"]
    adapter = AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER")

    assert adapter.confirm_shipment(_shipment(order, item_id)) == 1

    (received,) = marketplace_sim.received("amazon.shipment_confirmations")
    assert received["order_id"] == order["AmazonOrderId"]
    detail = received["body"]["packageDetail"]
    assert (detail["carrierCode"], detail["trackingNumber"]) == ("UPS", "1Z999AA10123456784")
    assert detail["orderItems"] == [{"orderItemId": item_id, "quantity": 1}]


def test_rejected_confirmation_is_a_business_error_with_amazons_message(marketplace_sim: RunningSim) -> None:
    adapter = AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER")
    with pytest.raises(MarketplaceRejectedError, match="orderItemId 999 is not in the order"):
        adapter.confirm_shipment(_shipment(marketplace_sim.state.amazon[0], "999"))
    assert marketplace_sim.received("amazon.shipment_confirmations") == []


def test_token_bucket_answers_429_with_retry_after_and_rate_headers(marketplace_sim: RunningSim) -> None:
    marketplace_sim.control.post("/_sim/rate-limit", json={"channel": "amazon", "capacity": 2, "refill_per_s": 0.1})
    statuses = []
    with httpx.Client(base_url=marketplace_sim.url, headers=TOKEN_HEADERS["amazon"], timeout=5) as raw:
        for _ in range(3):
            response = raw.get("/orders/v0/orders/none/orderItems")
            statuses.append(response.status_code)
    assert statuses == [404, 404, 429]
    assert 5 <= int(response.headers["retry-after"]) <= 10  # about 1 / 0.1 s until the next token
    assert response.headers["x-amzn-ratelimit-limit"] == "0.1"
    assert response.json()["errors"][0]["code"] == "QuotaExceeded"


def test_client_paces_to_the_advertised_rate_and_avoids_429(marketplace_sim: RunningSim) -> None:
    # Given a marketplace advertising 10 requests/s with a burst of 2 (back to back, call 3 would get 429)
    marketplace_sim.control.post("/_sim/rate-limit", json={"channel": "amazon", "capacity": 2, "refill_per_s": 10})
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    client = marketplace_sim.client("amazon", sleep=sleep)
    started = time.monotonic()
    # When five calls of one operation go out back to back
    for _ in range(5):
        with pytest.raises(MarketplaceRejectedError):  # unknown order: 404, but it is a paced, counted call
            client.get_json("/orders/v0/orders/113-none/orderItems", operation="getOrderItems")
    # Then the client spaced them by about 0.11 s itself and never needed a Retry-After (1 s)
    assert time.monotonic() - started >= 0.4
    assert waits and all(w <= 0.11 + 1e-6 for w in waits)


def test_a_later_cancellation_or_item_cancel_is_seen_by_the_next_poll(marketplace_sim: RunningSim) -> None:
    # Given every order polled and booked by its last-update time
    adapter = AmazonAdapter(marketplace_sim.client("amazon"), "ATVPDKIKX0DER", page_size=10)
    state = adapter.poll_orders(InMemorySink(), START)
    first, second = marketplace_sim.state.amazon[3], marketplace_sim.state.amazon[7]
    # When Amazon cancels one order and one item of another, long after they were placed
    marketplace_sim.change("amazon", first["AmazonOrderId"], cancel=True)
    item = second["OrderItems"][0]["OrderItemId"]
    marketplace_sim.change("amazon", second["AmazonOrderId"], lines={item: 0})
    # Then the next poll hands exactly those two over again, each as its new version
    sink = InMemorySink()
    later = adapter.poll_orders(sink, state)
    docs = {doc["Order"]["AmazonOrderId"]: doc for doc in map(json.loads, sink.bodies("amazon"))}
    assert set(docs) == {first["AmazonOrderId"], second["AmazonOrderId"]}
    cancelled = order_to_canonical("amazon", docs[first["AmazonOrderId"]])
    changed = order_to_canonical("amazon", docs[second["AmazonOrderId"]])
    assert cancelled.purpose is OrderPurpose.CANCELLATION and changed.purpose is OrderPurpose.CHANGE
    assert changed.lines[0].line_number == item and changed.lines[0].quantity == 0
    assert cancelled.updated_at is not None and cancelled.updated_at > state.watermark
    assert later.watermark == max(o.updated_at for o in (cancelled, changed) if o.updated_at)
    # And a poll after that hands over nothing
    assert adapter.poll_orders(nothing := InMemorySink(), later) == later and nothing.queue == []


def test_the_simulator_takes_one_of_created_after_and_last_updated_after(marketplace_sim: RunningSim) -> None:
    client = marketplace_sim.client("amazon")
    with pytest.raises(MarketplaceRejectedError, match="Only one of"):
        client.get_json("/orders/v0/orders", {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2024-01-01T00:00:00Z",
                                              "LastUpdatedAfter": "2024-01-01T00:00:00Z"})  # fmt: skip
