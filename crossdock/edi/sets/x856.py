"""X12 856 Ship Notice/Manifest ⇄ :class:`~crossdock.canonical.Shipment`.

Inbound, the HL tree is built from the HL01/HL02 parent pointers (an empty HL02 below the first level
falls back to the nearest earlier level that may hold it, with a warning) and walked whatever the
hierarchy: S/O/P/I, S/O/T/P/I, S/O/I, S/O/I/P (an item with one pack below it is packed in it), S/P/I,
S/T/I, S/I, packs above orders, items inside items.

- S (and segments before the first HL): TD1 (lading quantity → ``package_count``, weight), TD5 (TD503
  SCAC, TD505 carrier name, TD512 service level), REF (BM, CN = PRO, 2I tracking, others to
  ``references``), DTM 011 (shipped at, with time and time code) / 017 or 067 (estimated delivery), N1 loops
  (SF/SH ship from, ST ship to, others to ``parties``).
- O: PRF (PO number, PRF04 PO date), REF*VN (seller order number), other REF (order ``references``:
  DP department, IA vendor number ...), N1 loops (order ``parties``).
- T (tare): MAN*GM. With packs below it, its SSCC is each pack's ``pallet_sscc``; without, the tare is
  itself a package.
- P (pack): MAN*GM SSCC-18 (optionally with AI 00), MAN*CP / REF*2I tracking, TD1 / PO4 packaging and
  weight.
- I (item): LIN (LIN01 line number, qualifier pairs; PL = purchaser's line number), SN1 (shipped,
  unit, ordered), PID, REF*LT (lot).

Outbound (to a retail buyer) the hierarchy is S/O/P/I (S/O/T/P/I for packages on a pallet), with
MAN*GM carrying the SSCC-18 as ``00`` + 18 digits and CTT01 the number of HL segments.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from crossdock.canonical import Package, Shipment, ShipmentLine
from crossdock.canonical.party import PartyRole
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import hierarchy, items, parties, values
from crossdock.edi.sets.hierarchy import Node
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, locate_tree, mapping_error, require

SET_ID = "856"
FUNCTIONAL_ID = "SH"

LIN_PAIRS = [(q, q + 1) for q in range(2, 31, 2)]
LIN_USED = tuple(range(1, 32))
TRACKING = frozenset({("MAN", "CP"), ("REF", "2I")})
SHIPMENT_REFS = {"BM": "bill_of_lading", "CN": "pro_number"}


class _Walk:
    """State of one walk over the HL tree."""

    def __init__(self, ctx: SetContext, doc: dict[str, Any]) -> None:
        self.ctx = ctx
        self.doc = doc
        self.orders: list[dict[str, Any]] = []
        self._default: dict[str, Any] | None = None
        self._role_codes: dict[str, str] = {}  # ship_from / ship_to -> the N101 code that set it

    def default_order(self) -> dict[str, Any]:
        if self._default is None:
            self._default = _new_order()
            self.orders.append(self._default)
        return self._default

    def node(
        self, node: Node, order: dict[str, Any] | None, package: dict[str, Any] | None, pallet: str | None
    ) -> None:
        level = node.level
        if level == "S":
            self.shipment(node)
        elif level == "O":
            order = _new_order()
            self.orders.append(order)
            self.order(node, order)
            if package is not None:  # an order below a pack: the pack is shared, each order gets its part
                package = {**package, "lines": []}
                order["packages"].append(package)
        elif level in ("T", "P"):
            holds_packs = level == "T" and any(child.level == "P" for child in node.children)
            attrs = self.package(node)
            attrs["_seg"] = node.hl
            if holds_packs:
                pallet = attrs.get("sscc") or pallet
                self.keep_leftovers(node, attrs, ("sscc", "_seg"))
            else:
                package = {**attrs, "lines": []}
                if pallet and level == "P":
                    package["pallet_sscc"] = pallet
                if order is not None or not any(child.level == "O" for child in node.children):
                    (order or self.default_order())["packages"].append(package)
        elif level == "I":
            line = self.item(node)
            packs = [child for child in node.children if child.level == "P"] if node.children else []
            if line is not None and package is None and len(packs) == 1:  # S/O/I/P: the item's one pack
                package = {**self.package(packs[0]), "_seg": packs[0].hl, "lines": [line]}
                if pallet:
                    package["pallet_sscc"] = pallet
                (order or self.default_order())["packages"].append(package)
                for child in [*packs[0].children, *(c for c in node.children if c is not packs[0])]:
                    self.node(child, order, package, pallet)
                return
            if line is not None:
                target = package if package is not None else order or self.default_order()
                target["lines"].append(line)
            if packs:
                self.ctx.warn(node.hl, "several packs below one item: their contents are not itemised")
        else:
            self.ctx.warn(node.hl, f"hierarchical level {level!r} unknown: its segments kept unmapped", 3)
            for seg in node.segments:
                self.ctx.keep(seg)
        for child in node.children:
            self.node(child, order, package, pallet)

    def keep_leftovers(self, node: Node, attrs: dict[str, Any], used: tuple[str, ...]) -> None:
        for key in set(attrs) - set(used):
            self.ctx.warn(node.hl, f"tare {key} not mapped (the tare holds packs)")

    # --- levels ----------------------------------------------------------------------------------
    def shipment(self, node: Node) -> None:
        for seg in _with_loops(self.ctx, node.segments, parties.RETAIL, self._party):
            shipment_segment(self.ctx, seg, self.doc)

    def _party(self, party: Any, n1: Segment) -> None:
        """Ship-from and ship-to are fields of the shipment, never in ``parties``: the standard code
        (SF, ST) wins over an alias (SH shipper); another party in the same role is reported."""
        field = {PartyRole.SHIP_FROM: "ship_from", PartyRole.SHIP_TO: "ship_to"}.get(party.role)
        if field is None:
            self.doc["parties"].append(party)
            return
        standard = parties.RETAIL.write[party.role]
        taken = self._role_codes.get(field)
        if taken is None or (taken != standard and n1[1] == standard):
            if taken is not None:
                self.ctx.warn(n1, f"N1*{n1[1]} is the {field.replace('_', '-')}: the N1*{taken} before it is not", 1)
            self.doc[field] = party
            self._role_codes[field] = n1[1]
        else:
            self.ctx.warn(n1, f"a second {field.replace('_', '-')} (N1*{n1[1]}) not mapped: N1*{taken} is", 1)

    def order(self, node: Node, order: dict[str, Any]) -> None:
        ctx = self.ctx
        for seg in _with_loops(ctx, node.segments, parties.RETAIL, lambda party, _n1: order["parties"].append(party)):
            if seg.id == "PRF" and "po_number" not in order:
                ctx.used(seg, 1, 4)
                order["po_number"] = seg.get(1)
                order["po_date"] = ctx.date(seg, 4, f"orders[{len(self.orders) - 1}].po_date")
            elif seg.id == "REF" and seg[1] == "VN" and seg[2] and "order_ref" not in order:
                ctx.used(seg, 1, 2)
                order["order_ref"] = seg[2]
            elif seg.id == "REF" and seg[1] and seg[1] != "VN" and seg[2] and seg[1] not in order["references"]:
                ctx.used(seg, 1, 2)
                order["references"][seg[1]] = seg[2]
            else:
                ctx.keep(seg)

    def package(self, node: Node) -> dict[str, Any]:
        ctx = self.ctx
        attrs: dict[str, Any] = {}
        for seg in node.segments:
            sid, first = seg.elements[0], seg[1]
            if sid == "MAN" and first == "GM" and _is_sscc(seg[2]) and "sscc" not in attrs:
                ctx.used(seg, 1, 2)
                attrs["sscc"] = seg[2]
            elif (sid, first) in TRACKING and seg[2] and "tracking_number" not in attrs:
                ctx.used(seg, 1, 2)
                attrs["tracking_number"] = seg[2]
            elif sid == "TD1" and "packaging_code" not in attrs:
                ctx.used(seg, 1, 2, 6, 7, 8)
                attrs["packaging_code"] = seg.get(1)
                attrs["weight"] = ctx.decimal(seg, 7, "packages.weight", record=False)
                attrs["weight_unit"] = seg.get(8)
            elif sid == "PO4" and seg[6] and "weight" not in attrs:
                ctx.used(seg, 6, 7)
                attrs["weight"] = ctx.decimal(seg, 6, "packages.weight", record=False)
                attrs["weight_unit"] = seg.get(7)
            elif sid == "MAN" and first == "GM":
                ctx.keep(seg, f"MAN*GM {seg[2]!r} is not an SSCC-18 (18 digits, optionally after AI 00): kept unmapped")
            else:
                ctx.keep(seg)
        return {key: value for key, value in attrs.items() if value is not None}

    def item(self, node: Node) -> dict[str, Any] | None:
        ctx = self.ctx
        line: dict[str, Any] = {}
        lin: Segment | None = None
        sn1: Segment | None = None
        for seg in node.segments:
            sid = seg.elements[0]
            if sid == "LIN" and lin is None:
                lin = seg
                line.update(_lin(ctx, seg))
            elif sid == "SN1" and sn1 is None:
                sn1 = seg
                ctx.used(seg, 1, 2, 3, 5, 6)
                line["quantity_shipped"] = ctx.decimal(seg, 2, "quantity_shipped", required=True, record=False)
                line["unit_of_measure"] = seg[3] or "EA"
                line["quantity_ordered"] = ctx.decimal(seg, 5, "quantity_ordered", record=False)
                if seg[1]:
                    line.setdefault("line_number", seg[1])
            elif sid == "PID" and seg[5] and "description" not in line:
                ctx.used(seg, 1, 2, 5)
                line["description"] = seg[5]
            elif sid == "REF" and seg[1] == "LT" and seg[2] and "lot" not in line:
                ctx.used(seg, 1, 2)
                line["lot"] = seg[2]
            else:
                ctx.keep(seg)
        line["_seg"] = node.hl
        if sn1 is None:
            ctx.error(ctx.where(node.hl), "lines.quantity_shipped", "item level without SN1 (quantity shipped)")
            return None
        return line


def _lin(ctx: SetContext, seg: Segment) -> dict[str, Any]:
    """LIN01 line number (or the purchaser's line number, qualifier PL) and the item identifiers."""
    elements = seg.elements
    size = len(elements)
    if size > 32:
        ctx.used(seg, *LIN_USED)
    purchaser_line: str | None = None
    pairs: list[tuple[int, int]] = []
    for q, v in LIN_PAIRS:
        if v >= size:
            break
        if elements[q] != "PL":
            pairs.append((q, v))
        elif purchaser_line is None and elements[v]:
            purchaser_line = elements[v]
    line: dict[str, Any] = items.read_ids(ctx, seg, pairs, items.RETAIL)
    number = (elements[1] if size > 1 else "") or purchaser_line
    if number:
        line["line_number"] = number
    return line


def shipment_segment(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    """One shipment-level segment (S level, or before the first HL)."""
    sid = seg.id
    if sid == "TD1" and "package_count" not in doc:
        ctx.used(seg, 1, 2, 6, 7, 8)
        ctx.expect(seg, 1, "CTN")
        count = ctx.decimal(seg, 2, "package_count")
        doc["package_count"] = int(count) if count is not None and count == int(count) else None
        doc["total_weight"] = ctx.decimal(seg, 7, "total_weight")
        doc["weight_unit"] = seg.get(8)
    elif sid == "TD5" and "carrier_scac" not in doc and (seg[3] or seg[5] or seg[12]):
        ctx.used(seg, 1, 2, 3, 5, 12)
        doc["carrier_scac"] = seg.get(3)
        doc["carrier_name"] = seg.get(5)
        doc["service_level"] = seg.get(12)
    elif sid == "REF" and seg[1] == "2I" and seg[2]:
        ctx.used(seg, 1, 2)
        doc["tracking_numbers"].append(seg[2])
    elif sid == "REF" and seg[1] in SHIPMENT_REFS and seg[2] and SHIPMENT_REFS[seg[1]] not in doc:
        ctx.used(seg, 1, 2)
        doc[SHIPMENT_REFS[seg[1]]] = seg[2]
    elif sid == "REF" and seg[1] and seg[2] and seg[1] not in SHIPMENT_REFS and seg[1] not in doc["references"]:
        ctx.used(seg, 1, 2)
        doc["references"][seg[1]] = seg[2]
    elif sid == "DTM" and seg[1] == "011" and "shipped_at" not in doc:
        ctx.used(seg, 1, 2, 3, 4)
        doc["shipped_at"] = ctx.moment(seg, 2, 3, 4, "shipped_at")
    elif sid == "DTM" and seg[1] in ("017", "067") and "estimated_delivery" not in doc:
        ctx.used(seg, 1, 2)
        doc["estimated_delivery"] = ctx.date(seg, 2, "estimated_delivery")
    else:
        ctx.keep(seg)


def _with_loops(ctx: SetContext, segments: list[Segment], codes: parties.PartyCodes, sink: Any) -> Iterator[Segment]:
    """Yield the segments that are not N1 loops; N1 loops go to ``sink(party, n1)`` as parties."""
    i = 0
    while i < len(segments):
        if segments[i].id == "N1":
            n1 = segments[i]
            party, i = parties.read_loop(ctx, segments, i, codes)
            if party is not None:
                sink(party, n1)
            continue
        yield segments[i]
        i += 1


def _is_sscc(value: str) -> bool:
    digits = value[2:] if len(value) == 20 and value.startswith("00") else value
    return digits.isdigit() and len(digits) == 18


def _new_order() -> dict[str, Any]:
    return {"parties": [], "references": {}, "packages": [], "lines": []}


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[Shipment]:
    ctx = SetContext(ts, lookups)
    doc: dict[str, Any] = {"parties": [], "tracking_numbers": [], "references": {}}
    header, roots, ctt, levels = hierarchy.build(ctx, ts.segments)
    bsn: Segment | None = None
    for seg in header:
        if seg.id == "BSN" and bsn is None:
            bsn = seg
            ctx.used(seg, 1, 2, 3, 4, 5)
            ctx.expect(seg, 1, "00")
            if not seg[2]:
                ctx.error(ctx.where(seg, 2), "shipment_id", "BSN02 shipment identification is required")
            doc["shipment_id"] = seg[2]
        else:
            shipment_segment(ctx, seg, doc)
    require(bsn, ctx, "BSN", "shipment_id")
    if not roots:
        ctx.error("HL", "orders", "an 856 needs an HL hierarchy")
    walk = _Walk(ctx, doc)
    for root in roots:
        if root.level != "S":
            ctx.warn(root.hl, f"top HL level is {root.level!r}, not S", 3)
        walk.node(root, None, None, None)
    if roots and not walk.orders:
        ctx.error("HL", "orders", "the hierarchy holds no order, pack or item level")
    if ctt is not None:
        ctx.used(ctt, 1, 2)
        count = len(levels)
        item_count = sum(1 for node in levels if node.level == "I")
        if ctt[1] and ctt[1] not in (str(count), str(item_count)):
            ctx.warn(ctt, f"CTT01 says {ctt[1]}: the set has {count} HL segments, {item_count} items", 1)
    locate_tree(ctx, walk.orders)
    doc["orders"] = walk.orders
    lines = [ln for o in walk.orders for ln in [*o["lines"], *(x for p in o["packages"] for x in p["lines"])]]
    doc["partial"] = any(
        ln.get("quantity_ordered") is not None and ln.get("quantity_shipped") is not None
        and ln["quantity_shipped"] < ln["quantity_ordered"]
        for ln in lines
    )  # fmt: skip
    return ctx.build(Shipment, doc, key=doc.get("shipment_id"))


# --- canonical → X12 ------------------------------------------------------------------------------


def from_canonical(shipment: Shipment, *, issued_at: datetime | None = None) -> list[Segment]:
    """The 856 body for ``shipment`` in S/O/P/I (S/O/T/P/I for packages with a ``pallet_sscc``).
    BSN03/BSN04 are ``issued_at`` (default: ``shipped_at``). Not carried: a package's lines and
    attributes when it has neither SSCC, tracking number, packaging code nor weight are still written
    (a P level is always written for a package)."""
    issued = issued_at or shipment.shipped_at
    if issued is None:
        raise mapping_error("856 needs a date", "BSN/BSN03", "shipped_at", "no shipped_at and no issued_at given")
    body = [Segment.of("BSN", "00", shipment.shipment_id, values.format_date(issued), values.format_time(issued),
                       "0001")]  # fmt: skip
    hl = _Counter()
    shipment_hl = hl.next()
    body.append(Segment.of("HL", shipment_hl, None, "S", "1"))
    body += _shipment_segments(shipment)
    for order in shipment.orders:
        order_hl = hl.next()
        has_children = bool(order.lines or order.packages)
        body.append(Segment.of("HL", order_hl, shipment_hl, "O", "1" if has_children else "0"))
        if order.po_number:
            po_date = values.format_date(order.po_date) if order.po_date else None
            body.append(Segment.of("PRF", order.po_number, None, None, po_date))
        if order.order_ref:
            body.append(Segment.of("REF", "VN", order.order_ref))
        body += [Segment.of("REF", key, value) for key, value in order.references.items()]
        for party in order.parties:
            body += parties.loop_segments(party, parties.RETAIL)
        for line in order.lines:
            body += _item(hl, order_hl, line)
        pallet: str | None = None
        pallet_hl = order_hl
        for package in order.packages:
            if package.pallet_sscc != pallet:
                pallet = package.pallet_sscc
                pallet_hl = order_hl
                if pallet:
                    pallet_hl = hl.next()
                    body += [Segment.of("HL", pallet_hl, order_hl, "T", "1"), Segment.of("MAN", "GM", "00" + pallet)]
            body += _package(hl, pallet_hl, package)
    body.append(Segment.of("CTT", str(hl.count)))
    return body


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return str(self.count)


def _shipment_segments(shipment: Shipment) -> list[Segment]:
    out: list[Segment] = []
    weight = values.format_decimal(shipment.total_weight) if shipment.total_weight is not None else None
    count = str(shipment.package_count) if shipment.package_count is not None else None
    if count or weight or shipment.weight_unit:
        out.append(Segment.of("TD1", "CTN" if count else None, count, None, None, None, "G" if weight else None,
                              weight, shipment.weight_unit))  # fmt: skip
    if shipment.carrier_scac or shipment.carrier_name or shipment.service_level:
        scac = shipment.carrier_scac
        out.append(Segment.of("TD5", None, "2" if scac else None, scac, None, shipment.carrier_name, *[None] * 6,
                              shipment.service_level))  # fmt: skip
    for code, value in (("BM", shipment.bill_of_lading), ("CN", shipment.pro_number)):
        if value:
            out.append(Segment.of("REF", code, value))
    out += [Segment.of("REF", "2I", number) for number in shipment.tracking_numbers]
    out += [Segment.of("REF", key, value) for key, value in shipment.references.items()]
    if shipment.shipped_at is not None:
        moment = shipment.shipped_at
        out.append(Segment.of("DTM", "011", values.format_date(moment), values.format_time(moment), "UT"))
    if shipment.estimated_delivery is not None:
        out.append(Segment.of("DTM", "017", values.format_date(shipment.estimated_delivery)))
    for code, party in (("SF", shipment.ship_from), ("ST", shipment.ship_to)):
        if party is not None:
            out += parties.loop_segments(party.model_copy(update={"role": parties.RETAIL.read[code]}), parties.RETAIL)
    for party in shipment.parties:
        out += parties.loop_segments(party, parties.RETAIL)
    return out


def _package(hl: _Counter, parent: str, package: Package) -> list[Segment]:
    package_hl = hl.next()
    out = [Segment.of("HL", package_hl, parent, "P", "1" if package.lines else "0")]
    weight = values.format_decimal(package.weight) if package.weight is not None else None
    if package.packaging_code or weight or package.weight_unit:  # TD1 comes before MAN in the HL loop
        code = package.packaging_code
        out.append(Segment.of("TD1", code, "1" if code else None, None, None, None, "G" if weight else None, weight,
                              package.weight_unit))  # fmt: skip
    if package.sscc:
        out.append(Segment.of("MAN", "GM", "00" + package.sscc))
    if package.tracking_number:
        out.append(Segment.of("MAN", "CP", package.tracking_number))
    for line in package.lines:
        out += _item(hl, package_hl, line)
    return out


def _item(hl: _Counter, parent: str, line: ShipmentLine) -> list[Segment]:
    ids: list[str | None] = []
    if line.gtin:
        ids += [items.gtin_qualifier(line.gtin), line.gtin]
    for qualifier, value in (("SK", line.sku), ("VN", line.vendor_part_number), ("BP", line.buyer_part_number)):
        if value:
            ids += [qualifier, value]
    ordered = values.format_decimal(line.quantity_ordered) if line.quantity_ordered is not None else None
    out = [
        Segment.of("HL", hl.next(), parent, "I", "0"),
        Segment.of("LIN", line.line_number, *ids),
        Segment.of(
            "SN1",
            None,
            values.format_decimal(line.quantity_shipped),
            line.unit_of_measure,
            None,
            ordered,
            line.unit_of_measure if ordered else None,
        ),
    ]
    if line.description:
        out.append(Segment.of("PID", "F", None, None, None, line.description))
    if line.lot:
        out.append(Segment.of("REF", "LT", line.lot))
    return out
