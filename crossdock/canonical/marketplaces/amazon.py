"""Amazon Selling Partner API, Orders v0: an order (``getOrders`` ``payload.Orders[]`` / ``getOrder``)
plus its items (``getOrderItems`` ``payload.OrderItems``) to a canonical :class:`Order`; a canonical
:class:`Shipment` to ``confirmShipment`` request bodies (``packageDetail``).

Amazon's ``ItemPrice``, ``ItemTax`` and ``PromotionDiscount`` are totals for the line's quantity, not
per unit: the unit price is ``ItemPrice / QuantityOrdered``. Pure: dicts in, models out.

Every version polled is the order as it now stands (``updated_at`` its ``LastUpdateDate``): ``Canceled``
(or every item at 0) is a cancellation; an order with an item at ``QuantityOrdered`` 0 (an item
cancelled) a change of the whole order (``line_changes_only`` False, the item kept at 0); else an
original. Amazon reports no other change to an order's items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from crossdock.canonical.marketplaces.fields import FieldReader, build, join, require_object
from crossdock.canonical.order import (
    Channel,
    Discount,
    Order,
    OrderLine,
    OrderPurpose,
    ShippingMethod,
    Tax,
    Totals,
)
from crossdock.canonical.party import Address, Party, PartyRole
from crossdock.canonical.shipment import Shipment
from crossdock.errors import MappingError

WHAT = "Amazon order"
UNIT_PLACES = Decimal("0.0001")

CARRIER_CODES = {"UPSN": "UPS", "UPS": "UPS", "USPS": "USPS", "FDEG": "FedEx", "FDXE": "FedEx", "FEDX": "FedEx"}
"""SCAC (or carrier name) to Amazon's carrierCode; anything else is sent as ``Other`` with carrierName."""


def document_to_canonical(document: Any) -> Order:
    """Map what the Amazon adapter assembles for one order: either ``{"Order": {...}, "OrderItems": [...]}``
    or an order object carrying its items under ``OrderItems`` (``{"payload": ...}`` wrappers accepted)."""
    doc = require_object(document, WHAT)
    if isinstance(doc.get("payload"), Mapping):
        doc = doc["payload"]
    if isinstance(doc.get("Order"), Mapping):
        items = doc.get("OrderItems")
        return order_to_canonical(doc["Order"], items if isinstance(items, Sequence) else [], items_path="OrderItems")
    items = doc.get("OrderItems")
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise MappingError(f"cannot map {WHAT}", [("OrderItems", "is required: the order's getOrderItems list")])
    return order_to_canonical(doc, items, items_path="OrderItems")


