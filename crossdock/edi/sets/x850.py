"""X12 850 Purchase Order ⇄ :class:`~crossdock.canonical.Order`.

Mapped: BEG (purpose, type, PO number, release → ``references["release_number"]``, date, contract →
``references["contract_number"]``), CUR, REF, header PER (buyer contact), DTM 002/010/001/004, DTM 097
(``updated_at``; a cancellation or change without one is as of its PO date, BEG05 or DTM*004), TD5,
header and line SAC (allowances → discounts, header charges → fees; SAC05 is N2), TXI, N9*L1 + MSG,
MSG, NTE and MTX (notes), other N9 (references), N1 loops, PO1 loops (PO101..PO125, PID, CTP when
PO104 is empty, SAC, TXI), CTT (checked), AMT 1 / TT (subtotal / total). Everything else is kept as
unmapped.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from crossdock.canonical import Order, OrderPurpose, PartyRole
from crossdock.canonical.currencies import ISO_4217
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, parties, values
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, mapping_error, require

SET_ID = "850"
FUNCTIONAL_ID = "PO"

PURPOSES = {"00": OrderPurpose.ORIGINAL, "01": OrderPurpose.CANCELLATION, "04": OrderPurpose.CHANGE,
            "05": OrderPurpose.CHANGE, "06": OrderPurpose.CONFIRMATION, "07": OrderPurpose.ORIGINAL}  # fmt: skip
PURPOSE_CODES = {OrderPurpose.ORIGINAL: "00", OrderPurpose.CANCELLATION: "01", OrderPurpose.CHANGE: "04",
                 OrderPurpose.CONFIRMATION: "06"}  # fmt: skip
DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", "001": "cancel_after"}
CHANGED = "097"
"""DTM01 transaction creation: the as-of time of an amended PO (``updated_at``)."""
AMENDMENTS = (OrderPurpose.CANCELLATION, OrderPurpose.CHANGE)
TAX_KINDS = {"ST": "sales", "VA": "vat", "GS": "gst"}
AMOUNTS = {"1": "subtotal", "TT": "total"}
PO1_PAIRS = [(q, q + 1) for q in range(6, 25, 2)]
NAMED_REFERENCES = ("release_number", "contract_number")
PER_UNIT_BASIS = ("PE", "TE", "UM", "WE", "CP", "CT", "QT", "NT")
"""PO105 codes for a price per unit of the line's unit of measure; any other basis (HP per hundred, SR
suggested retail ...) is reported, the price still read as per unit."""


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[Order]:
    ctx = SetContext(ts, lookups)
    segs = ts.segments
    doc: dict[str, Any] = {"channel": "edi", "parties": [], "lines": [], "discounts": [], "fees": [], "taxes": [],
                           "notes": [], "references": {}}  # fmt: skip
    totals: dict[str, Decimal] = {}
    header_contact: dict[str, Any] = {}
    line: dict[str, Any] | None = None
    beg: Segment | None = None
    ctt: Segment | None = None
    lines: list[dict[str, Any]] = doc["lines"]
    i, count = 0, len(segs)
    while i < count:
        seg = segs[i]
        sid = seg.elements[0]
        if sid == "N1" and line is None:
            party, i = parties.read_loop(ctx, segs, i, parties.RETAIL)
            if party is not None:
                doc["parties"].append(party)
            continue
        i += 1
        if sid == "PO1":
            line = _start_line(ctx, seg, len(lines))
            lines.append(line)
        elif line is not None and sid != "CTT":
            _line_segment(ctx, seg, line, len(lines) - 1)
        elif sid == "CTT":
            ctt, line = seg, None
        elif sid == "AMT":  # header or summary (after CTT); a line's AMT stays with the line
            _amount(ctx, seg, totals)
        elif sid == "BEG":
            beg = seg
            _beg(ctx, seg, doc)
        else:
            _header(ctx, seg, doc, header_contact)
    require(beg, ctx, "BEG", "external_id")
    if doc.get("purpose") in AMENDMENTS and doc.get("updated_at") is None:
        doc["updated_at"] = doc.get("ordered_at")  # as of its date (BEG05, DTM*004), when it has no DTM*097
    if not doc["lines"]:
        ctx.error("PO1", "lines", "an 850 needs at least one PO1 line")
    seen: set[str] = set()
    for index, line in enumerate(doc["lines"]):
        if line["line_number"] in seen:
            field = f"lines[{index}].line_number"
            ctx.error(ctx.locate(field), field, f"line number {line['line_number']!r} appears twice")
        seen.add(line["line_number"])
    if ctt is not None:
        _check_ctt(ctx, ctt, doc["lines"])
    if totals:
        doc["totals"] = totals
    _merge_buyer_contact(doc, header_contact)
    return ctx.build(Order, doc, key=doc.get("external_id"))


def _beg(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3, 4, 5, 6)
    purpose = PURPOSES.get(seg[1])
    if purpose is None:
        ctx.warn(seg, f"purpose code {seg[1]!r} unknown: taken as original", 1)
    doc["purpose"] = purpose or OrderPurpose.ORIGINAL
    doc["order_type"] = seg.get(2)
    if not seg[3]:
        ctx.error(ctx.where(seg, 3), "external_id", "BEG03 purchase order number is required")
    doc["external_id"] = seg[3]
    ctx.at("external_id", seg, 3)
    for position, name in ((4, "release_number"), (6, "contract_number")):
        if seg[position]:
            doc["references"][name] = seg[position]
    day = ctx.date(seg, 5, "ordered_at")
    if day is not None and "ordered_at" not in doc:
        doc["ordered_at"] = values.combine(day, None, UTC)
    elif seg[5] == "":
        ctx.warn(seg, "BEG05 purchase order date is missing", 5)


def _header(ctx: SetContext, seg: Segment, doc: dict[str, Any], contact: dict[str, Any]) -> None:
    sid = seg.id
    if sid == "CUR":
        ctx.used(seg, 1, 2)
        if seg[2].upper() in ISO_4217:
            doc["currency"] = seg[2]
        else:
            ctx.error(ctx.where(seg, 2), "currency", f"{seg[2]!r} is not an ISO-4217 currency code")
    elif sid == "REF":
        _reference(ctx, seg, doc["references"])
    elif sid == "PER" and not contact:
        contact.update(parties.read_contact(ctx, seg))
    elif sid == "DTM" and seg[1] in DATES:
        ctx.used(seg, 1, 2)
        doc[DATES[seg[1]]] = ctx.date(seg, 2, DATES[seg[1]])
    elif sid == "DTM" and seg[1] in ("004", CHANGED):
        name = "ordered_at" if seg[1] == "004" else "updated_at"
        ctx.used(seg, 1, 2, 3, 4)
        moment = ctx.moment(seg, 2, 3, 4, name)
        if moment is not None:
            doc[name] = moment
    elif sid == "TD5" and "shipping_method" not in doc:
        ctx.used(seg, 2, 3, 5, 12)
        method = {"carrier": seg.get(3), "routing": seg.get(5), "service_level": seg.get(12)}
        doc["shipping_method"] = method if any(method.values()) else None
    elif sid == "SAC":
        sac = _sac(ctx, seg, "discounts")
        if sac is not None:
            kind, fields = sac
            if kind == "A":
                doc["discounts"].append(fields)
            else:
                doc["fees"].append({"kind": fields["code"] or "SAC", "amount": fields["amount"]})
                if fields["description"]:
                    ctx.warn(seg, f"SAC15={fields['description']!r} not mapped (a fee has no description)", 15)
    elif sid == "TXI":
        tax = _tax(ctx, seg, "taxes")
        if tax is not None:
            doc["taxes"].append(tax)
    elif sid == "N9" and seg[1] == "L1":
        ctx.used(seg, 1, 2, 3)
    elif sid == "N9":
        _reference(ctx, seg, doc["references"])
    elif sid in ("MSG", "NTE", "MTX"):
        text = seg[1] if sid == "MSG" else seg[2]
        if text:
            doc["notes"].append(text)
        ctx.used(seg, 1, 2)
    else:
        ctx.keep(seg)


def _reference(ctx: SetContext, seg: Segment, references: dict[str, str]) -> None:
    value = seg[2] or seg[3]
    if not seg[1] or not value:
        ctx.keep(seg, f"{seg.id} without qualifier or value kept unmapped")
    elif seg[1] in references:
        ctx.keep(seg, f"second {seg.id}*{seg[1]} kept unmapped")
    else:
        ctx.used(seg, 1, 2) if seg[2] else ctx.used(seg, 1, 3)
        references[seg[1]] = value


def _sac(ctx: SetContext, seg: Segment, field: str) -> tuple[str, dict[str, Any]] | None:
    if seg[1] not in ("A", "C") or not seg[5]:
        ctx.keep(seg, "SAC without an allowance or charge amount kept unmapped")
        return None
    try:
        amount = values.parse_implied(seg[5])
    except ValueError as exc:
        ctx.error(ctx.where(seg, 5), field, str(exc))
        return None
    ctx.used(seg, 1, 2, 5, 15)
    return seg[1], {"code": seg.get(2), "amount": abs(amount), "description": seg.get(15)}


def _tax(ctx: SetContext, seg: Segment, field: str) -> dict[str, Any] | None:
    amount = ctx.decimal(seg, 2, f"{field}.amount")
    if amount is None:
        ctx.keep(seg, "TXI without a tax amount kept unmapped")
        return None
    percent = ctx.decimal(seg, 3, f"{field}.rate")
    ctx.used(seg, 1, 2, 3, 4, 5)
    return {"kind": TAX_KINDS.get(seg[1], seg[1] or "sales"), "amount": amount,
            "rate": percent / 100 if percent is not None else None, "jurisdiction": seg.get(5)}  # fmt: skip


def _amount(ctx: SetContext, seg: Segment, totals: dict[str, Decimal]) -> None:
    name = AMOUNTS.get(seg[1])
    if name is None or name in totals:
        ctx.keep(seg, f"AMT*{seg[1]} kept unmapped")
        return
    ctx.used(seg, 1, 2)
    amount = ctx.decimal(seg, 2, f"totals.{name}", required=True)
    if amount is not None:
        totals[name] = amount


PO1_USED = tuple(range(1, 26))
LINE_ELEMENTS = {"line_number": 1, "quantity": 2, "unit_price": 4}
"""Where a line's fields come from in its PO1 (a CTP03 price is recorded when it is read)."""


