"""Walmart Marketplace Orders API (US, v3): an order (``GET /v3/orders`` ``list.elements.order[]``) to a
canonical :class:`Order`; a canonical :class:`Shipment` to ``POST /v3/orders/{purchaseOrderId}/shipping``
bodies; an :class:`InventoryLevel` to ``PUT /v3/inventory?sku=``.

Walmart times are epoch milliseconds; a ``PRODUCT`` charge is the line's total for its quantity. Pure.

Every version polled is the order as it now stands, as of its latest line ``statusDate`` (else its
``orderDate``): a line's current quantity is its ``orderLineQuantity`` less its ``Cancelled`` statuses'
quantities (a ``Cancelled`` status without a quantity cancels the whole line). Every line at 0 is a
cancellation (lines as ordered); some quantity cancelled a change of the whole order
(``line_changes_only`` False, lines at their current quantity, a cancelled line at 0); else an original.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from crossdock.canonical.inventory import InventoryLevel
from crossdock.canonical.marketplaces.fields import FieldReader, build, join, require_object
from crossdock.canonical.order import Channel, Discount, Order, OrderLine, OrderPurpose, ShippingMethod, Tax, Totals
from crossdock.canonical.party import Address, Party, PartyRole
from crossdock.canonical.shipment import Shipment, ShipmentLine
from crossdock.errors import MappingError

WHAT = "Walmart order"
UNIT_PLACES = Decimal("0.0001")
UNITS = {"EACH": "EA", "EA": "EA", "CASE": "CA", "PACK": "PK", "POUND": "LB"}
COUNTRIES = {"USA": "US", "CAN": "CA", "MEX": "MX", "US": "US"}
CARRIERS = {
    "UPSN": "UPS",
    "UPS": "UPS",
    "USPS": "USPS",
    "FDEG": "FedEx",
    "FDXE": "FedEx",
    "FEDX": "FedEx",
    "FEDEX": "FedEx",
    "ONTRAC": "OnTrac",
    "EMSY": "OnTrac",
    "LSO": "LSO",
    "LASERSHIP": "LS",
    "DHL": "DHL Ecommerce - US",
}
"""SCAC or carrier name → Walmart's carrier enumeration; others go as otherCarrier (which needs a URL)."""
TRACKING_URL = "tracking_url"
"""The Shipment ``references`` key holding the carrier tracking URL (the canonical Shipment has no field)."""
METHOD_CODES = {"Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value"}


