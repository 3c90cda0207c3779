from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import InventoryLevel, Package, PartyRole, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.marketplaces import order_to_canonical, walmart
from crossdock.canonical.order import Channel, OrderPurpose
from crossdock.errors import MappingError
from tests.unit.rest.samples import walmart_order


def test_order_maps_epoch_dates_charges_and_ship_to() -> None:
    order = walmart.order_to_canonical(walmart_order())

    assert order.channel is Channel.WALMART
    assert order.external_id == "1796277083022"
    assert order.ordered_at == datetime.fromtimestamp(1568466571, tz=UTC)
    assert order.requested_ship_date == date(2019, 9, 17)
    assert order.references == {"customer_order_id": "5281956426648"}
    first, second = order.lines
    assert (first.line_number, first.sku, first.unit_of_measure) == ("4", "test1", "EA")
    assert first.unit_price == Decimal("10")
    assert (first.taxes[0].kind, first.taxes[0].amount) == ("Tax1", Decimal("0.8"))
    assert second.quantity == 2 and second.unit_price == Decimal("14.99")
    assert order.totals is not None and order.totals.shipping == Decimal("2.5")
    assert [(t.kind, t.amount) for t in order.taxes] == [("shipping", Decimal("0.2"))]
    ship_to = order.party(PartyRole.SHIP_TO)
    assert ship_to is not None and ship_to.address is not None
    assert (ship_to.address.country, ship_to.address.postal_code) == ("US", "13164")
    assert order.shipping_method is not None and order.shipping_method.service_level == "Value"


def test_wrappers_are_accepted() -> None:
    assert order_to_canonical("walmart", {"order": walmart_order()}).external_id == "1796277083022"
    page = {"list": {"meta": {"totalCount": 1}, "elements": {"order": [walmart_order()]}}}
    assert order_to_canonical("walmart", page).external_id == "1796277083022"


def test_all_lines_cancelled_is_a_cancellation() -> None:
    doc = walmart_order()
    for line in doc["orderLines"]["orderLine"]:
        line["orderLineStatuses"] = {"orderLineStatus": [{"status": "Cancelled"}]}
    assert walmart.order_to_canonical(doc).purpose is OrderPurpose.CANCELLATION


def test_field_errors_name_walmart_paths() -> None:
    doc = walmart_order()
    line = doc["orderLines"]["orderLine"][1]
    line["orderLineQuantity"]["amount"] = "-1"
    line["item"]["sku"] = ""
    doc["orderLines"]["orderLine"][0]["charges"]["charge"][0]["chargeType"] = "GIFTWRAP"
    doc["orderLines"]["orderLine"][0]["orderLineQuantity"]["unitOfMeasurement"] = "PALLET"

    with pytest.raises(MappingError) as caught:
        walmart.order_to_canonical(doc)

    where = dict(caught.value.errors)
    assert "orderLines.orderLine[1].orderLineQuantity.amount" in where
    assert "orderLines.orderLine[1].item.sku" in where
    assert "GIFTWRAP" in where["orderLines.orderLine[0].charges.charge[0].chargeType"]
    assert "PALLET" in where["orderLines.orderLine[0].orderLineQuantity.unitOfMeasurement"]


def _shipment() -> Shipment:
    return Shipment(
        shipment_id="SH-3",
        shipped_at=datetime(2024, 3, 1, 15, 0, tzinfo=UTC),
        carrier_scac="UPSN",
        service_level="Value",
        orders=[
            ShipmentOrder(
                po_number="1796277083022",
                packages=[
                    Package(tracking_number="1Z1", lines=[ShipmentLine(line_number="4", quantity_shipped=1)]),
                    Package(tracking_number="1Z2", lines=[ShipmentLine(line_number="5", quantity_shipped=2)]),
                ],
            )
        ],
    )