def _start_line(ctx: SetContext, seg: Segment, index: int) -> dict[str, Any]:
    elements = seg.elements
    size = len(elements)
    if size > 26:
        ctx.used(seg, *PO1_USED)
    if size > 5 and elements[5] and elements[5] not in PER_UNIT_BASIS:
        ctx.expect(seg, 5, *PER_UNIT_BASIS)
    ctx.positions[f"lines[{index}]"] = (seg, None, LINE_ELEMENTS)  # ctx.row, on the hottest path
    number = elements[1] if size > 1 else ""
    if not number:
        number = str(index + 1)
        ctx.warn(seg, f"PO101 line number missing: numbered {number} by position", 1)
    ids: dict[str, Any] = items.read_ids(ctx, seg, PO1_PAIRS, items.RETAIL)
    if not ids:
        ctx.error(ctx.where(seg, 7), f"lines[{index}]", "no usable item identifier (UP/EN/UK/IN/BP/VN/SK ...)")
    uom = elements[3] if size > 3 else ""
    if not uom:
        ctx.warn(seg, "PO103 unit of measure missing: EA assumed", 3)
    text = elements[2] if size > 2 else ""
    if text.replace(".", "", 1).isdecimal():  # digits with at most one point: a valid R number
        ids["quantity"] = Decimal(text)
    else:
        ids["quantity"] = ctx.decimal(seg, 2, f"lines[{index}].quantity", required=True, record=False)
    ids["line_number"] = number
    ids["unit_of_measure"] = uom or "EA"
    text = elements[4] if size > 4 else ""
    if not text:
        ids["unit_price"] = None
    elif text.replace(".", "", 1).isdecimal():
        ids["unit_price"] = Decimal(text)
    else:
        ids["unit_price"] = ctx.decimal(seg, 4, f"lines[{index}].unit_price", record=False)
    ids["discounts"] = []
    ids["taxes"] = []
    return ids


