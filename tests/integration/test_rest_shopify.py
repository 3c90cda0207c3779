"""Shopify-style outbound calls (fulfillments, inventory levels) against the simulator on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.shopify import ShopifyAdapter
from crossdock.canonical import InventoryLevel, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import BusinessError
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration


def _shipment(order_id: str, lines: list[tuple[str, int]]) -> Shipment:
    return Shipment(
        shipment_id="SH-S1",
        shipped_at=datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
        carrier_name="UPS",
        tracking_numbers=["1Z999AA10123456784"],
        orders=[
            ShipmentOrder(order_ref=order_id, lines=[ShipmentLine(line_number=n, quantity_shipped=q) for n, q in lines])
        ],
    )


def test_fulfillment_uses_the_orders_fulfillment_order_and_lands_in_the_marketplace(
    marketplace_sim: RunningSim,
) -> None:
    order = marketplace_sim.state.shopify[0]
    lines = [(str(item["id"]), item["quantity"]) for item in order["line_items"]]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))

    (created,) = adapter.fulfill(_shipment(str(order["id"]), lines))

    assert created["fulfillment"]["tracking_number"] == "1Z999AA10123456784"
    (received,) = marketplace_sim.received("shopify.fulfillments")
    group = received["body"]["fulfillment"]["line_items_by_fulfillment_order"][0]
    assert group["fulfillment_order_id"] == order["id"] + 7_000_000_000
    assert sorted(i["quantity"] for i in group["fulfillment_order_line_items"]) == sorted(q for _, q in lines)


def test_over_shipping_is_rejected_with_shopifys_message(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.shopify[1]
    item = order["line_items"][0]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    with pytest.raises(MarketplaceRejectedError, match=r"must be 1\.\.") as caught:
        adapter.fulfill(_shipment(str(order["id"]), [(str(item["id"]), item["quantity"] + 5)]))
    assert isinstance(caught.value, BusinessError) and caught.value.status == 422
    assert marketplace_sim.received("shopify.fulfillments") == []


def test_inventory_level_set(marketplace_sim: RunningSim) -> None:
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    level = InventoryLevel(
        sku="MUG-11OZ", location="DC1", on_hand=4, available=3, as_of=datetime(2024, 1, 2, tzinfo=UTC)
    )
    adapter.set_inventory_level(level, inventory_item_id=808950810, location_id=655441491)
    (received,) = marketplace_sim.received("shopify.inventory_levels")
    assert received["body"] == {"location_id": 655441491, "inventory_item_id": 808950810, "available": 3}
