"""X12 945 Warehouse Shipping Advice ⇄ :class:`~crossdock.canonical.Shipment` (one order per 945).

Mapped: W06 (W0602 depositor order, W0603 ship date, W0604 shipment id, W0606 PO), N1 loops (SF ship
from, ST ship to, others to ``parties``), header N9 (BM bill of lading, CN PRO number, 2I tracking
numbers, others to ``references``), G62 11/17/04 (shipped at, estimated delivery, PO date), W27
(W2702 SCAC, W2703 carrier name), LX loops (an LX with MAN*GM SSCC or MAN*CP tracking is a package, an
LX without is unpacked lines), W12 (ordered, shipped, difference, unit, UPC, pairs 07/08 17/18 21/22,
lot), G69, N9*LI (order line number), W03 (W0302/W0303 weight, W0306 package count; W0301 checked).
``partial`` is true when a line shipped less than ordered. Everything else is kept as unmapped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crossdock.canonical import Shipment, ShipmentLine
from crossdock.canonical.party import PartyRole
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, parties, values
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, locate_tree, mapping_error, require

SET_ID = "945"
FUNCTIONAL_ID = "SW"

W12_PAIRS = [(7, 8), (17, 18), (21, 22)]
SHIPMENT_REFS = {"BM": "bill_of_lading", "CN": "pro_number"}


class _Group:
    """One LX loop: its package marks and its lines."""

    def __init__(self) -> None:
        self.package: dict[str, Any] = {}
        self.lines: list[dict[str, Any]] = []


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[Shipment]:
    ctx = SetContext(ts, lookups)
    segs = ts.segments
    doc: dict[str, Any] = {"parties": [], "tracking_numbers": [], "references": {}}
    order: dict[str, Any] = {"packages": [], "lines": []}
    group: _Group | None = None
    line: dict[str, Any] | None = None
    w06: Segment | None = None
    codes = parties.warehouse_codes(segs)
    i = 0
    while i < len(segs):
        seg, sid = segs[i], segs[i].id
        if sid == "N1" and group is None:
            party, i = parties.read_loop(ctx, segs, i, codes)
            if party is not None:
                _place_party(doc, party)
            continue
        i += 1
        if sid == "LX":
            _close(group, order)
            group, line = _Group(), None
            group.package["_seg"] = seg
            ctx.used(seg, 1)
        elif sid == "W03":
            _close(group, order)
            group, line = None, None
            _w03(ctx, seg, doc, order)
        elif group is not None and sid == "MAN":
            _man(ctx, seg, group)
        elif group is not None and sid == "W12":
            line = _w12(ctx, seg, len(group.lines))
            group.lines.append(line)
        elif line is not None and sid == "G69" and seg[1] and "description" not in line:
            ctx.used(seg, 1)
            line["description"] = seg[1]
        elif line is not None and sid == "N9" and seg[1] == "LI" and seg[2]:
            ctx.used(seg, 1, 2)
            line["line_number"] = seg[2]
        elif group is not None:
            ctx.keep(seg)
        elif sid == "W06":
            w06 = seg
            _w06(ctx, seg, doc, order)
        else:
            _header(ctx, seg, doc, order)
    _close(group, order)
    require(w06, ctx, "W06", "shipment_id")
    if not order["lines"] and not order["packages"]:
        ctx.error("W12", "orders[0].lines", "a 945 needs at least one W12 line")
    all_lines = [*order["lines"], *(ln for p in order["packages"] for ln in p["lines"])]
    doc["partial"] = any(_short(ln) for ln in all_lines)
    locate_tree(ctx, [order])
    doc["orders"] = [order]
    return ctx.build(Shipment, doc, key=doc.get("shipment_id"))


def _place_party(doc: dict[str, Any], party: Any) -> None:
    if party.role == PartyRole.SHIP_FROM and "ship_from" not in doc:
        doc["ship_from"] = party
    elif party.role == PartyRole.SHIP_TO and "ship_to" not in doc:
        doc["ship_to"] = party
    else:
        doc["parties"].append(party)


def _short(line: dict[str, Any]) -> bool:
    ordered, shipped = line.get("quantity_ordered"), line.get("quantity_shipped")
    return ordered is not None and shipped is not None and shipped < ordered


def _w06(ctx: SetContext, seg: Segment, doc: dict[str, Any], order: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3, 4, 6)
    order["order_ref"] = seg.get(2)
    order["po_number"] = seg.get(6)
    shipment_id = seg[4] or seg[2]
    if not seg[4] and seg[2]:
        ctx.warn(seg, "W0604 shipment id missing: the depositor order number is used", 4)
    if not shipment_id:
        ctx.error(ctx.where(seg, 4), "shipment_id", "W0604 shipment identification number is required")
    doc["shipment_id"] = shipment_id
    shipped = ctx.moment(seg, 3, None, None, "shipped_at")
    if shipped is not None:
        doc.setdefault("shipped_at", shipped)


def _header(ctx: SetContext, seg: Segment, doc: dict[str, Any], order: dict[str, Any]) -> None:
    sid = seg.id
    if sid == "N9" and seg[1] == "2I" and seg[2]:
        ctx.used(seg, 1, 2)
        doc["tracking_numbers"].append(seg[2])
    elif sid == "N9" and seg[1] and seg[2] and not _taken(doc, seg[1]):
        ctx.used(seg, 1, 2)
        if seg[1] in SHIPMENT_REFS:
            doc[SHIPMENT_REFS[seg[1]]] = seg[2]
        else:
            doc["references"][seg[1]] = seg[2]
    elif sid == "G62" and seg[1] == "11":
        ctx.used(seg, 1, 2, 3, 4, 5)
        moment = ctx.moment(seg, 2, 4, 5, "shipped_at")
        if moment is not None:
            doc["shipped_at"] = moment
    elif sid == "G62" and seg[1] in ("17", "04"):
        ctx.used(seg, 1, 2)
        if seg[1] == "17":
            doc["estimated_delivery"] = ctx.date(seg, 2, "estimated_delivery")
        else:
            order["po_date"] = ctx.date(seg, 2, "orders[0].po_date")
    elif sid == "W27":
        ctx.used(seg, 1, 2, 3)
        ctx.expect(seg, 1, "M")
        doc["carrier_scac"] = seg.get(2)
        doc["carrier_name"] = seg.get(3)
    else:
        ctx.keep(seg)


def _taken(doc: dict[str, Any], qualifier: str) -> bool:
    return SHIPMENT_REFS.get(qualifier, "") in doc or qualifier in doc["references"]


def _man(ctx: SetContext, seg: Segment, group: _Group) -> None:
    value = seg[2]
    if seg[1] == "GM" and "sscc" not in group.package and _sscc(value):
        ctx.used(seg, 1, 2)
        group.package["sscc"] = value
    elif seg[1] == "CP" and value and "tracking_number" not in group.package:
        ctx.used(seg, 1, 2)
        group.package["tracking_number"] = value
    else:
        ctx.keep(seg, f"MAN*{seg[1]} {value!r} is not an SSCC-18 or a first carrier package id: kept unmapped")


def _sscc(value: str) -> bool:
    digits = value[2:] if len(value) == 20 and value.startswith("00") else value
    return digits.isdigit() and len(digits) == 18


def _w12(ctx: SetContext, seg: Segment, index: int) -> dict[str, Any]:
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18, 21, 22)
    field = f"orders[0].lines[{index}]"
    ids = items.read_ids(ctx, seg, W12_PAIRS, items.WAREHOUSE, upc_position=6)
    line: dict[str, Any] = {
        "quantity_ordered": ctx.decimal(seg, 2, f"{field}.quantity_ordered"),
        "quantity_shipped": ctx.decimal(seg, 3, f"{field}.quantity_shipped", required=True),
        "unit_of_measure": seg[5] or "EA",
        "lot": seg.get(9),
        "_seg": seg,
        **ids,
    }
    difference = ctx.decimal(seg, 4, f"{field}.quantity_ordered")
    ordered, shipped = line["quantity_ordered"], line["quantity_shipped"]
    if difference is not None and ordered is None and shipped is not None:
        line["quantity_ordered"] = shipped + difference  # W1204 is ordered minus shipped
    elif difference is not None and ordered is not None and shipped is not None and ordered - shipped != difference:
        ctx.warn(seg, f"W1204 difference {difference} is not ordered {ordered} - shipped {shipped}", 4)
    if not seg[5]:
        ctx.warn(seg, "W1205 unit of measure missing: EA assumed", 5)
    return line


def _close(group: _Group | None, order: dict[str, Any]) -> None:
    if group is None:
        return
    if {key for key in group.package if key != "_seg"}:
        order["packages"].append({**group.package, "lines": group.lines})
    else:
        order["lines"].extend(group.lines)


def _w03(ctx: SetContext, seg: Segment, doc: dict[str, Any], order: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3, 6, 7)
    doc["total_weight"] = ctx.decimal(seg, 2, "total_weight")
    doc["weight_unit"] = seg.get(3)
    count = ctx.decimal(seg, 6, "package_count")
    doc["package_count"] = int(count) if count is not None and count == int(count) else None
    shipped = [
        ln.get("quantity_shipped") for ln in [*order["lines"], *(x for p in order["packages"] for x in p["lines"])]
    ]
    total = sum((q for q in shipped if q is not None), Decimal(0))
    try:
        if seg[1] and values.parse_decimal(seg[1]) != total:
            ctx.warn(seg, f"W0301 says {seg[1]} units shipped, the lines add up to {total}", 1)
    except ValueError:
        ctx.warn(seg, f"W0301 {seg[1]!r} is not a number", 1)


# --- canonical → X12 ------------------------------------------------------------------------------


def from_canonical(shipment: Shipment) -> list[Segment]:
    """The 945 body for ``shipment``, which must hold exactly one order. Not carried: the service level,
    package weight / packaging / pallet, and a package with neither SSCC nor tracking number (its lines
    read back as unpacked)."""
    if len(shipment.orders) != 1:
        raise mapping_error("a 945 confirms one order", "W06", "orders", f"{len(shipment.orders)} orders")
    order = shipment.orders[0]
    shipped_at = shipment.shipped_at
    body = [Segment.of("W06", "F", order.order_ref, values.format_date(shipped_at) if shipped_at else None,
                       shipment.shipment_id, None, order.po_number)]  # fmt: skip
    for code, party in (("SF", shipment.ship_from), ("ST", shipment.ship_to)):
        if party is not None:
            body += parties.loop_segments(party.model_copy(update={"role": parties.WAREHOUSE.read[code]}),
                                          parties.WAREHOUSE)  # fmt: skip
    for party in shipment.parties:
        body += parties.loop_segments(party, parties.WAREHOUSE)
    for code, value in (("BM", shipment.bill_of_lading), ("CN", shipment.pro_number)):
        if value:
            body.append(Segment.of("N9", code, value))
    body += [Segment.of("N9", "2I", number) for number in shipment.tracking_numbers]
    body += [Segment.of("N9", key, value) for key, value in shipment.references.items()]
    if shipped_at is not None and not values.is_midnight_utc(shipped_at):
        body.append(Segment.of("G62", "11", values.format_date(shipped_at), "8", values.format_time(shipped_at), "UT"))
    if shipment.estimated_delivery:
        body.append(Segment.of("G62", "17", values.format_date(shipment.estimated_delivery)))
    if order.po_date:
        body.append(Segment.of("G62", "04", values.format_date(order.po_date)))
    if shipment.carrier_scac or shipment.carrier_name:
        body.append(Segment.of("W27", "M", shipment.carrier_scac, shipment.carrier_name))
    number = 0
    for line in order.lines:
        number += 1
        body += [Segment.of("LX", str(number)), *_w12_loop(line)]
    for package in order.packages:
        number += 1
        body.append(Segment.of("LX", str(number)))
        if package.sscc:
            body.append(Segment.of("MAN", "GM", "00" + package.sscc))
        if package.tracking_number:
            body.append(Segment.of("MAN", "CP", package.tracking_number))
        for line in package.lines:
            body += _w12_loop(line)
    total = sum((line.quantity_shipped for line in order.all_lines), Decimal(0))
    weight = values.format_decimal(shipment.total_weight) if shipment.total_weight is not None else None
    count = str(shipment.package_count) if shipment.package_count is not None else None
    body.append(Segment.of("W03", values.format_decimal(total), weight, shipment.weight_unit, None, None, count,
                           "CT" if count else None))  # fmt: skip
    return body


def _w12_loop(line: ShipmentLine) -> list[Segment]:
    ordered, shipped = line.quantity_ordered, line.quantity_shipped
    status = "CC" if ordered is None or shipped >= ordered else "PR"
    upc = line.gtin if line.gtin and len(line.gtin) == 12 else None
    pairs: list[tuple[str, str]] = []
    for qualifier, value in (("VN", line.sku), ("BP", line.buyer_part_number), ("VA", line.vendor_part_number)):
        if value:
            pairs.append((qualifier, value))
    if line.gtin and upc is None:
        pairs.append((items.gtin_qualifier(line.gtin), line.gtin))
    if len(pairs) > len(W12_PAIRS):
        raise mapping_error("W12 has room for three item ids", "W12", "lines", "too many item identifiers")
    elements: list[str | None] = [None] * 22
    elements[0:9] = [status, _num(ordered), values.format_decimal(shipped),
                     _num(ordered - shipped) if ordered is not None else None, line.unit_of_measure, upc,
                     None, None, line.lot]  # fmt: skip
    for (q_pos, v_pos), (qualifier, value) in zip(W12_PAIRS, pairs, strict=False):
        elements[q_pos - 1], elements[v_pos - 1] = qualifier, value
    out = [Segment.of("W12", *elements)]
    if line.description:
        out.append(Segment.of("G69", line.description))
    if line.line_number:
        out.append(Segment.of("N9", "LI", line.line_number))
    return out


def _num(value: Decimal | None) -> str | None:
    return values.format_decimal(value) if value is not None else None
