"""X12 940 Warehouse Shipping Order ⇄ :class:`~crossdock.canonical.WarehouseShippingOrder`
(and :class:`~crossdock.canonical.Order` → 940 through :func:`warehouse_order`).

Mapped: W05 (status, depositor order, PO), N9*SI (shipment id), N1 loops (WH gives
``warehouse_code``, DE the depositor/seller and ``depositor_code``), header N9 (references), G62
10/02/01 (ship, delivery, cancel-after dates), NTE (notes), W66 (W6605 routing, W6610 SCAC), LX + W01
loops (W0101 quantity, W0102 unit, W0103 UPC, qualifier pairs 04/05 06/07 15/16, W0113 lot, N9*LI
line number, G69 description), W76 (checked). Everything else is kept as unmapped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crossdock.canonical import (
    Order,
    OrderPurpose,
    PartyRole,
    WarehouseShippingOrder,
    WarehouseShippingOrderLine,
)
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, parties, values
from crossdock.edi.sets.mapping import (
    Lookups,
    SetContext,
    Translation,
    is_reference_qualifier,
    mapping_error,
    require,
)

SET_ID = "940"
FUNCTIONAL_ID = "OW"

STATUSES = {"N": OrderPurpose.ORIGINAL, "C": OrderPurpose.CANCELLATION, "R": OrderPurpose.CHANGE,
            "F": OrderPurpose.CHANGE}  # fmt: skip
STATUS_CODES = {OrderPurpose.ORIGINAL: "N", OrderPurpose.CANCELLATION: "C", OrderPurpose.CHANGE: "R"}
DATES = {"10": "requested_ship_date", "02": "requested_delivery_date", "01": "cancel_after"}
W01_PAIRS = [(4, 5), (6, 7), (15, 16)]


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[WarehouseShippingOrder]:
    ctx = SetContext(ts, lookups)
    segs = ts.segments
    doc: dict[str, Any] = {"parties": [], "lines": [], "notes": [], "references": {}}
    line: dict[str, Any] | None = None
    lx: Segment | None = None
    w05: Segment | None = None
    codes = parties.warehouse_codes(segs)
    i = 0
    while i < len(segs):
        seg, sid = segs[i], segs[i].id
        if sid == "N1" and line is None:
            party, i = parties.read_loop(ctx, segs, i, codes)
            if party is not None:
                doc["parties"].append(party)
            continue
        i += 1
        if sid == "LX":
            lx, line = seg, None
            ctx.used(seg, 1)
        elif sid == "W01":
            line = _line(ctx, seg, lx, len(doc["lines"]))
            doc["lines"].append(line)
            lx = None
        elif sid == "W76":
            line = None
            _check_totals(ctx, seg, doc["lines"])
        elif line is not None:
            _line_segment(ctx, seg, line)
        elif sid == "W05":
            w05 = seg
            _w05(ctx, seg, doc)
        else:
            _header(ctx, seg, doc)
    require(w05, ctx, "W05", "order_ref")
    if not doc["lines"]:
        ctx.error("W01", "lines", "a 940 needs at least one W01 line")
    for party in doc["parties"]:
        if party.role == PartyRole.WAREHOUSE and party.id_code:
            doc.setdefault("warehouse_code", party.id_code)
        if party.role == PartyRole.SELLER and party.id_code:
            doc.setdefault("depositor_code", party.id_code)
    return ctx.build(WarehouseShippingOrder, doc, key=doc.get("order_ref"))


def _w05(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3)
    purpose = STATUSES.get(seg[1])
    if purpose is None:
        ctx.warn(seg, f"order status {seg[1]!r} unknown: taken as original", 1)
    doc["purpose"] = purpose or OrderPurpose.ORIGINAL
    if not seg[2]:
        ctx.error(ctx.where(seg, 2), "order_ref", "W0502 depositor order number is required")
    doc["order_ref"] = seg[2]
    ctx.at("order_ref", seg, 2)
    doc["po_number"] = seg.get(3)


def _header(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    sid = seg.id
    if sid == "N9" and seg[1] == "SI" and seg[2] and "shipment_id" not in doc:
        ctx.used(seg, 1, 2)
        doc["shipment_id"] = seg[2]
    elif sid == "N9" and seg[1] and (seg[2] or seg[3]) and seg[1] not in doc["references"]:
        ctx.used(seg, 1, 2, 3)
        doc["references"][seg[1]] = seg[2] or seg[3]
    elif sid == "G62" and seg[1] in DATES:
        ctx.used(seg, 1, 2)
        doc[DATES[seg[1]]] = ctx.date(seg, 2, DATES[seg[1]])
    elif sid == "NTE" and seg[2]:
        ctx.used(seg, 1, 2)
        doc["notes"].append(seg[2])
    elif sid == "W66":
        ctx.used(seg, 1, 2, 5, 10)
        ctx.expect(seg, 1, "PP")  # the payment method and transport mode we write
        ctx.expect(seg, 2, "M")
        method = {"carrier": seg.get(10), "routing": seg.get(5)}
        doc["shipping_method"] = method if any(method.values()) else None
    else:
        ctx.keep(seg)


def _line(ctx: SetContext, seg: Segment, lx: Segment | None, index: int) -> dict[str, Any]:
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 7, 13, 15, 16)
    ctx.at(f"lines[{index}]", seg)
    ids = items.read_ids(ctx, seg, W01_PAIRS, items.WAREHOUSE, upc_position=3)
    ids.pop("vendor_part_number", None)
    if not ids:
        ctx.error(ctx.where(seg, 3), f"lines[{index}]", "no usable item identifier (W0103 UPC or a VN/SK/UP/BP pair)")
    if not seg[2]:
        ctx.warn(seg, "W0102 unit of measure missing: EA assumed", 2)
    return {
        "line_number": lx[1] if lx is not None and lx[1] else str(index + 1),
        "quantity": ctx.decimal(seg, 1, f"lines[{index}].quantity", required=True),
        "unit_of_measure": seg[2] or "EA",
        "lot": seg.get(13),
        **ids,
    }


def _line_segment(ctx: SetContext, seg: Segment, line: dict[str, Any]) -> None:
    if seg.id == "G69" and "description" not in line and seg[1]:
        ctx.used(seg, 1)
        line["description"] = seg[1]
    elif seg.id == "N9" and seg[1] == "LI" and seg[2]:
        ctx.used(seg, 1, 2)
        line["line_number"] = seg[2]
    else:
        ctx.keep(seg)


def _check_totals(ctx: SetContext, seg: Segment, lines: list[dict[str, Any]]) -> None:
    ctx.used(seg, 1)
    total = sum((line["quantity"] for line in lines if line.get("quantity") is not None), Decimal(0))
    try:
        if seg[1] and values.parse_decimal(seg[1]) != total:
            ctx.warn(seg, f"W7601 says {seg[1]} units, the lines add up to {total}", 1)
    except ValueError:
        ctx.warn(seg, f"W7601 {seg[1]!r} is not a number", 1)


# --- canonical → X12 ------------------------------------------------------------------------------


def warehouse_order(
    order: Order,
    *,
    order_ref: str | None = None,
    warehouse_code: str | None = None,
    depositor_code: str | None = None,
    shipment_id: str | None = None,
) -> WarehouseShippingOrder:
    """The request to the 3PL for ``order``: same parties, dates, carrier, lines and notes; the
    depositor order number defaults to the order's external id, which is also the customer PO."""
    return WarehouseShippingOrder(
        order_ref=order_ref or order.external_id,
        po_number=order.external_id,
        shipment_id=shipment_id,
        purpose=order.purpose,
        warehouse_code=warehouse_code,
        depositor_code=depositor_code,
        requested_ship_date=order.requested_ship_date,
        requested_delivery_date=order.requested_delivery_date,
        cancel_after=order.cancel_after,
        parties=order.parties,
        shipping_method=order.shipping_method,
        lines=[
            WarehouseShippingOrderLine(
                line_number=line.line_number,
                sku=line.sku,
                gtin=line.gtin,
                buyer_part_number=line.buyer_part_number,
                description=line.description,
                quantity=line.quantity,
                unit_of_measure=line.unit_of_measure,
                unit_price=line.unit_price,
            )
            for line in order.lines
        ],
        notes=order.notes,
        references={k: v for k, v in order.references.items() if is_reference_qualifier(k)},
    )