def _line_segment(ctx: SetContext, seg: Segment, line: dict[str, Any], index: int) -> None:
    elements = seg.elements
    sid = elements[0]
    if sid == "PID" and "description" not in line and len(elements) > 5 and elements[5]:
        ctx.used(seg, 1, 5)
        line["description"] = elements[5]
    elif sid == "CTP" and line.get("unit_price") is None and seg[3]:
        ctx.used(seg, 1, 2, 3)
        line["unit_price"] = ctx.decimal(seg, 3, f"lines[{index}].unit_price")
    elif sid == "SAC" and seg[1] == "A":
        sac = _sac(ctx, seg, f"lines[{index}].discounts")
        if sac is not None:
            line["discounts"].append(sac[1])
    elif sid == "TXI":
        tax = _tax(ctx, seg, f"lines[{index}].taxes")
        if tax is not None:
            line["taxes"].append(tax)
    else:
        ctx.keep(seg)


def _check_ctt(ctx: SetContext, ctt: Segment, lines: list[dict[str, Any]]) -> None:
    ctx.used(ctt, 1, 2)
    if ctt[1] and ctt[1] != str(len(lines)):
        ctx.warn(ctt, f"CTT01 says {ctt[1]} lines, the set has {len(lines)}", 1)
    if ctt[2]:
        total = sum((line["quantity"] for line in lines if line.get("quantity") is not None), Decimal(0))
        try:
            if values.parse_decimal(ctt[2]) != total:
                ctx.warn(ctt, f"CTT02 hash total {ctt[2]} differs from the quantity total {total}", 2)
        except ValueError:
            ctx.warn(ctt, f"CTT02 {ctt[2]!r} is not a number", 2)


