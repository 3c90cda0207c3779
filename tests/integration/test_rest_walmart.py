"""Walmart-style polling and outbound calls against the simulator on loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.bridges.rest.walmart import WalmartAdapter
from crossdock.canonical import InventoryLevel, Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.marketplaces import order_to_canonical
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