def order_to_canonical(document: Any) -> Order:
    """Map one Walmart order (bare, ``{"order": {...}}`` as ``GET /v3/orders/{id}`` returns it, or a
    one-order ``{"list": ...}`` page) to a canonical Order."""
    doc = require_object(document, WHAT)
    if isinstance(doc.get("order"), Mapping):
        doc = doc["order"]
    elif isinstance(doc.get("list"), Mapping):
        found = doc["list"].get("elements", {}).get("order", [])
        if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], Mapping):
            raise MappingError(f"cannot map {WHAT}", [("list.elements.order", "must hold exactly one order")])
        doc = found[0]
    r = FieldReader()
    po_id = r.text(doc, "", "purchaseOrderId", required=True)
    ordered_at = r.timestamp(doc, "", "orderDate", required=True)
    info = r.obj(doc, "", "shippingInfo", required=True)
    currencies: set[str] = set()
    shipping = Decimal(0)
    order_taxes: list[Tax] = []
    lines: list[OrderLine] = []
    current: list[Decimal] = []
    changed_at = [ordered_at] if ordered_at else []
    raw_lines = r.items(r.obj(doc, "", "orderLines", required=True), "orderLines", "orderLine", required=True)
    for i, raw in enumerate(raw_lines):
        path = join("orderLines.orderLine", i)
        if not isinstance(raw, Mapping):
            r.problem(path, "must be an object")
            continue
        line, line_shipping, ship_taxes = _line(r, raw, path, currencies)
        shipping += line_shipping
        order_taxes += ship_taxes
        status_date = r.timestamp(raw, path, "statusDate")
        changed_at += [status_date] if status_date else []
        cancelled = _cancelled(r, raw, path)
        if line is not None and cancelled is not None:
            lines.append(line)
            current.append(max(line.quantity - cancelled, Decimal(0)) if cancelled is not ALL else Decimal(0))
    if not raw_lines and not r.errors:
        r.problem("orderLines.orderLine", "an order needs at least one line")
    if len(currencies) > 1:
        r.problem("orderLines", f"charges use more than one currency: {', '.join(sorted(currencies))}")
    ship_date = r.timestamp(info, "shippingInfo", "estimatedShipDate")
    delivery_date = r.timestamp(info, "shippingInfo", "estimatedDeliveryDate")
    ship_to = _ship_to(r, info, doc)
    r.raise_if_any(WHAT, key=po_id)
    email = doc.get("customerEmailId")
    parties = [ship_to] if ship_to else []
    if email:
        parties.append(Party(role=PartyRole.BUYER, email=str(email)))
    references = {"customer_order_id": str(doc["customerOrderId"])} if doc.get("customerOrderId") else {}
    method = info.get("methodCode")
    if all(quantity == 0 for quantity in current):
        purpose = OrderPurpose.CANCELLATION
    elif any(quantity < line.quantity for quantity, line in zip(current, lines, strict=True)):
        purpose = OrderPurpose.CHANGE
        lines = [line.model_copy(update={"quantity": q}) for q, line in zip(current, lines, strict=True)]
    else:
        purpose = OrderPurpose.ORIGINAL
    return build(
        Order,
        WHAT,
        po_id,
        channel=Channel.WALMART,
        external_id=po_id,
        purpose=purpose,
        ordered_at=ordered_at,
        updated_at=max(changed_at) if changed_at else None,
        requested_ship_date=ship_date.date() if ship_date else None,
        requested_delivery_date=delivery_date.date() if delivery_date else None,
        currency=next(iter(currencies), "USD"),
        parties=parties,
        lines=lines,
        shipping_method=ShippingMethod(service_level=str(method)) if method else None,
        taxes=order_taxes,
        totals=Totals(shipping=shipping),
        references=references,
    )


ALL = Decimal("Infinity")
"""A ``Cancelled`` status without a quantity: the whole line is cancelled."""


def _cancelled(r: FieldReader, raw: Mapping[str, Any], path: str) -> Decimal | None:
    """How much of the line its ``Cancelled`` statuses cancel (:data:`ALL`: the whole line)."""
    base = join(path, "orderLineStatuses")
    total = Decimal(0)
    for i, status in enumerate(r.items(r.obj(raw, path, "orderLineStatuses"), base, "orderLineStatus")):
        if not isinstance(status, Mapping) or status.get("status") != "Cancelled":
            continue
        quantity = r.obj(status, join(join(base, "orderLineStatus"), i), "statusQuantity")
        if not quantity:
            return ALL
        amount = r.quantity(quantity, join(join(join(base, "orderLineStatus"), i), "statusQuantity"), "amount")
        if amount is None:
            return None
        total += amount
    return total


def _amount(r: FieldReader, parent: Mapping[str, Any], base: str, key: str, currencies: set[str]) -> Decimal | None:
    money = r.obj(parent, base, key, required=True)
    path = join(base, key)
    code = r.text(money, path, "currency", required=True)
    if code:
        currencies.add(code.upper())
    return r.decimal(money, path, "amount", required=True)


