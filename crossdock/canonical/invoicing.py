"""What a shipment bills: one :class:`~crossdock.canonical.invoice.Invoice` per shipped order, priced from
the order as it was booked.

Rules (pure; the order and whether it was billed before are passed in):

- a shipped line bills the order line it ships, found by line number (PO101, the marketplace line id),
  else by SKU, GTIN or buyer part number; several shipped lines of one order line (split over packages)
  make one invoice line;
- a line's discounts and taxes are billed in proportion to the quantity shipped (to the cent);
- the order's own discounts, shipping charge, taxes and channel fees are billed once, on the first
  invoice of the order (``first``);
- a shipped line the order does not have (or no booked order at all) is billed without a price: the
  ERP prices it from its sales order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from crossdock.canonical.invoice import CENT, Invoice, InvoiceLine
from crossdock.canonical.order import Channel, Discount, Order, OrderLine, Tax
from crossdock.canonical.shipment import Shipment, ShipmentLine, ShipmentOrder

MAX_REFERENCE = 35


def invoice_reference(shipment_id: str, order_ref: str, orders_in_shipment: int) -> str:
    """crossdock's reference of the invoice of one shipped order: the shipment id when it ships one
    order, else ``<shipment>-<order>``; a digest keeps it unique when that is longer than 35 characters."""
    reference = shipment_id if orders_in_shipment <= 1 else f"{shipment_id}-{order_ref}"
    if len(reference) <= MAX_REFERENCE:
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()[:12]
    return f"{reference[: MAX_REFERENCE - 13]}-{digest}"


def _matches(line: OrderLine, shipped: ShipmentLine) -> bool:
    if shipped.line_number and shipped.line_number in (line.line_number, line.external_line_id):
        return True
    pairs = ((line.sku, shipped.sku), (line.gtin, shipped.gtin), (line.buyer_part_number, shipped.buyer_part_number))
    return any(mine is not None and mine == theirs for mine, theirs in pairs)


def _order_line(order: Order | None, shipped: ShipmentLine) -> OrderLine | None:
    if order is None:
        return None
    if shipped.line_number:
        by_number = [line for line in order.lines if shipped.line_number in (line.line_number, line.external_line_id)]
        if by_number:
            return by_number[0]
    return next((line for line in order.lines if _matches(line, shipped)), None)


def _share(amount: Decimal, billed: Decimal, ordered: Decimal) -> Decimal:
    return (amount * billed / ordered).quantize(CENT) if ordered else Decimal(0)


def _billed(line: OrderLine, quantity: Decimal) -> InvoiceLine:
    discounts = [d.model_copy(update={"amount": _share(d.amount, quantity, line.quantity)}) for d in line.discounts]
    taxes = [t.model_copy(update={"amount": _share(t.amount, quantity, line.quantity)}) for t in line.taxes]
    return InvoiceLine(
        line_number=line.line_number,
        sku=line.sku,
        gtin=line.gtin,
        buyer_part_number=line.buyer_part_number,
        vendor_part_number=line.vendor_part_number,
        description=line.description,
        quantity=quantity,
        unit_of_measure=line.unit_of_measure,
        unit_price=line.unit_price,
        discounts=[d for d in discounts if d.amount] or [],
        taxes=[t for t in taxes if t.amount] or [],
    )


def _unpriced(shipped: ShipmentLine, position: int, quantity: Decimal) -> InvoiceLine:
    return InvoiceLine(
        line_number=shipped.line_number or str(position),
        sku=shipped.sku,
        gtin=shipped.gtin,
        buyer_part_number=shipped.buyer_part_number,
        vendor_part_number=shipped.vendor_part_number,
        description=shipped.description,
        quantity=quantity,
        unit_of_measure=shipped.unit_of_measure,
    )


def invoice_lines(order: Order | None, shipped: ShipmentOrder) -> list[InvoiceLine]:
    """The lines ``shipped`` bills, in the order's line order (unmatched shipped lines after them)."""
    quantities: dict[str, Decimal] = {}
    unmatched: dict[str, tuple[ShipmentLine, int, Decimal]] = {}
    for position, line in enumerate(shipped.all_lines, 1):
        if line.quantity_shipped == 0:
            continue
        ordered = _order_line(order, line)
        if ordered is not None:
            quantities[ordered.line_number] = quantities.get(ordered.line_number, Decimal(0)) + line.quantity_shipped
            continue
        key = line.line_number or line.sku or line.gtin or line.buyer_part_number or str(position)
        first, at, quantity = unmatched.get(key, (line, position, Decimal(0)))
        unmatched[key] = (first, at, quantity + line.quantity_shipped)
    billed = [_billed(line, quantities[line.line_number]) for line in order.lines if line.line_number in quantities] \
        if order is not None else []  # fmt: skip
    return billed + [_unpriced(line, at, quantity) for line, at, quantity in unmatched.values()]


def bill(
    shipment: Shipment,
    shipped: ShipmentOrder,
    order: Order | None,
    *,
    invoiced_at: date,
    first: bool,
    references: Mapping[str, str],
) -> Invoice:
    """The invoice of ``shipped`` (one order of ``shipment``), priced from ``order`` (as booked; ``None``:
    unknown, the ERP prices it). ``first``: no other invoice of this order exists, this one carries the
    order's own discounts, shipping, taxes and fees."""
    order_ref = shipped.po_number or shipped.order_ref or (order.external_id if order is not None else "")
    lines = invoice_lines(order, shipped)
    if not lines:
        raise ValueError(f"shipment {shipment.shipment_id} ships nothing of order {order_ref}")
    header = order is not None and first
    discounts: list[Discount] = list(order.discounts) if header and order is not None else []
    taxes: list[Tax] = list(order.taxes) if header and order is not None else []
    shipping = order.totals.shipping if header and order is not None and order.totals is not None else None
    parties = order.parties if order is not None and order.parties else [*shipped.parties, *shipment.parties]
    return Invoice(
        external_ref=invoice_reference(shipment.shipment_id, order_ref, len(shipment.orders)),
        invoiced_at=invoiced_at,
        channel=order.channel if order is not None else Channel.EDI,
        order_ref=order_ref or shipment.shipment_id,
        order_date=(order.ordered_at.date() if order is not None and order.ordered_at else shipped.po_date),
        shipment_id=shipment.shipment_id,
        shipped_at=shipment.shipped_at.date() if shipment.shipped_at else None,
        currency=order.currency if order is not None else "USD",
        parties=parties,
        lines=lines,
        discounts=discounts,
        shipping_charge=shipping,
        taxes=taxes,
        fees=list(order.fees) if header and order is not None else [],
        carrier_scac=shipment.carrier_scac,
        tracking_numbers=shipment.tracking_numbers,
        references=dict(references),
    )
