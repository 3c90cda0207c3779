"""X12 860 Purchase Order Change Request (buyer initiated) → :class:`~crossdock.canonical.Order`, an
amendment of a PO we already have.

- BCH01 purpose: ``01`` → ``cancellation``, ``04`` → ``change``, ``05`` (replace) → ``change`` with a
  warning (the POC lines are still read as changes); any other purpose cannot be an amendment: a
  :class:`~crossdock.errors.MappingError` naming BCH01. BCH02 order type, BCH03 PO number (required), BCH04
  release → ``references["release_number"]``, BCH05 change sequence → ``references["change_sequence"]``,
  BCH06 PO date → ``ordered_at``, BCH08 contract → ``references["contract_number"]``.
- ``updated_at`` (the version's as-of time): DTM*097 (date, time and time code), else BCH11 (the change
  request date), else the group's GS04/GS05 (with a warning). A date or time without a time code is
  taken as **UTC**, like every X12 date crossdock reads (docs/edi-translation.md, "Values").
- Header segments as in the 850 (CUR, REF, PER, DTM 002/010/001, TD5, SAC, TXI, N9, MSG/NTE, N1 loops).
- POC lines → ``lines`` with ``line_changes_only=True``: POC01 line number (required: it names the line
  that changes), POC02 change type, POC03 the line's quantity as it now stands (required but for DI),
  POC05 unit, POC06 price, POC08..POC27 item ids, PID description. DI (delete item) → quantity 0. NC (no
  change) lines are skipped with a warning. A change type the canonical order cannot carry (a reschedule,
  a unit-of-measure change without a quantity ...) is a MappingError naming POC02.
- A cancellation without POC lines cancels the whole PO: ``lines`` empty, ``line_changes_only=False``
  (the order as it now stands has no line). A change needs at least one POC line.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from crossdock.canonical import Order, OrderPurpose
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, parties, values, x850
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, require

SET_ID = "860"
FUNCTIONAL_ID = "PC"

PURPOSES = {"01": OrderPurpose.CANCELLATION, "04": OrderPurpose.CHANGE, "05": OrderPurpose.CHANGE}
POC_PAIRS = [(q, q + 1) for q in range(8, 27, 2)]
DELETE = frozenset({"DI"})
"""Change types that cancel the line (its quantity becomes 0)."""
NEW_QUANTITY = frozenset({"AI", "QD", "QI", "QC", "CA", "CT", "PC", "PQ", "RZ", "RQ", "CF"})
"""Change types whose line is read with its quantity as it now stands (POC03): AI add item, QD/QI/QC
quantity decrease/increase/change, CA changes to line items, CT change of dates, PC price change, PQ price
and quantity, RZ replace all values, RQ reschedule and quantity, CF cancel previously transmitted PO
line."""
NO_CHANGE = frozenset({"NC"})
CHANGE_DATE = "097"
"""DTM01 transaction creation: the change's date, time and time code."""


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[Order]:
    ctx = SetContext(ts, lookups)
    segs = ts.segments
    doc: dict[str, Any] = {"channel": "edi", "parties": [], "lines": [], "discounts": [], "fees": [], "taxes": [],
                           "notes": [], "references": {}, "line_changes_only": True}  # fmt: skip
    contact: dict[str, Any] = {}
    line: dict[str, Any] | None = None
    bch: Segment | None = None
    change_date: Segment | None = None
    pocs = 0
    i, count = 0, len(segs)
    while i < count:
        seg = segs[i]
        sid = seg.id
        if sid == "N1" and not pocs:  # after the first POC an N1 is a line's, even after an NC line
            party, i = parties.read_loop(ctx, segs, i, parties.RETAIL)
            if party is not None:
                doc["parties"].append(party)
            continue
        i += 1
        if sid == "POC":
            pocs += 1
            line = _line(ctx, seg, pocs)
            if line is not None:
                doc["lines"].append(line)
        elif sid == "CTT":
            ctx.used(seg, 1, 2)
            line = None
        elif line is not None and sid == "PID" and "description" not in line and seg[5]:
            ctx.used(seg, 1, 5)
            line["description"] = seg[5]
        elif pocs:  # any other segment of a POC loop (a skipped NC line's too)
            ctx.keep(seg)
        elif sid == "BCH":
            bch = seg
            _bch(ctx, seg, doc)
        elif sid == "DTM" and seg[1] == CHANGE_DATE:
            change_date = seg
        else:
            x850.header_segment(ctx, seg, doc, contact)
    require(bch, ctx, "BCH", "external_id")
    _updated_at(ctx, ts, bch, change_date, doc)
    if not doc["lines"] and pocs == 0 and doc.get("purpose") is OrderPurpose.CANCELLATION:
        doc["line_changes_only"] = False  # the whole PO is cancelled: as it now stands, it has no line
    elif not doc["lines"]:
        ctx.error("POC", "lines", "an 860 change needs at least one POC line that changes something")
    seen: set[str] = set()
    for index, read in enumerate(doc["lines"]):
        if read["line_number"] in seen:
            field = f"lines[{index}].line_number"
            ctx.error(ctx.locate(field), field, f"line {read['line_number']!r} is changed twice in one 860")
        seen.add(read["line_number"])
    x850.merge_buyer_contact(doc, contact)
    return ctx.build(Order, doc, key=doc.get("external_id"))