def _line(
    r: FieldReader, raw: Mapping[str, Any], path: str, currencies: set[str]
) -> tuple[OrderLine | None, Decimal, list[Tax]]:
    before = len(r.errors)
    number = r.text(raw, path, "lineNumber", required=True)
    item = r.obj(raw, path, "item", required=True)
    sku = r.text(item, join(path, "item"), "sku", required=True)
    qty_obj = r.obj(raw, path, "orderLineQuantity", required=True)
    qty_path = join(path, "orderLineQuantity")
    quantity = r.quantity(qty_obj, qty_path, "amount")
    unit_text = r.text(qty_obj, qty_path, "unitOfMeasurement") or "EACH"
    unit = UNITS.get(unit_text.upper())
    if unit is None:
        r.problem(join(qty_path, "unitOfMeasurement"), f"unknown unit {unit_text!r}; known: {', '.join(UNITS)}")
    product_total: Decimal | None = None
    discounts: list[Discount] = []
    shipping = Decimal(0)
    line_taxes: list[Tax] = []
    ship_taxes: list[Tax] = []
    charges = r.items(r.obj(raw, path, "charges"), join(path, "charges"), "charge")
    for c, charge in enumerate(charges):
        c_path = join(join(path, "charges.charge"), c)
        if not isinstance(charge, Mapping):
            r.problem(c_path, "must be an object")
            continue
        kind = r.text(charge, c_path, "chargeType", required=True)
        amount = _amount(r, charge, c_path, "chargeAmount", currencies)
        tax_obj = r.obj(charge, c_path, "tax")
        tax = _amount(r, tax_obj, join(c_path, "tax"), "taxAmount", currencies) if tax_obj else None
        tax_name = r.text(tax_obj, join(c_path, "tax"), "taxName") if tax_obj else None
        name = r.text(charge, c_path, "chargeName")
        if kind == "PRODUCT" and (name == "SubscriptionDiscount" or (amount is not None and amount < 0)):
            # A discount rides as a PRODUCT charge (subscription orders); the amount taken off is positive.
            if amount:
                discounts.append(Discount(description=name or "discount", amount=abs(amount)))
            if tax:
                line_taxes.append(Tax(kind=tax_name or "sales", amount=tax))
        elif kind == "PRODUCT":
            product_total = (product_total or Decimal(0)) + (amount or Decimal(0))
            if tax:
                line_taxes.append(Tax(kind=tax_name or "sales", amount=tax))
        elif kind == "SHIPPING":
            shipping += amount or Decimal(0)
            if tax:
                ship_taxes.append(Tax(kind="shipping", amount=tax))
        elif kind is not None:
            r.problem(join(c_path, "chargeType"), f"unknown charge type {kind!r}; expected PRODUCT or SHIPPING")
    if len(r.errors) > before or number is None or quantity is None or unit is None:
        return None, shipping, ship_taxes
    line = OrderLine(
        line_number=number,
        sku=sku,
        description=r.text(item, join(path, "item"), "productName"),
        quantity=quantity,
        unit_of_measure=unit,
        unit_price=(product_total / quantity).quantize(UNIT_PLACES) if product_total is not None else None,
        discounts=discounts,
        taxes=line_taxes,
    )
    return line, shipping, ship_taxes


def _ship_to(r: FieldReader, info: Mapping[str, Any], doc: Mapping[str, Any]) -> Party | None:
    addr = r.obj(info, "shippingInfo", "postalAddress")
    if not addr:
        return None
    base = "shippingInfo.postalAddress"
    country = r.text(addr, base, "country")
    return Party(
        role=PartyRole.SHIP_TO,
        name=r.text(addr, base, "name"),
        address=Address(
            lines=[line for line in (r.text(addr, base, "address1"), r.text(addr, base, "address2")) if line],
            city=r.text(addr, base, "city"),
            region=r.text(addr, base, "state"),
            postal_code=r.text(addr, base, "postalCode"),
            country=COUNTRIES.get(country.upper(), country) if country else None,
        ),
        phone=r.text(info, "shippingInfo", "phone"),
    )


@dataclass(frozen=True)
class ShippingUpdate:
    """One ``POST /v3/orders/{purchase_order_id}/shipping`` call."""

    purchase_order_id: str
    body: dict[str, Any]