def order_to_canonical(order: Mapping[str, Any], items: Sequence[Any], *, items_path: str = "OrderItems") -> Order:
    r = FieldReader()
    order_id = r.text(order, "", "AmazonOrderId", required=True)
    ordered_at = r.timestamp(order, "", "PurchaseDate", required=True)
    total = r.obj(order, "", "OrderTotal")
    currency = r.text(total, "OrderTotal", "CurrencyCode") or _first_currency(items)
    if currency is None:
        r.problem("OrderTotal.CurrencyCode", "is required (no item price carries a currency either)")
    shipping = Decimal(0)
    order_taxes: list[Tax] = []
    order_discounts: list[Discount] = []
    lines: list[OrderLine] = []
    for i, item in enumerate(items):
        path = join(items_path, i)
        if not isinstance(item, Mapping):
            r.problem(path, "must be an object")
            continue
        line = _line(r, item, path, currency)
        if line is not None:
            lines.append(line)
        shipping += _money(r, item, path, "ShippingPrice", currency) or Decimal(0)
        ship_tax = _money(r, item, path, "ShippingTax", currency)
        if ship_tax:
            order_taxes.append(Tax(kind="shipping", amount=ship_tax))
        ship_discount = _money(r, item, path, "ShippingDiscount", currency)
        if ship_discount:
            order_discounts.append(Discount(description="shipping discount", amount=abs(ship_discount)))
    if not items:
        r.problem(items_path, "an order needs at least one item")
    ship_to = _ship_to(r, order)
    buyer = r.obj(order, "", "BuyerInfo")
    parties = [ship_to] if ship_to else []
    if buyer:
        parties.append(
            Party(
                role=PartyRole.BUYER,
                name=r.text(buyer, "BuyerInfo", "BuyerName"),
                email=r.text(buyer, "BuyerInfo", "BuyerEmail"),
            )
        )
    updated_at = r.timestamp(order, "", "LastUpdateDate")
    latest_ship = r.timestamp(order, "", "LatestShipDate")
    latest_delivery = r.timestamp(order, "", "LatestDeliveryDate")
    order_total = r.decimal(total, "OrderTotal", "Amount")
    r.raise_if_any(WHAT, key=order_id)
    status = str(order.get("OrderStatus", ""))
    references = {
        key: str(order[key])
        for key in ("SellerOrderId", "MarketplaceId", "SalesChannel", "FulfillmentChannel", "OrderStatus")
        if order.get(key) is not None
    }
    service = order.get("ShipmentServiceLevelCategory") or order.get("ShipServiceLevel")
    if status == "Canceled" or all(line.quantity == 0 for line in lines):
        purpose = OrderPurpose.CANCELLATION
    elif any(line.quantity == 0 for line in lines):
        purpose = OrderPurpose.CHANGE  # an item cancelled, the rest of the order stands
    else:
        purpose = OrderPurpose.ORIGINAL
    return build(
        Order,
        WHAT,
        order_id,
        channel=Channel.AMAZON,
        external_id=order_id,
        purpose=purpose,
        order_type=order.get("OrderType"),
        ordered_at=ordered_at,
        updated_at=updated_at,
        requested_ship_date=latest_ship.date() if latest_ship else None,
        requested_delivery_date=latest_delivery.date() if latest_delivery else None,
        currency=currency,
        parties=parties,
        lines=lines,
        shipping_method=ShippingMethod(service_level=str(service)) if service else None,
        discounts=order_discounts,
        taxes=order_taxes,
        totals=Totals(shipping=shipping if items else None, total=order_total),
        references=references,
    )


def _first_currency(items: Sequence[Any]) -> str | None:
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("ItemPrice"), Mapping):
            code = item["ItemPrice"].get("CurrencyCode")
            if isinstance(code, str) and code:
                return code
    return None


def _money(r: FieldReader, parent: Mapping[str, Any], base: str, key: str, currency: str | None) -> Decimal | None:
    """An SP-API ``Money`` object ``{"CurrencyCode": "USD", "Amount": "10.00"}`` in the order's currency."""
    money = r.obj(parent, base, key)
    if not money:
        return None
    path = join(base, key)
    code = r.text(money, path, "CurrencyCode")
    if code and currency and code.upper() != currency.upper():
        r.problem(join(path, "CurrencyCode"), f"is {code} but the order is in {currency}")
        return None
    return r.decimal(money, path, "Amount", required=True)


def _line(r: FieldReader, item: Mapping[str, Any], path: str, currency: str | None) -> OrderLine | None:
    before = len(r.errors)
    item_id = r.text(item, path, "OrderItemId", required=True)
    sku = r.text(item, path, "SellerSKU")
    asin = r.text(item, path, "ASIN")
    if sku is None and asin is None:
        r.problem(join(path, "SellerSKU"), "is required (neither SellerSKU nor ASIN is present)")
    # A cancelled item reports QuantityOrdered 0 (all of them in a Canceled order): a line at 0.
    quantity = r.quantity(item, path, "QuantityOrdered", allow_zero=True)
    price = _money(r, item, path, "ItemPrice", currency)
    tax = _money(r, item, path, "ItemTax", currency)
    promo = _money(r, item, path, "PromotionDiscount", currency)
    if len(r.errors) > before or item_id is None or quantity is None:
        return None
    promo_ids = item.get("PromotionIds")
    code = ",".join(str(p) for p in promo_ids) if isinstance(promo_ids, list) and promo_ids else None
    return OrderLine(
        line_number=item_id,
        sku=sku,
        buyer_part_number=asin,
        description=r.text(item, path, "Title"),
        quantity=quantity,
        unit_price=(price / quantity).quantize(UNIT_PLACES) if price is not None and quantity else None,
        discounts=[Discount(code=code, amount=abs(promo), description="promotion")] if promo else [],
        taxes=[Tax(kind="sales", amount=tax)] if tax else [],
    )


