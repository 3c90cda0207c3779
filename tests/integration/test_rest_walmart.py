"""Walmart-style polling and outbound calls against the simulator on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.bridges.rest.walmart import WalmartAdapter
from crossdock.canonical import InventoryLevel, Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.marketplaces import order_to_canonical
from crossdock.canonical.order import OrderPurpose
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration


def test_poll_follows_next_cursor_and_hands_each_order_once(marketplace_sim: RunningSim) -> None:
    adapter = WalmartAdapter(marketplace_sim.client("walmart"), page_size=10)
    sink = InMemorySink()
    checkpoints: list[PollState] = []

    state = adapter.poll_orders(sink, PollState(datetime(2023, 1, 1, tzinfo=UTC)), checkpoint=checkpoints.append)

    orders = [json.loads(body) for body in sink.bodies("walmart")]
    assert sorted(o["purchaseOrderId"] for o in orders) == sorted(
        o["purchaseOrderId"] for o in marketplace_sim.state.walmart
    )
    assert len(checkpoints) == 3 and state.cursor is None
    assert state.watermark == datetime.fromtimestamp(max(o["orderDate"] for o in orders) / 1000, tz=UTC)
    assert all(order_to_canonical("walmart", o).external_id for o in orders)

    # The next poll starts at the watermark; Walmart returns the boundary order, the poller skips it.
    again = InMemorySink()
    assert adapter.poll_orders(again, state) == state
    assert again.queue == []


def test_no_orders_found_404_is_an_empty_poll(marketplace_sim: RunningSim) -> None:
    adapter = WalmartAdapter(marketplace_sim.client("walmart"))
    start = PollState(datetime(2030, 1, 1, tzinfo=UTC))
    sink = InMemorySink()
    assert adapter.poll_orders(sink, start) == start
    assert sink.queue == []


def test_shipping_update_and_inventory_land_in_the_marketplace(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.walmart[0]
    line_numbers = [line["lineNumber"] for line in order["orderLines"]["orderLine"]]
    shipment = Shipment(
        shipment_id="SH-W1",
        shipped_at=datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
        carrier_scac="FDEG",
        orders=[
            ShipmentOrder(
                po_number=order["purchaseOrderId"],
                packages=[
                    Package(tracking_number="7946000001", lines=[ShipmentLine(line_number=n, quantity_shipped=1)])
                    for n in line_numbers
                ],
            )
        ],
    )
    adapter = WalmartAdapter(marketplace_sim.client("walmart"))

    assert adapter.ship(shipment) == 1
    adapter.update_inventory(
        InventoryLevel(sku="WIDGET-RED", location="DC1", on_hand=9, available=7, as_of=datetime(2024, 1, 2, tzinfo=UTC))
    )

    (update,) = marketplace_sim.received("walmart.shipping_updates")
    assert update["purchase_order_id"] == order["purchaseOrderId"]
    shipped = update["body"]["orderShipment"]["orderLines"]["orderLine"]
    assert [line["lineNumber"] for line in shipped] == line_numbers
    tracking = shipped[0]["orderLineStatuses"]["orderLineStatus"][0]["trackingInfo"]
    assert tracking["carrierName"] == {"carrier": "FedEx"}
    (inventory,) = marketplace_sim.received("walmart.inventory")
    assert inventory["body"] == {"sku": "WIDGET-RED", "quantity": {"unit": "EACH", "amount": 7}}


def test_a_later_line_cancellation_or_cancelled_order_is_seen_by_the_next_poll(marketplace_sim: RunningSim) -> None:
    # Given every order polled by its last modification
    adapter = WalmartAdapter(marketplace_sim.client("walmart"), page_size=10)
    state = adapter.poll_orders(InMemorySink(), PollState(datetime(2023, 1, 1, tzinfo=UTC)))
    whole, partly = marketplace_sim.state.walmart[2], marketplace_sim.state.walmart[5]
    line = partly["orderLines"]["orderLine"][0]
    ordered = int(line["orderLineQuantity"]["amount"])
    # When Walmart cancels one order and part of a line of another
    marketplace_sim.change("walmart", whole["purchaseOrderId"], cancel=True)
    marketplace_sim.change("walmart", partly["purchaseOrderId"], lines={line["lineNumber"]: ordered - 1})
    # Then the next poll hands exactly those two over again, each as its new version
    sink = InMemorySink()
    later = adapter.poll_orders(sink, state)
    docs = {doc["purchaseOrderId"]: doc for doc in map(json.loads, sink.bodies("walmart"))}
    assert set(docs) == {whole["purchaseOrderId"], partly["purchaseOrderId"]}
    cancelled = order_to_canonical("walmart", docs[whole["purchaseOrderId"]])
    changed = order_to_canonical("walmart", docs[partly["purchaseOrderId"]])
    assert cancelled.purpose is OrderPurpose.CANCELLATION and changed.purpose is OrderPurpose.CHANGE
    assert changed.lines[0].quantity == ordered - 1
    assert changed.updated_at is not None and changed.updated_at > state.watermark
    assert adapter.poll_orders(nothing := InMemorySink(), later) == later and nothing.queue == []


def test_acknowledge_is_recorded_once_and_safe_to_call_again(marketplace_sim: RunningSim) -> None:
    adapter = WalmartAdapter(marketplace_sim.client("walmart"))
    po_id = marketplace_sim.state.walmart[0]["purchaseOrderId"]
    # The first call acknowledges every Created line
    first = adapter.acknowledge(po_id)
    statuses = {s["status"] for line in first["orderLines"]["orderLine"] for s in
                line["orderLineStatuses"]["orderLineStatus"]}  # fmt: skip
    assert statuses == {"Acknowledged"}
    # A second call (a retried or replayed step): Walmart refuses, the adapter finds it acknowledged
    again = adapter.acknowledge(po_id)
    assert again["purchaseOrderId"] == po_id
    assert [a["purchase_order_id"] for a in marketplace_sim.received("walmart.acknowledgements")] == [po_id]
    # An order Walmart does not know is still an error
    with pytest.raises(MarketplaceRejectedError):
        adapter.acknowledge("999999999")
