from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from crossdock.canonical import Package, PartyRole, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.marketplaces import amazon, order_to_canonical
from crossdock.canonical.order import Channel, OrderPurpose
from crossdock.errors import MappingError
from tests.unit.rest.samples import amazon_items, amazon_order


def test_order_with_items_maps_unit_prices_taxes_promotions_and_shipping() -> None:
    order = amazon.order_to_canonical(amazon_order(), amazon_items())

    assert order.channel is Channel.AMAZON
    assert order.external_id == "902-3159896-1390916"
    assert order.ordered_at == datetime(2017, 1, 20, 19, 49, 35, tzinfo=UTC)
    assert order.requested_ship_date == date(2017, 1, 25)
    assert order.requested_delivery_date == date(2017, 1, 31)
    first, second = order.lines
    assert first.line_number == "05015851154158"
    assert first.sku == "NABetaASINB00551Q3CS"
    assert first.buyer_part_number == "B00551Q3CS"
    assert first.quantity == 2
    assert first.unit_price == Decimal("19.99")  # ItemPrice is the total for the quantity
    assert first.taxes[0].amount == Decimal("3.20")
    assert (first.discounts[0].code, first.discounts[0].amount) == ("PROMO-1", Decimal("2.00"))
    assert second.unit_price == Decimal("12.99") and second.discounts == []
    assert order.totals is not None
    assert order.totals.shipping == Decimal("5.99")
    assert order.totals.total == Decimal("52.97")
    assert [t.kind for t in order.taxes] == ["shipping"]
    assert order.references["MarketplaceId"] == "ATVPDKIKX0DER"
    assert order.shipping_method is not None and order.shipping_method.service_level == "Standard"
    ship_to = order.party(PartyRole.SHIP_TO)
    assert ship_to is not None and ship_to.address is not None and ship_to.address.region == "WA"
    buyer = order.party(PartyRole.BUYER)
    assert buyer is not None and buyer.email == "jane@marketplace.amazon.example"


def test_document_shapes_accepted_by_translate() -> None:
    paired = {"Order": amazon_order(), "OrderItems": amazon_items()}
    embedded = {"payload": {**amazon_order(), "OrderItems": amazon_items()}}
    assert order_to_canonical("amazon", paired) == order_to_canonical("amazon", embedded)


def test_order_without_items_is_refused_with_the_field_named() -> None:
    with pytest.raises(MappingError) as caught:
        amazon.document_to_canonical(amazon_order())
    assert caught.value.errors == [("OrderItems", "is required: the order's getOrderItems list")]


def test_canceled_order_is_a_cancellation_even_with_zero_quantities() -> None:
    doc = amazon_order()
    doc["OrderStatus"] = "Canceled"
    items = amazon_items()
    items[1]["QuantityOrdered"] = 0
    del items[1]["ItemPrice"]
    order = amazon.order_to_canonical(doc, items)
    assert order.purpose is OrderPurpose.CANCELLATION
    assert order.lines[1].quantity == 0 and order.lines[1].unit_price is None


def test_field_errors_name_item_paths_and_currency_mismatch() -> None:
    items = amazon_items()
    items[1]["QuantityOrdered"] = -1
    items[0]["ItemPrice"]["CurrencyCode"] = "EUR"
    items[0]["ItemTax"]["Amount"] = "abc"
    doc = amazon_order()
    del doc["PurchaseDate"]

    with pytest.raises(MappingError) as caught:
        amazon.order_to_canonical(doc, items)

    where = dict(caught.value.errors)
    assert where["PurchaseDate"] == "is required"
    assert "OrderItems[1].QuantityOrdered" in where
    assert "EUR" in where["OrderItems[0].ItemPrice.CurrencyCode"]
    assert "OrderItems[0].ItemTax.Amount" in where


