"""Shopify Admin REST: an order object (``GET /orders/{id}.json``, an ``orders/*`` webhook body) to a
canonical :class:`Order`, its purpose told by the webhook topic (:data:`ORDER_TOPICS`); a canonical
:class:`Shipment` to a fulfillment request (fulfillment orders API, ``POST /fulfillments.json``); an
:class:`InventoryLevel` to ``POST /inventory_levels/set.json``.

Pure: dicts in, models out. Lookups Shopify needs but crossdock does not own (fulfillment order ids,
inventory item and location ids) are passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from crossdock.canonical.inventory import InventoryLevel
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

WHAT = "Shopify order"
CREATE = "orders/create"
ORDER_TOPICS: Mapping[str, OrderPurpose] = {
    CREATE: OrderPurpose.ORIGINAL,
    "orders/paid": OrderPurpose.ORIGINAL,
    "orders/updated": OrderPurpose.CHANGE,
    "orders/cancelled": OrderPurpose.CANCELLATION,
}
"""The webhook topics crossdock maps to an order, and the purpose each one gives it. ``orders/paid``
is the same order again (booked once: its key is the channel, the order id and the purpose); any
other topic (``app/uninstalled``, ``customers/*`` ...; the refund and return topics map to return
events) is not an order."""


def handles(topic: str) -> bool:
    """Whether a webhook of ``topic`` carries an order crossdock maps."""
    return topic in ORDER_TOPICS


def order_to_canonical(document: Any, *, topic: str = CREATE) -> Order:
    """Map a Shopify order object (bare, or wrapped as ``{"order": {...}}``) that came with the webhook
    ``topic`` (the ``X-Shopify-Topic`` header, kept with the stored body) to a canonical Order. The
    header is not covered by the signature, so ``orders/cancelled`` needs the body's ``cancelled_at``.

    Every version is the order as it now stands: a line's quantity is its ``current_quantity`` (the
    quantity less what an order edit removed or a refund cancelled) when Shopify sends it.
    ``orders/cancelled``, or any order with ``cancelled_at``, is a cancellation (lines at the quantity
    ordered: what is cancelled); ``orders/updated`` a change of the whole order (``line_changes_only``
    False; a removed line is kept at quantity 0); ``orders/create`` and ``orders/paid`` an original
    (lines at 0 left out). Any version whose lines are all at 0 is a cancellation. ``updated_at`` is
    the version's as-of time (required for a change or cancellation)."""
    if topic not in ORDER_TOPICS:
        raise MappingError(f"cannot map {WHAT}", [("X-Shopify-Topic", f"{topic!r} is not an order topic")])
    doc = require_object(document, WHAT)
    if "order" in doc and isinstance(doc["order"], Mapping):
        doc = doc["order"]
    r = FieldReader()
    order_id = r.text(doc, "", "id", required=True)
    currency = r.text(doc, "", "currency", required=True)
    ordered_at = r.timestamp(doc, "", "created_at", required=True)
    purpose = OrderPurpose.CANCELLATION if doc.get("cancelled_at") else ORDER_TOPICS[topic]
    # The topic header is not signed, the body is: a cancellation must be in the body too, so a body
    # replayed under another topic cannot cancel an order.
    cancelled_at = r.timestamp(doc, "", "cancelled_at", required=topic == "orders/cancelled")
    updated_at = r.timestamp(doc, "", "updated_at", required=purpose is OrderPurpose.CHANGE or (
        purpose is OrderPurpose.CANCELLATION and cancelled_at is None)) or cancelled_at  # fmt: skip
    read = [_line(r, item, join("line_items", i)) for i, item in enumerate(r.items(doc, "", "line_items"))]
    if not read and not r.errors:
        r.problem("line_items", "an order needs at least one line item")
    lines = [line for line, _ in read]
    if read and not r.errors and all(current == 0 for _, current in read):
        purpose = OrderPurpose.CANCELLATION  # every line removed: nothing is left to ship
    if purpose is OrderPurpose.CHANGE:
        lines = [_at(line, current) for line, current in read]
    elif purpose is OrderPurpose.ORIGINAL:
        lines = [_at(line, current) for line, current in read if current != 0]
    parties = _parties(r, doc)
    shipping_lines = r.items(doc, "", "shipping_lines")
    shipping_total = Decimal(0)
    order_taxes: list[Tax] = []
    method = None
    for i, ship in enumerate(shipping_lines):
        path = join("shipping_lines", i)
        if not isinstance(ship, Mapping):
            r.problem(path, "must be an object")
            continue
        shipping_total += r.decimal(ship, path, "price") or Decimal(0)
        order_taxes += [
            Tax(kind="shipping", amount=amount, rate=rate) for amount, rate, _title in _taxes(r, ship, path)
        ]
        if method is None:
            method = ShippingMethod(
                carrier=r.text(ship, path, "carrier_identifier") or r.text(ship, path, "source"),
                service_level=r.text(ship, path, "code") or r.text(ship, path, "title"),
            )
    discounts = []
    if not any(line.discounts for line in lines if line is not None):
        for i, code in enumerate(r.items(doc, "", "discount_codes")):
            path = join("discount_codes", i)
            if isinstance(code, Mapping):
                amount = r.decimal(code, path, "amount", required=True)
                if amount is not None:
                    discounts.append(Discount(code=r.text(code, path, "code"), amount=abs(amount)))
    totals = Totals(
        subtotal=r.decimal(doc, "", "subtotal_price"),
        discount=r.decimal(doc, "", "total_discounts"),
        shipping=shipping_total if shipping_lines else None,
        tax=r.decimal(doc, "", "total_tax"),
        total=r.decimal(doc, "", "total_price"),
    )
    r.raise_if_any(WHAT, key=order_id)
    references = {
        key: str(doc[key]) for key in ("name", "order_number", "confirmation_number") if doc.get(key) is not None
    }
    note = r.text(doc, "", "note")
    return build(
        Order,
        WHAT,
        order_id,
        channel=Channel.SHOPIFY,
        external_id=order_id,
        purpose=purpose,
        ordered_at=ordered_at,
        updated_at=updated_at,
        currency=currency,
        parties=parties,
        lines=lines,
        shipping_method=method,
        discounts=discounts,
        taxes=order_taxes,
        totals=totals,
        notes=[note] if note else [],
        references=references,
    )


def _taxes(r: FieldReader, parent: Mapping[str, Any], base: str) -> list[tuple[Decimal, Decimal | None, str | None]]:
    out = []
    for i, tax in enumerate(r.items(parent, base, "tax_lines")):
        path = join(join(base, "tax_lines"), i)
        if not isinstance(tax, Mapping):
            r.problem(path, "must be an object")
            continue
        amount = r.decimal(tax, path, "price", required=True)
        rate = r.decimal(tax, path, "rate")
        if rate is not None and not 0 <= rate <= 1:
            r.problem(join(path, "rate"), f"must be a fraction between 0 and 1, got {rate}")
            rate = None
        if amount is not None:
            out.append((amount, rate, r.text(tax, path, "title")))
    return out


def _at(line: OrderLine | None, quantity: Decimal | None) -> OrderLine | None:
    if line is None or quantity is None or quantity == line.quantity:
        return line
    return line.model_copy(update={"quantity": quantity})


def _line(r: FieldReader, item: Any, path: str) -> tuple[OrderLine | None, Decimal | None]:
    """The line at the quantity ordered, and its current quantity (``current_quantity``, else the same)."""
    if not isinstance(item, Mapping):
        r.problem(path, "must be an object")
        return None, None
    errors_before = len(r.errors)
    line_id = r.text(item, path, "id", required=True)
    sku = r.text(item, path, "sku")
    if sku is None:
        r.problem(join(path, "sku"), "is required: crossdock ships by SKU and this line item has none")
    quantity = r.quantity(item, path, "quantity")
    current = quantity
    if item.get("current_quantity") is not None:
        current = r.quantity(item, path, "current_quantity", allow_zero=True)
        if current is not None and quantity is not None and current > quantity:
            r.problem(join(path, "current_quantity"), f"{current} is more than the quantity ordered ({quantity})")
    price = r.decimal(item, path, "price", required=True)
    discounts = []
    for i, alloc in enumerate(r.items(item, path, "discount_allocations")):
        alloc_path = join(join(path, "discount_allocations"), i)
        if isinstance(alloc, Mapping):
            amount = r.decimal(alloc, alloc_path, "amount", required=True)
            if amount:
                discounts.append(Discount(amount=abs(amount), description="discount allocation"))
    if not discounts:
        total_discount = r.decimal(item, path, "total_discount")
        if total_discount:
            discounts.append(Discount(amount=abs(total_discount), description="line discount"))
    taxes = [Tax(kind=title or "sales", amount=amount, rate=rate) for amount, rate, title in _taxes(r, item, path)]
    if len(r.errors) > errors_before or line_id is None or quantity is None:
        return None, None
    return OrderLine(
        line_number=line_id,
        sku=sku,
        description=r.text(item, path, "title") or r.text(item, path, "name"),
        vendor_part_number=None,
        quantity=quantity,
        unit_price=price,
        discounts=discounts,
        taxes=taxes,
        external_line_id=r.text(item, path, "variant_id"),
    ), current


def _address(r: FieldReader, doc: Mapping[str, Any], key: str, role: PartyRole) -> Party | None:
    addr = r.obj(doc, "", key)
    if not addr:
        return None
    name = r.text(addr, key, "name") or " ".join(
        part for part in (r.text(addr, key, "first_name"), r.text(addr, key, "last_name")) if part
    )
    return Party(
        role=role,
        name=name or r.text(addr, key, "company"),
        address=Address(
            lines=[line for line in (r.text(addr, key, "address1"), r.text(addr, key, "address2")) if line],
            city=r.text(addr, key, "city"),
            region=r.text(addr, key, "province_code") or r.text(addr, key, "province"),
            postal_code=r.text(addr, key, "zip"),
            country=r.text(addr, key, "country_code") or r.text(addr, key, "country"),
        ),
        phone=r.text(addr, key, "phone"),
    )


def _parties(r: FieldReader, doc: Mapping[str, Any]) -> list[Party]:
    parties = []
    customer = r.obj(doc, "", "customer")
    email = r.text(doc, "", "email") or r.text(customer, "customer", "email")
    if customer or email:
        name = " ".join(
            p for p in (r.text(customer, "customer", "first_name"), r.text(customer, "customer", "last_name")) if p
        )
        parties.append(
            Party(
                role=PartyRole.BUYER,
                name=name or None,
                id_qualifier="shopify_customer_id" if customer.get("id") is not None else None,
                id_code=r.text(customer, "customer", "id"),
                email=email,
                phone=r.text(doc, "", "phone") or r.text(customer, "customer", "phone"),
            )
        )
    for key, role in (("shipping_address", PartyRole.SHIP_TO), ("billing_address", PartyRole.BILL_TO)):
        party = _address(r, doc, key, role)
        if party is not None:
            parties.append(party)
    return parties


def fulfillment_payload(
    shipment: Shipment,
    *,
    fulfillment_order_id: int | str,
    fulfillment_line_ids: Mapping[str, int | str] | None = None,
    notify_customer: bool = False,
) -> dict[str, Any]:
    """The body of ``POST /admin/api/<version>/fulfillments.json`` for a shipment of one Shopify order.

    ``fulfillment_line_ids`` maps an order line item id (the canonical ``line_number``) to the id of its
    fulfillment order line item. Without it the whole fulfillment order is fulfilled, which is only
    correct for a complete shipment, so a partial shipment without it is refused.
    """
    errors: list[tuple[str, str]] = []
    items: list[dict[str, Any]] = []
    if fulfillment_line_ids is not None:
        for o, order in enumerate(shipment.orders):
            for i, line in enumerate(order.all_lines):
                path = f"orders[{o}].lines[{i}]"
                if line.line_number is None or line.line_number not in fulfillment_line_ids:
                    errors.append((join(path, "line_number"), "has no fulfillment order line item id"))
                    continue
                qty = _whole(line.quantity_shipped, join(path, "quantity_shipped"), errors)
                if qty:
                    items.append({"id": _id(fulfillment_line_ids[line.line_number]), "quantity": qty})
    elif shipment.partial:
        errors.append(("fulfillment_line_ids", "a partial shipment needs the fulfillment order line item ids"))
    tracking = _tracking_number(shipment)
    if errors:
        raise MappingError("cannot render Shopify fulfillment", errors, key=shipment.shipment_id)
    group: dict[str, Any] = {"fulfillment_order_id": _id(fulfillment_order_id)}
    if items:
        group["fulfillment_order_line_items"] = items
    body: dict[str, Any] = {"line_items_by_fulfillment_order": [group], "notify_customer": notify_customer}
    if tracking:
        body["tracking_info"] = {"number": tracking, "company": shipment.carrier_name or shipment.carrier_scac}
    return {"fulfillment": body}


def inventory_level_payload(
    level: InventoryLevel, *, inventory_item_id: int | str, location_id: int | str
) -> dict[str, Any]:
    """The body of ``POST /admin/api/<version>/inventory_levels/set.json`` (available quantity)."""
    errors: list[tuple[str, str]] = []
    available = _whole(level.available, "available", errors)
    if errors:
        raise MappingError("cannot render Shopify inventory level", errors, key=level.sku)
    return {"location_id": _id(location_id), "inventory_item_id": _id(inventory_item_id), "available": available}


def _tracking_number(shipment: Shipment) -> str | None:
    if shipment.tracking_numbers:
        return shipment.tracking_numbers[0]
    return next((p.tracking_number for o in shipment.orders for p in o.packages if p.tracking_number), None)


def _whole(quantity: Decimal, path: str, errors: list[tuple[str, str]]) -> int:
    if quantity != quantity.to_integral_value():
        errors.append((path, f"marketplaces take whole units, got {quantity}"))
        return 0
    return int(quantity)


def _id(value: int | str) -> int | str:
    text = str(value)
    return int(text) if text.isdigit() else text