def shipping_updates(shipment: Shipment) -> list[ShippingUpdate]:
    """One shipping update per order in the shipment; each line's ``line_number`` is Walmart's lineNumber."""
    errors: list[tuple[str, str]] = []
    if shipment.shipped_at is None:
        errors.append(("shipped_at", "is required: Walmart needs shipDateTime"))
    carrier = shipment.carrier_scac or shipment.carrier_name
    if not carrier:
        errors.append(("carrier_scac", "is required: Walmart needs a carrier"))
    elif carrier.upper() not in CARRIERS and not shipment.references.get(TRACKING_URL):
        errors.append(
            (f"references.{TRACKING_URL}", f"is required: Walmart takes {carrier!r} as otherCarrier only with a URL")
        )
    out = []
    for o, order in enumerate(shipment.orders):
        po_id = order.po_number or order.order_ref
        if not po_id:
            errors.append((f"orders[{o}].po_number", "is required: the Walmart purchaseOrderId"))
            continue
        default_tracking = shipment.tracking_numbers[0] if shipment.tracking_numbers else None
        groups: list[tuple[str | None, list[ShipmentLine]]] = [(p.tracking_number, p.lines) for p in order.packages]
        groups.append((default_tracking, order.lines))
        order_lines = []
        for g, (tracking, lines) in enumerate(groups):
            for i, line in enumerate(lines):
                path = f"orders[{o}].lines[{g}.{i}]"
                if not line.line_number:
                    errors.append((join(path, "line_number"), "is required: the Walmart lineNumber"))
                    continue
                if not tracking:
                    errors.append((join(path, "tracking_number"), "is required: no package or shipment tracking"))
                    continue
                if line.quantity_shipped != line.quantity_shipped.to_integral_value():
                    errors.append((join(path, "quantity_shipped"), f"must be whole, got {line.quantity_shipped}"))
                    continue
                if errors or shipment.shipped_at is None or carrier is None:
                    continue
                order_lines.append(_ship_line(shipment, line, tracking, carrier))
        if order_lines:
            out.append(ShippingUpdate(po_id, {"orderShipment": {"orderLines": {"orderLine": order_lines}}}))
    if errors:
        raise MappingError("cannot render Walmart shipping update", errors, key=shipment.shipment_id)
    return out


def _ship_line(shipment: Shipment, line: ShipmentLine, tracking: str, carrier: str) -> dict[str, Any]:
    assert shipment.shipped_at is not None
    known = CARRIERS.get(carrier.upper())
    carrier_name = {"carrier": known} if known else {"otherCarrier": shipment.carrier_name or carrier}
    method = shipment.service_level if shipment.service_level in METHOD_CODES else "Standard"
    tracking_info: dict[str, Any] = {
        "shipDateTime": int(shipment.shipped_at.astimezone(UTC).timestamp() * 1000),
        "carrierName": carrier_name,
        "methodCode": method,
        "trackingNumber": tracking,
    }
    if shipment.references.get(TRACKING_URL):
        tracking_info["trackingURL"] = shipment.references[TRACKING_URL]
    return {
        "lineNumber": line.line_number,
        "orderLineStatuses": {
            "orderLineStatus": [
                {
                    "status": "Shipped",
                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(int(line.quantity_shipped))},
                    "trackingInfo": tracking_info,
                }
            ]
        },
    }


def inventory_payload(level: InventoryLevel) -> dict[str, Any]:
    """The body of ``PUT /v3/inventory?sku=<sku>`` (single item, available quantity in EACH)."""
    if level.available != level.available.to_integral_value():
        raise MappingError(
            "cannot render Walmart inventory", [("available", f"must be whole, got {level.available}")], key=level.sku
        )
    return {"sku": level.sku, "quantity": {"unit": "EACH", "amount": int(level.available)}}