def _bch(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 8, 11)
    purpose = PURPOSES.get(seg[1])
    if purpose is None:
        ctx.error(ctx.where(seg, 1), "purpose",
                  f"BCH01 {seg[1]!r} is not an amendment crossdock can apply (01 cancellation, 04 change, 05 "
                  "replace)")  # fmt: skip
    elif seg[1] == "05":
        ctx.warn(seg, "BCH01 05 (replace) read as a change of the POC lines it lists", 1)
    doc["purpose"] = purpose or OrderPurpose.CHANGE
    doc["order_type"] = seg.get(2)
    if not seg[3]:
        ctx.error(ctx.where(seg, 3), "external_id", "BCH03 purchase order number is required")
    doc["external_id"] = seg[3]
    ctx.at("external_id", seg, 3)
    for position, name in ((4, "release_number"), (5, "change_sequence"), (8, "contract_number")):
        if seg[position]:
            doc["references"][name] = seg[position]
    day = ctx.date(seg, 6, "ordered_at")
    if day is not None:
        doc["ordered_at"] = values.combine(day, None, UTC)


def _updated_at(
    ctx: SetContext, ts: TransactionSet, bch: Segment | None, change_date: Segment | None, doc: dict[str, Any]
) -> None:
    """DTM*097, else BCH11, else the group's date and time (GS04/GS05, UTC)."""
    if change_date is not None:
        ctx.used(change_date, 1, 2, 3, 4)
        doc["updated_at"] = ctx.moment(change_date, 2, 3, 4, "updated_at")
        return
    if bch is not None and bch[11]:
        day = ctx.date(bch, 11, "updated_at")
        doc["updated_at"] = values.combine(day, None, UTC) if day is not None else None
        return
    try:
        day, clock = values.parse_date(ts.gs[4]), values.parse_time(ts.gs[5])
    except ValueError:
        return  # the envelope checks report a bad GS date; the amendment has no as-of time
    doc["updated_at"] = values.combine(day, clock, UTC)
    if bch is not None:
        ctx.warn(bch, "no DTM*097 and no BCH11: the change is dated by its group (GS04/GS05, UTC)", 11)


LINE_ELEMENTS = {"line_number": 1, "quantity": 3, "unit_price": 6}


def _line(ctx: SetContext, seg: Segment, number: int) -> dict[str, Any] | None:
    index = number - 1
    field = f"lines[{index}]"
    ctx.used(seg, *range(1, 28))
    ctx.row(field, seg, LINE_ELEMENTS)
    kind = seg[2]
    if kind in NO_CHANGE:
        ctx.warn(seg, f"POC02 {kind!r} (no change): line {seg[1] or number} left as it is", 2)
        return None
    if kind not in DELETE and kind not in NEW_QUANTITY:
        ctx.error(ctx.where(seg, 2), f"{field}.quantity",
                  f"change type {kind!r} cannot be applied to an order line (known: add AI, delete DI, quantity "
                  "QD/QI/QC, CA, CT, PC, PQ, RZ, RQ, CF)")  # fmt: skip
    if not seg[1]:
        ctx.error(ctx.where(seg, 1), f"{field}.line_number", "POC01 is required: it names the line that changes")
    ids: dict[str, Any] = items.read_ids(ctx, seg, POC_PAIRS, items.RETAIL)
    if not ids:
        ctx.error(ctx.where(seg, 8), field, "no usable item identifier (UP/EN/UK/IN/BP/VN/SK ...)")
    if kind in DELETE:
        quantity: Decimal | None = Decimal(0)
        if seg[3] and seg[3] != "0":
            ctx.warn(seg, f"POC03 {seg[3]!r} on a deleted line: the line is cancelled (quantity 0)", 3)
    else:
        quantity = ctx.decimal(seg, 3, f"{field}.quantity", required=True, record=False)
    uom = seg.component(5, 1)
    ids.update(line_number=seg[1] or str(number), quantity=quantity, unit_of_measure=uom or "EA",
               unit_price=ctx.decimal(seg, 6, f"{field}.unit_price", record=False), discounts=[], taxes=[])  # fmt: skip
    if seg[7] and seg[7] not in x850.PER_UNIT_BASIS:
        ctx.expect(seg, 7, *x850.PER_UNIT_BASIS)
    return ids