def test_shipping_update_body_per_purchase_order() -> None:
    (update,) = walmart.shipping_updates(_shipment())

    assert update.purchase_order_id == "1796277083022"
    lines = update.body["orderShipment"]["orderLines"]["orderLine"]
    assert [line["lineNumber"] for line in lines] == ["4", "5"]
    status = lines[1]["orderLineStatuses"]["orderLineStatus"][0]
    assert status["status"] == "Shipped"
    assert status["statusQuantity"] == {"unitOfMeasurement": "EACH", "amount": "2"}
    assert status["trackingInfo"] == {
        "shipDateTime": 1709305200000,
        "carrierName": {"carrier": "UPS"},
        "methodCode": "Value",
        "trackingNumber": "1Z2",
    }


def test_shipping_update_needs_tracking_and_line_numbers() -> None:
    shipment = Shipment(
        shipment_id="SH-4",
        shipped_at=datetime(2024, 3, 1, tzinfo=UTC),
        carrier_scac="UPSN",
        orders=[ShipmentOrder(po_number="1", lines=[ShipmentLine(sku="A", quantity_shipped=1)])],
    )
    with pytest.raises(MappingError) as caught:
        walmart.shipping_updates(shipment)
    assert caught.value.errors[0][0].endswith("line_number")


def test_inventory_payload() -> None:
    level = InventoryLevel(sku="test1", location="DC1", on_hand=5, available=4, as_of=datetime(2024, 1, 1, tzinfo=UTC))
    assert walmart.inventory_payload(level) == {"sku": "test1", "quantity": {"unit": "EACH", "amount": 4}}


def test_subscription_discount_charge_is_a_line_discount() -> None:
    doc = walmart_order()
    doc["orderLines"]["orderLine"][0]["charges"]["charge"].append(
        {
            "chargeType": "PRODUCT",
            "chargeName": "SubscriptionDiscount",
            "chargeAmount": {"currency": "USD", "amount": -1.5},
        }
    )
    line = walmart.order_to_canonical(doc).lines[0]
    assert line.unit_price == Decimal("10") and [d.amount for d in line.discounts] == [Decimal("1.5")]


def test_other_carrier_needs_a_tracking_url() -> None:
    shipment = _shipment().model_copy(update={"carrier_scac": None, "carrier_name": "Acme Courier"})
    with pytest.raises(MappingError) as caught:
        walmart.shipping_updates(shipment)
    assert caught.value.errors[0][0] == "references.tracking_url"
    with_url = shipment.model_copy(update={"references": {"tracking_url": "https://acme.example/t/1Z1"}})
    info = walmart.shipping_updates(with_url)[0].body["orderShipment"]["orderLines"]["orderLine"][0]
    tracking = info["orderLineStatuses"]["orderLineStatus"][0]["trackingInfo"]
    assert tracking["carrierName"] == {"otherCarrier": "Acme Courier"}
    assert tracking["trackingURL"] == "https://acme.example/t/1Z1"


def test_a_partly_cancelled_line_is_a_change_at_current_quantities_as_of_the_latest_status() -> None:
    # Given one of the two units of line 5 cancelled, a day after the order's last status
    doc = walmart_order()
    line = doc["orderLines"]["orderLine"][1]
    line["statusDate"] = 1568553047000
    line["orderLineStatuses"]["orderLineStatus"] = [
        {"status": "Acknowledged", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}},
        {"status": "Cancelled", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
         "cancellationReason": "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"},
    ]  # fmt: skip
    order = walmart.order_to_canonical(doc)
    assert order.purpose is OrderPurpose.CHANGE and order.line_changes_only is False
    assert [(line.line_number, line.quantity) for line in order.lines] == [("4", 1), ("5", 1)]
    assert order.lines[1].unit_price == Decimal("14.99")  # still the price of one unit
    assert order.updated_at == datetime.fromtimestamp(1568553047, tz=UTC)
    # And when the other line is cancelled whole, line 4 is at 0
    doc["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"] = [{"status": "Cancelled"}]
    assert [line.quantity for line in walmart.order_to_canonical(doc).lines] == [0, 1]


def test_an_order_as_placed_is_an_original_as_of_its_latest_status() -> None:
    order = walmart.order_to_canonical(walmart_order())
    assert order.purpose is OrderPurpose.ORIGINAL
    assert order.updated_at == datetime.fromtimestamp(1568466647, tz=UTC)
