"""X12 846 Inventory Inquiry/Advice ⇄ :class:`~crossdock.canonical.InventoryAdvice` (a 3PL's stock report).

Mapped: BIA (BIA03 advice id, BIA04/BIA05 as of, in UTC; BIA02 report type), the header N1 loop whose
N101 is WH, SF or RL (N104, else N102: the location), LIN (qualifier pairs 02/03 .. 08/09, warehouse
qualifiers: VN/SK/VC are our SKU), PID*F (description), QTY*17 (on hand), QTY*33 (available for sale);
the QTY unit (QTY03) is the line's unit. A line with only QTY*33 takes it as on hand too (warned).
Everything else is kept as unmapped. Each 846 reports one location; several locations come as several
846s (or several sets in one file).
"""

from __future__ import annotations

from typing import Any

from crossdock.canonical import InventoryAdvice, InventoryAdviceLine
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, values
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, require

SET_ID = "846"
FUNCTIONAL_ID = "IB"

LIN_PAIRS = [(2, 3), (4, 5), (6, 7), (8, 9)]
LOCATION_CODES = ("WH", "SF", "RL")
ON_HAND, AVAILABLE = "17", "33"


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[InventoryAdvice]:
    ctx = SetContext(ts, lookups)
    doc: dict[str, Any] = {"lines": []}
    bia: Segment | None = None
    line: dict[str, Any] | None = None
    for seg in ts.segments:
        sid = seg.id
        if sid == "LIN":
            line = _lin(ctx, seg, len(doc["lines"]))
            doc["lines"].append(line)
        elif line is not None and sid == "QTY":
            _qty(ctx, seg, line, len(doc["lines"]) - 1)
        elif line is not None and sid == "PID" and seg[1] == "F" and seg[5] and "description" not in line:
            ctx.used(seg, 1, 5)
            line["description"] = seg[5]
        elif line is None and sid == "BIA":
            bia = seg
            _bia(ctx, seg, doc)
        elif line is None and sid == "N1" and seg[1] in LOCATION_CODES and "location" not in doc:
            ctx.used(seg, 1, 2, 3, 4)
            doc["location"] = seg[4] or seg[2] or None
        else:
            ctx.keep(seg)
    require(bia, ctx, "BIA", "advice_id")
    for index, item in enumerate(doc["lines"]):
        if "on_hand" not in item:
            if item.get("available") is None:
                ctx.error(ctx.where(item["_seg"]), f"lines[{index}].on_hand", "no QTY*17 (on hand) nor QTY*33")
            else:
                ctx.warn(item["_seg"], "no QTY*17 on hand: QTY*33 available taken as on hand")
                item["on_hand"] = item["available"]
        item.pop("_seg")
    if not doc["lines"]:
        ctx.error(f"ST[{ts.control_number}]", "lines", "an 846 needs at least one LIN item")
    return ctx.build(InventoryAdvice, doc, key=doc.get("advice_id"))


def _bia(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3, 4, 5)
    ctx.expect(seg, 1, "00", "06", "25")
    doc["report_type"] = seg[2] or "MM"
    doc["advice_id"] = seg[3]
    if not seg[3]:
        ctx.error(ctx.where(seg, 3), "advice_id", "BIA03 reference identification is required")
    as_of = ctx.moment(seg, 4, 5, None, "as_of")
    if as_of is None and not seg[4]:
        ctx.error(ctx.where(seg, 4), "as_of", "BIA04 date is required")
    doc["as_of"] = as_of


def _lin(ctx: SetContext, seg: Segment, index: int) -> dict[str, Any]:
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    ids = items.read_ids(ctx, seg, LIN_PAIRS, items.WAREHOUSE)
    ctx.row(f"lines[{index}]", seg, {})
    line: dict[str, Any] = {"_seg": seg, "sku": ids.get("sku"), "gtin": ids.get("gtin")}
    if not line["sku"]:
        ctx.error(ctx.where(seg), f"lines[{index}].sku", "no item number (VN, SK or VC) and no SKU for its ids")
    return line


def _qty(ctx: SetContext, seg: Segment, line: dict[str, Any], index: int) -> None:
    code = seg[1]
    if code not in (ON_HAND, AVAILABLE):
        ctx.keep(seg, f"QTY01={code!r} is neither 17 (on hand) nor 33 (available): kept unmapped")
        return
    ctx.used(seg, 1, 2, 3)
    field = "on_hand" if code == ON_HAND else "available"
    if field in line:
        ctx.keep(seg, f"second QTY*{code} for one item kept unmapped")
        return
    line[field] = ctx.decimal(seg, 2, f"lines[{index}].{field}", required=True)
    if seg[3]:
        line["unit_of_measure"] = seg[3]


# --- canonical → X12 ------------------------------------------------------------------------------


def from_canonical(advice: InventoryAdvice) -> list[Segment]:
    """The 846 body for ``advice`` (what crossdock sends a B2B partner that wants stock reports)."""
    as_of = advice.as_of
    body = [Segment.of("BIA", "00", advice.report_type, advice.advice_id, values.format_date(as_of),
                       values.format_time(as_of))]  # fmt: skip
    if advice.location:
        body.append(Segment.of("N1", "WH", None, "92", advice.location))
    for number, line in enumerate(advice.lines, start=1):
        body += _item(number, line)
    body.append(Segment.of("CTT", str(len(advice.lines))))
    return body


def _item(number: int, line: InventoryAdviceLine) -> list[Segment]:
    ids = [("VN", line.sku)]
    if line.gtin:
        ids.append((items.gtin_qualifier(line.gtin), line.gtin))
    out = [Segment.of("LIN", str(number), *(part for pair in ids for part in pair))]
    if line.description:
        out.append(Segment.of("PID", "F", None, None, None, line.description))
    out.append(Segment.of("QTY", ON_HAND, values.format_decimal(line.on_hand), line.unit_of_measure))
    if line.available is not None:
        out.append(Segment.of("QTY", AVAILABLE, values.format_decimal(line.available), line.unit_of_measure))
    return out
