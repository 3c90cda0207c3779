from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crossdock.canonical import InventoryLevel, Package, PartyRole, Shipment, ShipmentLine, ShipmentOrder, redact
from crossdock.canonical.marketplaces import order_to_canonical, shopify
from crossdock.canonical.order import Channel, OrderPurpose
from crossdock.errors import MappingError
from tests.unit.rest.samples import shopify_order


def test_order_maps_ids_money_dates_parties_and_lines() -> None:
    order = shopify.order_to_canonical(shopify_order())

    assert order.channel is Channel.SHOPIFY
    assert order.external_id == "450789469"
    assert order.references["name"] == "#1001"
    assert order.ordered_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.ordered_at.utcoffset() == timedelta(hours=-5)
    assert order.currency == "USD"
    first, second = order.lines
    assert (first.line_number, first.sku, first.quantity, first.unit_price) == (
        "466157049",
        "IPOD2008GREEN",
        Decimal(1),
        Decimal("199.00"),
    )
    assert second.quantity == 2
    assert second.discounts[0].amount == Decimal("6.66")
    assert second.taxes[0].amount == Decimal("7.96")
    assert second.taxes[0].rate == Decimal("0.02")
    assert second.extended_price == Decimal("391.34")
    # The discount code is already allocated to lines: it must not be counted twice at order level.
    assert order.discounts == []
    assert order.totals is not None
    assert order.totals.total == Decimal("598.94")
    assert order.totals.shipping == Decimal("0.00")
    ship_to = order.party(PartyRole.SHIP_TO)
    assert ship_to is not None and ship_to.address is not None
    assert ship_to.address.lines == ["Chestnut Street 92", "Apt 2"]
    assert (ship_to.address.region, ship_to.address.country) == ("KY", "US")
    buyer = order.party(PartyRole.BUYER)
    assert buyer is not None and buyer.email == "bob.norman@mail.example.com" and buyer.id_code == "207119551"
    assert order.shipping_method is not None and order.shipping_method.service_level == "Free Shipping"
    assert order.notes == ["Leave at the back door"]


def test_wrapped_order_and_dispatch_by_channel_name() -> None:
    order = order_to_canonical("shopify", {"order": shopify_order()})
    assert order.external_id == "450789469"


def test_discount_codes_become_order_discounts_when_lines_carry_no_allocations() -> None:
    doc = shopify_order()
    for item in doc["line_items"]:
        del item["discount_allocations"]
    order = shopify.order_to_canonical(doc)
    assert [(d.code, d.amount) for d in order.discounts] == [("TENOFF", Decimal("10.00"))]


def test_cancelled_order_is_a_cancellation() -> None:
    doc = shopify_order()
    doc["cancelled_at"] = "2008-01-11T11:00:00-05:00"
    assert shopify.order_to_canonical(doc).purpose is OrderPurpose.CANCELLATION


def test_every_unmappable_field_is_named_with_its_path() -> None:
    doc = shopify_order()
    doc["line_items"][1]["quantity"] = "two"
    doc["line_items"][0]["sku"] = None
    doc["created_at"] = "2008-01-10T11:00:00"
    doc["line_items"][1]["tax_lines"][0]["price"] = {"amount": 1}

    with pytest.raises(MappingError) as caught:
        shopify.order_to_canonical(doc)

    where = dict(caught.value.errors)
    assert "created_at" in where and "UTC offset" in where["created_at"]
    assert "line_items[1].quantity" in where
    assert "line_items[0].sku" in where
    assert "line_items[1].tax_lines[0].price" in where
    assert caught.value.key == "450789469"
    assert "line_items[1].quantity" in str(caught.value)


def test_not_an_object_and_no_lines_are_mapping_errors() -> None:
    with pytest.raises(MappingError):
        shopify.order_to_canonical([1, 2])
    doc = shopify_order()
    doc["line_items"] = []
    with pytest.raises(MappingError) as caught:
        shopify.order_to_canonical(doc)
    assert caught.value.errors[0][0] == "line_items"


def test_unknown_currency_is_reported_on_the_canonical_path() -> None:
    doc = shopify_order()
    doc["currency"] = "XYZ"
    with pytest.raises(MappingError) as caught:
        shopify.order_to_canonical(doc)
    assert caught.value.errors[0][0] == "canonical.currency"


def test_redacted_order_keeps_no_customer_pii() -> None:
    dumped = str(redact(shopify.order_to_canonical(shopify_order()).model_dump(mode="json")))
    for pii in ("Bob", "Norman", "Chestnut", "bob.norman", "459-2181"):
        assert pii not in dumped


