"""Shopify-style outbound calls (fulfillments, inventory levels) against the simulator on loopback: the
adapter's fulfillments are idempotent on the tracking number, and the simulator keeps what each fulfillment
order has left, closes it when nothing is, and refuses over-fulfilment like Shopify."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crossdock.bridges.rest.boundary import MarketplaceRejectedError
from crossdock.bridges.rest.shopify import ShopifyAdapter
from crossdock.canonical import InventoryLevel, Shipment, ShipmentLine, ShipmentOrder
from crossdock.errors import BusinessError, MappingError, TransientError
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration


TRACKING = "1Z999AA10123456784"


def _shipment(order_id: str, lines: list[tuple[str, int]], tracking: str | None = TRACKING) -> Shipment:
    return Shipment(
        shipment_id="SH-S1",
        shipped_at=datetime(2024, 1, 2, 15, 0, tzinfo=UTC),
        carrier_name="UPS",
        tracking_numbers=[tracking] if tracking else [],
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

    assert created["tracking_number"] == TRACKING and created["order_id"] == order["id"]
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


def fulfillment_order(sim: RunningSim, order_id: int) -> dict[str, Any]:
    response = sim.control.get(f"/admin/api/2024-01/orders/{order_id}/fulfillment_orders.json",
                               headers={"X-Shopify-Access-Token": "shpat_test"})  # fmt: skip
    response.raise_for_status()
    [fo] = response.json()["fulfillment_orders"]
    return dict(fo)


def fulfillments(sim: RunningSim, order_id: int) -> list[dict[str, Any]]:
    response = sim.control.get(f"/admin/api/2024-01/orders/{order_id}/fulfillments.json",
                               headers={"X-Shopify-Access-Token": "shpat_test"})  # fmt: skip
    response.raise_for_status()
    return list(response.json()["fulfillments"])


def whole(order: dict[str, Any]) -> list[tuple[str, int]]:
    return [(str(item["id"]), item["quantity"]) for item in order["line_items"]]


def test_fulfilling_the_same_shipment_again_returns_the_first_fulfillment(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.shopify[2]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    [first] = adapter.fulfill(_shipment(str(order["id"]), whole(order)))
    # When the same shipment is confirmed again (the fulfillment order is closed by now)
    assert fulfillment_order(marketplace_sim, order["id"])["status"] == "closed"
    [again] = adapter.fulfill(_shipment(str(order["id"]), whole(order)))
    # Then nothing new was created: the existing fulfillment is returned
    assert again["id"] == first["id"]
    assert len(marketplace_sim.received("shopify.fulfillments")) == 1
    assert [f["tracking_numbers"] for f in fulfillments(marketplace_sim, order["id"])] == [[TRACKING]]


def test_a_retry_after_the_reply_was_lost_does_not_fulfil_twice(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.shopify[3]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    # Given Shopify accepts the POST but the reply never arrives whole
    marketplace_sim.fault(kind="malformed", channel="shopify", path_contains="2024-01/fulfillments.json")
    with pytest.raises(TransientError):
        adapter.fulfill(_shipment(str(order["id"]), whole(order)))
    assert len(fulfillments(marketplace_sim, order["id"])) == 1
    # When the flow step is retried
    [found] = adapter.fulfill(_shipment(str(order["id"]), whole(order)))
    # Then the fulfillment Shopify made is found, and no second one is posted
    assert found["tracking_number"] == TRACKING
    assert len(marketplace_sim.received("shopify.fulfillments")) == 1
    assert len(fulfillments(marketplace_sim, order["id"])) == 1


def test_a_partial_shipment_leaves_the_rest_fulfillable_and_the_second_closes_it(marketplace_sim: RunningSim) -> None:
    order = next(o for o in marketplace_sim.state.shopify if o["line_items"][0]["quantity"] > 1)
    item = order["line_items"][0]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    adapter.fulfill(_shipment(str(order["id"]), [(str(item["id"]), 1)], tracking="1ZPART0001"))
    fo = fulfillment_order(marketplace_sim, order["id"])
    assert fo["status"] == "in_progress"
    left = {line["line_item_id"]: line["fulfillable_quantity"] for line in fo["line_items"]}
    assert left == {i["id"]: i["quantity"] - (1 if i is item else 0) for i in order["line_items"]}
    # Over-fulfilling what is left is refused, and nothing is recorded
    too_many = [(str(item["id"]), item["quantity"])]
    with pytest.raises(MarketplaceRejectedError, match=rf"must be 1\.\.{item['quantity'] - 1}"):
        adapter.fulfill(_shipment(str(order["id"]), too_many, tracking="1ZPART0002"))
    # The rest ships under another tracking number and closes the fulfillment order
    rest = [(str(i["id"]), i["quantity"] - (1 if i is item else 0)) for i in order["line_items"]]
    adapter.fulfill(_shipment(str(order["id"]), rest, tracking="1ZPART0003"))
    fo = fulfillment_order(marketplace_sim, order["id"])
    assert fo["status"] == "closed" and {line["fulfillable_quantity"] for line in fo["line_items"]} == {0}
    assert [f["tracking_number"] for f in fulfillments(marketplace_sim, order["id"])] == ["1ZPART0001", "1ZPART0003"]
    # A new shipment for a closed order cannot be confirmed: a business error, not a crash or a retry
    with pytest.raises(MappingError, match="no open fulfillment order"):
        adapter.fulfill(_shipment(str(order["id"]), [(str(item["id"]), 1)], tracking="1ZPART0004"))


def test_a_fulfillment_without_a_tracking_number_is_refused_before_any_call(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.shopify[4]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    with pytest.raises(MappingError, match="tracking number is required"):
        adapter.fulfill(_shipment(str(order["id"]), whole(order), tracking=None))
    assert marketplace_sim.state.requests["shopify"] == 0


def test_a_server_error_on_the_post_is_transient_and_not_repeated_by_the_client(marketplace_sim: RunningSim) -> None:
    order = marketplace_sim.state.shopify[5]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify", sleep=lambda _s: None))
    marketplace_sim.fault(kind="status", status=503, channel="shopify", path_contains="2024-01/fulfillments.json")
    with pytest.raises(TransientError, match="503"):
        adapter.fulfill(_shipment(str(order["id"]), whole(order)))
    assert fulfillments(marketplace_sim, order["id"]) == []
    [created] = adapter.fulfill(_shipment(str(order["id"]), whole(order)))  # the broker's retry
    assert created["tracking_number"] == TRACKING


def test_lines_without_a_line_item_id_are_matched_by_their_sku(marketplace_sim: RunningSim) -> None:
    """A 945 without N9*LI: the shipped lines carry the SKU only."""
    order = next(o for o in marketplace_sim.state.shopify if len({i["sku"] for i in o["line_items"]}) > 1)
    first, second = order["line_items"][:2]
    adapter = ShopifyAdapter(marketplace_sim.client("shopify"))
    shipment = _shipment(str(order["id"]), [])
    by_sku = [ShipmentLine(sku=item["sku"], quantity_shipped=item["quantity"]) for item in (first, second)]
    shipment = shipment.model_copy(update={"orders": [shipment.orders[0].model_copy(update={"lines": by_sku})]})
    [created] = adapter.fulfill(shipment)
    assert {i["id"]: i["quantity"] for i in created["line_items"]} == {
        first["id"]: first["quantity"], second["id"]: second["quantity"]
    }
    # a SKU the order does not have stays unmatched, and the mapping names the line
    stranger = shipment.model_copy(update={"tracking_numbers": ["1ZOTHER"], "orders": [
        shipment.orders[0].model_copy(update={"lines": [ShipmentLine(sku="NOT-SOLD", quantity_shipped=1)]})]})
    with pytest.raises(MappingError, match=r"orders\[0\]\.lines\[0\]\.line_number"):
        adapter.fulfill(stranger)