def from_canonical(document: WarehouseShippingOrder | Order) -> list[Segment]:
    """The 940 body for a warehouse shipping order (an :class:`Order` goes through
    :func:`warehouse_order` first). Not carried: line ``unit_price``, the shipping service level, and a
    ``warehouse_code`` / ``depositor_code`` other than the N104 of the WH / DE party."""
    wso = warehouse_order(document) if isinstance(document, Order) else document
    if wso.purpose not in STATUS_CODES:
        raise mapping_error("940 cannot express this order", "W05/W0501", "purpose", f"{wso.purpose} has no code")
    body = [Segment.of("W05", STATUS_CODES[wso.purpose], wso.order_ref, wso.po_number)]
    roles = {party.role for party in wso.parties}
    for party in wso.parties:
        body += parties.loop_segments(party, parties.WAREHOUSE)
    for role, code in ((PartyRole.WAREHOUSE, wso.warehouse_code), (PartyRole.SELLER, wso.depositor_code)):
        if code and role not in roles:
            body.append(Segment.of("N1", parties.WAREHOUSE.write[role], None, "ZZ", code))
    if wso.shipment_id:
        body.append(Segment.of("N9", "SI", wso.shipment_id))
    body += [Segment.of("N9", key, value) for key, value in wso.references.items()]
    for code, name in DATES.items():
        day = getattr(wso, name)
        if day is not None:
            body.append(Segment.of("G62", code, values.format_date(day)))
    body += [Segment.of("NTE", "WHI", note) for note in wso.notes]
    method = wso.shipping_method
    if method is not None and (method.carrier or method.routing):
        body.append(Segment.of("W66", "PP", "M", None, None, method.routing, None, None, None, None, method.carrier))
    for position, line in enumerate(wso.lines, start=1):
        body.append(Segment.of("LX", str(position)))
        body.append(_w01(line))
        if line.description:
            body.append(Segment.of("G69", line.description))
        if line.line_number != str(position):
            body.append(Segment.of("N9", "LI", line.line_number))
    total = sum((line.quantity for line in wso.lines), Decimal(0))
    body.append(Segment.of("W76", values.format_decimal(total)))
    return body


def _w01(line: WarehouseShippingOrderLine) -> Segment:
    upc = line.gtin if line.gtin and len(line.gtin) == 12 else None
    pairs: list[tuple[str, str]] = []
    if line.sku:
        pairs.append(("VN", line.sku))
    if line.gtin and upc is None:
        pairs.append((items.gtin_qualifier(line.gtin), line.gtin))
    if line.buyer_part_number:
        pairs.append(("BP", line.buyer_part_number))
    elements: list[str | None] = [values.format_decimal(line.quantity), line.unit_of_measure, upc]
    elements += [*pairs[0], *pairs[1]] if len(pairs) > 1 else [*pairs[0], None, None] if pairs else [None] * 4
    elements += [None] * 5 + [line.lot, None]
    if len(pairs) > 2:
        elements += [*pairs[2]]
    return Segment.of("W01", *elements)