def _shipment(partial: bool = False) -> Shipment:
    return Shipment(
        shipment_id="SH-1",
        shipped_at=datetime(2024, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
        carrier_scac="UPSN",
        carrier_name="UPS",
        tracking_numbers=["1Z999AA10123456784"],
        orders=[
            ShipmentOrder(
                order_ref="450789469",
                packages=[
                    Package(
                        tracking_number="1Z999AA10123456784",
                        lines=[ShipmentLine(line_number="466157049", sku="IPOD2008GREEN", quantity_shipped=1)],
                    )
                ],
                lines=[ShipmentLine(line_number="518995019", sku="IPOD2008RED", quantity_shipped=2)],
            )
        ],
        partial=partial,
    )


def test_fulfillment_uses_fulfillment_order_line_ids_and_tracking() -> None:
    body = shopify.fulfillment_payload(
        _shipment(), fulfillment_order_id="1046000778", fulfillment_line_ids={"466157049": 1, "518995019": "22"}
    )
    group = body["fulfillment"]["line_items_by_fulfillment_order"][0]
    assert group["fulfillment_order_id"] == 1046000778
    assert sorted((i["id"], i["quantity"]) for i in group["fulfillment_order_line_items"]) == [(1, 1), (22, 2)]
    assert body["fulfillment"]["tracking_info"] == {"number": "1Z999AA10123456784", "company": "UPS"}


def test_complete_shipment_without_line_ids_fulfils_the_whole_fulfillment_order() -> None:
    body = shopify.fulfillment_payload(_shipment(), fulfillment_order_id=7)
    assert "fulfillment_order_line_items" not in body["fulfillment"]["line_items_by_fulfillment_order"][0]


def test_partial_shipment_needs_line_ids_and_unknown_lines_are_named() -> None:
    with pytest.raises(MappingError, match="fulfillment_line_ids"):
        shopify.fulfillment_payload(_shipment(partial=True), fulfillment_order_id=7)
    with pytest.raises(MappingError) as caught:
        shopify.fulfillment_payload(_shipment(), fulfillment_order_id=7, fulfillment_line_ids={"466157049": 1})
    assert caught.value.errors[0][0].endswith("line_number")


def test_inventory_level_set_payload_and_fractional_quantity() -> None:
    level = InventoryLevel(
        sku="IPOD2008GREEN", location="DC1", on_hand=12, available=10, as_of=datetime(2024, 3, 1, tzinfo=UTC)
    )
    assert shopify.inventory_level_payload(level, inventory_item_id="808950810", location_id=655441491) == {
        "location_id": 655441491,
        "inventory_item_id": 808950810,
        "available": 10,
    }
    half = level.model_copy(update={"available": Decimal("2.5")})
    with pytest.raises(MappingError, match="available"):
        shopify.inventory_level_payload(half, inventory_item_id=1, location_id=2)


def test_a_line_price_with_more_places_than_canonical_money_is_a_mapping_error() -> None:
    doc = shopify_order()
    doc["line_items"][0]["price"] = "1.123456"
    with pytest.raises(MappingError) as caught:
        order_to_canonical("shopify", doc)
    assert caught.value.errors == [("OrderLine.unit_price", "Decimal input should have no more than 4 decimal places")]


def test_an_update_is_a_change_of_the_whole_order_at_current_quantities() -> None:
    # Given an order edit that took one unit off the second line and removed the first
    doc = shopify_order()
    doc["line_items"][0]["current_quantity"] = 0
    doc["line_items"][1]["current_quantity"] = 1
    # When orders/updated carries it
    order = shopify.order_to_canonical(doc, topic="orders/updated")
    # Then it is a change of the whole order as it stands, the removed line kept at 0
    assert order.purpose is OrderPurpose.CHANGE and order.line_changes_only is False
    assert [(line.line_number, line.quantity) for line in order.lines] == [("466157049", 0), ("518995019", 1)]
    assert order.updated_at == datetime(2008, 1, 10, 16, 5, tzinfo=UTC)


def test_an_original_leaves_out_lines_already_removed_and_all_removed_is_a_cancellation() -> None:
    doc = shopify_order()
    doc["line_items"][0]["current_quantity"] = 0
    order = shopify.order_to_canonical(doc, topic="orders/create")
    assert order.purpose is OrderPurpose.ORIGINAL and [line.line_number for line in order.lines] == ["518995019"]
    doc["line_items"][1]["current_quantity"] = 0
    cancelled = shopify.order_to_canonical(doc, topic="orders/updated")
    assert cancelled.purpose is OrderPurpose.CANCELLATION
    assert [line.quantity for line in cancelled.lines] == [1, 2]  # what was ordered, and is now cancelled


def test_a_cancellation_names_its_lines_as_ordered_and_its_time() -> None:
    doc = shopify_order() | {"cancelled_at": "2008-01-11T11:00:00-05:00", "updated_at": None}
    order = shopify.order_to_canonical(doc, topic="orders/cancelled")
    assert order.purpose is OrderPurpose.CANCELLATION
    assert order.updated_at == datetime(2008, 1, 11, 16, 0, tzinfo=UTC)  # cancelled_at when no updated_at


def test_a_change_needs_its_as_of_time_and_a_sane_current_quantity() -> None:
    doc = shopify_order() | {"updated_at": None}
    doc["line_items"][0]["current_quantity"] = 5
    with pytest.raises(MappingError) as caught:
        shopify.order_to_canonical(doc, topic="orders/updated")
    paths = dict(caught.value.errors)
    assert "updated_at" in paths
    assert "more than the quantity ordered" in paths["line_items[0].current_quantity"]


def test_a_topic_that_is_no_order_is_refused_by_the_mapping() -> None:
    with pytest.raises(MappingError, match="X-Shopify-Topic"):
        shopify.order_to_canonical(shopify_order(), topic="app/uninstalled")
    with pytest.raises(MappingError) as caught:  # the unsigned topic alone cancels nothing
        shopify.order_to_canonical(shopify_order(), topic="orders/cancelled")
    assert dict(caught.value.errors) == {"cancelled_at": "is required"}
    assert shopify.handles("orders/updated") and not shopify.handles("refunds/create")