def _shipment() -> Shipment:
    return Shipment(
        shipment_id="SH-9",
        shipped_at=datetime(2024, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=-5))),
        carrier_scac="FDEG",
        service_level="Ground",
        tracking_numbers=["TRK-LOOSE"],
        orders=[
            ShipmentOrder(
                order_ref="902-3159896-1390916",
                packages=[
                    Package(
                        tracking_number="794611111111",
                        lines=[ShipmentLine(line_number="05015851154158", quantity_shipped=2)],
                    )
                ],
                lines=[ShipmentLine(line_number="63918803000870", quantity_shipped=1)],
            )
        ],
    )


def test_shipment_confirmation_one_package_detail_per_package() -> None:
    calls = amazon.shipment_confirmations(_shipment(), marketplace_id="ATVPDKIKX0DER")

    assert [c.order_id for c in calls] == ["902-3159896-1390916"] * 2
    first = calls[0].body
    assert first["marketplaceId"] == "ATVPDKIKX0DER"
    detail = first["packageDetail"]
    assert detail == {
        "packageReferenceId": amazon.package_reference_id("902-3159896-1390916", "794611111111"),
        "carrierCode": "FedEx",
        "trackingNumber": "794611111111",
        "shipDate": "2024-03-01T15:00:00Z",
        "orderItems": [{"orderItemId": "05015851154158", "quantity": 2}],
        "shippingMethod": "Ground",
    }
    assert calls[1].body["packageDetail"]["trackingNumber"] == "TRK-LOOSE"
    second = calls[1].body["packageDetail"]["packageReferenceId"]
    assert second == amazon.package_reference_id("902-3159896-1390916", "TRK-LOOSE")
    assert second != detail["packageReferenceId"]


def test_a_package_reference_id_is_positive_numeric_and_stable_per_order_and_tracking_number() -> None:
    # Amazon takes a confirmation with a packageReferenceId it knows as an edit of that package: the same
    # package sent again must carry the same id, another package (a partial shipment) another
    ids = {amazon.package_reference_id(order, tracking) for order in ("A", "B") for tracking in ("1Z1", "1Z2")}
    assert len(ids) == 4
    assert all(i.isdigit() and int(i) > 0 for i in ids)
    assert amazon.package_reference_id("A", "1Z1") == amazon.package_reference_id("A", "1Z1")


def test_unknown_carrier_is_other_with_a_name() -> None:
    shipment = _shipment().model_copy(update={"carrier_scac": None, "carrier_name": "Acme Freight"})
    detail = amazon.shipment_confirmations(shipment, marketplace_id="M")[0].body["packageDetail"]
    assert (detail["carrierCode"], detail["carrierName"]) == ("Other", "Acme Freight")


def test_confirmation_needs_ship_date_carrier_and_order_ids() -> None:
    shipment = _shipment().model_copy(update={"shipped_at": None, "carrier_scac": None})
    with pytest.raises(MappingError) as caught:
        amazon.shipment_confirmations(shipment, marketplace_id="M")
    assert {"shipped_at", "carrier_scac"} <= dict(caught.value.errors).keys()


def test_each_polled_version_says_what_it_is_and_as_of_when() -> None:
    # An order as placed: an original, as of its LastUpdateDate
    order = amazon.order_to_canonical(amazon_order(), amazon_items())
    assert order.purpose is OrderPurpose.ORIGINAL
    assert order.updated_at == datetime(2017, 1, 20, 19, 49, 35, tzinfo=UTC)
    # One item cancelled (QuantityOrdered 0): a change of the whole order, that item at 0
    items = amazon_items()
    items[0]["QuantityOrdered"] = 0
    changed = amazon.order_to_canonical(amazon_order() | {"LastUpdateDate": "2017-01-21T08:00:00Z"}, items)
    assert changed.purpose is OrderPurpose.CHANGE and changed.line_changes_only is False
    assert [line.quantity for line in changed.lines] == [0, 1]
    assert changed.updated_at == datetime(2017, 1, 21, 8, 0, tzinfo=UTC)
    # Every item at 0 without the Canceled status is a cancellation all the same
    items[1]["QuantityOrdered"] = 0
    assert amazon.order_to_canonical(amazon_order(), items).purpose is OrderPurpose.CANCELLATION