def _merge_buyer_contact(doc: dict[str, Any], contact: dict[str, Any]) -> None:
    if not contact:
        return
    for index, party in enumerate(doc["parties"]):
        if party.role == PartyRole.BUYER:
            if not (party.contact_name or party.phone or party.email):
                doc["parties"][index] = party.model_copy(update=contact)
            return
    doc["parties"].append({"role": PartyRole.BUYER, **contact})


# --- canonical → X12 ------------------------------------------------------------------------------


def from_canonical(order: Order) -> list[Segment]:
    """The 850 body (between ST and SE) for ``order``. Not carried: ``totals`` other than subtotal and
    total, line ``external_line_id``, fee descriptions, ``ordered_at`` below the second."""
    refs = order.references
    body = [Segment.of("BEG", PURPOSE_CODES[order.purpose], order.order_type or "SA", order.external_id,
                       refs.get("release_number"), values.format_date(order.ordered_at) if order.ordered_at else None,
                       refs.get("contract_number"))]  # fmt: skip
    if order.currency != "USD":
        body.append(Segment.of("CUR", "BY", order.currency))
    body += [Segment.of("REF", key, value) for key, value in refs.items() if key not in NAMED_REFERENCES]
    body += [_sac_segment("A", d.code, d.amount, d.description) for d in order.discounts]
    body += [_sac_segment("C", f.kind, f.amount, None) for f in order.fees]
    if order.ordered_at is not None and not values.is_midnight_utc(order.ordered_at):
        moment = order.ordered_at
        body.append(Segment.of("DTM", "004", values.format_date(moment), values.format_time(moment), "UT"))
    if order.updated_at is not None:
        moment = order.updated_at
        body.append(Segment.of("DTM", CHANGED, values.format_date(moment), values.format_time(moment), "UT"))
    for code, name in DATES.items():
        day = getattr(order, name)
        if day is not None:
            body.append(Segment.of("DTM", code, values.format_date(day)))
    method = order.shipping_method
    if method is not None and (method.carrier or method.routing or method.service_level):
        td5 = ["", "2" if method.carrier else "", method.carrier or "", "", method.routing or "", *[""] * 6]
        body.append(Segment.of("TD5", *td5, method.service_level))
    body += [_txi_segment(tax) for tax in order.taxes]
    if order.notes:
        body.append(Segment.of("N9", "L1", "NOTES"))
        body += [Segment.of("MSG", note) for note in order.notes]
    for party in order.parties:
        body += parties.loop_segments(party, parties.RETAIL)
    for line in order.lines:
        ids: list[str | None] = []
        for qualifier, value in (("SK", line.sku), ("BP", line.buyer_part_number), ("VN", line.vendor_part_number)):
            if value:
                ids += [qualifier, value]
        if line.gtin:
            ids = [items.gtin_qualifier(line.gtin), line.gtin, *ids]
        price = values.format_decimal(line.unit_price) if line.unit_price is not None else None
        body.append(Segment.of("PO1", line.line_number, values.format_decimal(line.quantity), line.unit_of_measure,
                               price, None, *ids))  # fmt: skip
        if line.description:
            body.append(Segment.of("PID", "F", None, None, None, line.description))
        body += [_sac_segment("A", d.code, d.amount, d.description) for d in line.discounts]
        body += [_txi_segment(tax) for tax in line.taxes]
    body.append(Segment.of("CTT", str(len(order.lines))))
    if order.totals is not None:
        for code, name in AMOUNTS.items():
            amount = getattr(order.totals, name)
            if amount is not None:
                body.append(Segment.of("AMT", code, values.format_decimal(amount)))
    return body


def _sac_segment(kind: str, code: str | None, amount: Decimal, description: str | None) -> Segment:
    try:
        implied = values.format_implied(amount)
    except ValueError as exc:
        raise mapping_error("SAC05 has two implied decimals", "SAC/SAC05", "amount", str(exc)) from exc
    return Segment.of("SAC", kind, code, None, None, implied, *[None] * 9, description)


def _txi_segment(tax: Any) -> Segment:
    return values.tax_segment(tax, {v: k for k, v in TAX_KINDS.items()}.get(tax.kind, tax.kind))


header_segment = _header
"""Map one header segment (CUR, REF, PER, DTM, TD5, SAC, TXI, N9, MSG ...) into ``doc``: shared with the
860, whose header segments are the 850's."""
merge_buyer_contact = _merge_buyer_contact