def _ship_to(r: FieldReader, order: Mapping[str, Any]) -> Party | None:
    addr = r.obj(order, "", "ShippingAddress")
    if not addr:
        return None
    base = "ShippingAddress"
    lines = [r.text(addr, base, key) for key in ("AddressLine1", "AddressLine2", "AddressLine3")]
    return Party(
        role=PartyRole.SHIP_TO,
        name=r.text(addr, base, "Name"),
        address=Address(
            lines=[line for line in lines if line],
            city=r.text(addr, base, "City"),
            region=r.text(addr, base, "StateOrRegion"),
            postal_code=r.text(addr, base, "PostalCode"),
            country=r.text(addr, base, "CountryCode"),
        ),
        phone=r.text(addr, base, "Phone"),
    )


@dataclass(frozen=True)
class ShipmentConfirmation:
    """One ``POST /orders/v0/orders/{order_id}/shipmentConfirmation`` call: one package of one order."""

    order_id: str
    body: dict[str, Any]


def package_reference_id(order_id: str, tracking_number: str) -> str:
    """SP-API's packageReferenceId for a package: a positive number, the same for the same order and
    tracking number. Amazon takes a second confirmShipment with a packageReferenceId it knows as an
    edit of that package, so a confirmation sent again (a retried step) changes nothing, while another
    package of the order (a partial shipment) gets its own."""
    digest = hashlib.sha256(f"{order_id}|{tracking_number}".encode()).hexdigest()
    return str(int(digest[:12], 16) or 1)


def shipment_confirmations(shipment: Shipment, *, marketplace_id: str) -> list[ShipmentConfirmation]:
    """One confirmShipment request per order and package. Lines carry the Amazon OrderItemId as their
    ``line_number``; the order id is the shipment order's ``order_ref`` (or ``po_number``)."""
    errors: list[tuple[str, str]] = []
    if shipment.shipped_at is None:
        errors.append(("shipped_at", "is required: Amazon needs the ship date"))
    carrier = shipment.carrier_scac or shipment.carrier_name
    if not carrier:
        errors.append(("carrier_scac", "is required: Amazon needs a carrierCode"))
    out: list[ShipmentConfirmation] = []
    for o, order in enumerate(shipment.orders):
        order_id = order.order_ref or order.po_number
        if not order_id:
            errors.append((f"orders[{o}].order_ref", "is required: the AmazonOrderId"))
            continue
        groups = [(p.tracking_number, p.lines) for p in order.packages if p.lines]
        if order.lines:
            groups.append((shipment.tracking_numbers[0] if shipment.tracking_numbers else None, order.lines))
        for g, (tracking, lines) in enumerate(groups):
            items = []
            for i, line in enumerate(lines):
                path = f"orders[{o}].packages[{g}].lines[{i}]"
                if not line.line_number:
                    errors.append((join(path, "line_number"), "is required: the Amazon OrderItemId"))
                elif line.quantity_shipped != line.quantity_shipped.to_integral_value():
                    errors.append((join(path, "quantity_shipped"), f"must be whole, got {line.quantity_shipped}"))
                else:
                    items.append({"orderItemId": line.line_number, "quantity": int(line.quantity_shipped)})
            if not tracking:
                errors.append((f"orders[{o}].packages[{g}].tracking_number", "is required by confirmShipment"))
                continue
            if errors or carrier is None or shipment.shipped_at is None:
                continue
            code = CARRIER_CODES.get(carrier.upper(), "Other")
            detail: dict[str, Any] = {
                "packageReferenceId": package_reference_id(order_id, tracking),
                "carrierCode": code,
                "trackingNumber": tracking,
                "shipDate": shipment.shipped_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "orderItems": items,
            }
            if code == "Other":
                detail["carrierName"] = shipment.carrier_name or carrier
            if shipment.service_level:
                detail["shippingMethod"] = shipment.service_level
            out.append(ShipmentConfirmation(order_id, {"marketplaceId": marketplace_id, "packageDetail": detail}))
    if errors:
        raise MappingError("cannot render Amazon shipment confirmation", errors, key=shipment.shipment_id)
    return out
