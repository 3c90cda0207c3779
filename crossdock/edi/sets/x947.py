"""X12 947 Warehouse Inventory Adjustment Advice → :class:`~crossdock.canonical.InventoryAdjustment`.

Mapped: W15 (W1501 the adjustment date, taken at midnight UTC; W1502 the adjustment number), the header
N1 loop whose N101 is WH, SF or RL (N104, else N102: the location), and each W19: W1901 the reason
code, W1902 the signed credit/debit quantity (negative: units taken off), W1903 its unit, the item from
W1904 (UPC case code) and the W1905/W1906, W1907/W1908 and W1917/W1918 qualifier pairs (VN/SK/VC are
our SKU), W1909 the lot. Everything else is kept as unmapped. An adjustment is a delta, not a balance:
how ``inventory.apply`` applies it once is in docs/inventory.md. Inbound only (crossdock does not send
947s).
"""

from __future__ import annotations

from typing import Any

from crossdock.canonical import InventoryAdjustment
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation, require

SET_ID = "947"
FUNCTIONAL_ID = "AW"

W19_PAIRS = [(5, 6), (7, 8), (17, 18)]
LOCATION_CODES = ("WH", "SF", "RL")


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[InventoryAdjustment]:
    ctx = SetContext(ts, lookups)
    doc: dict[str, Any] = {"lines": []}
    w15: Segment | None = None
    for seg in ts.segments:
        sid = seg.id
        if sid == "W19":
            doc["lines"].append(_w19(ctx, seg, len(doc["lines"])))
        elif not doc["lines"] and sid == "W15":
            w15 = seg
            _w15(ctx, seg, doc)
        elif not doc["lines"] and sid == "N1" and seg[1] in LOCATION_CODES and "location" not in doc:
            ctx.used(seg, 1, 2, 3, 4)
            doc["location"] = seg[4] or seg[2] or None
        else:
            ctx.keep(seg)
    require(w15, ctx, "W15", "adjustment_id")
    if not doc["lines"]:
        ctx.error(f"ST[{ts.control_number}]", "lines", "a 947 needs at least one W19 adjustment")
    return ctx.build(InventoryAdjustment, doc, key=doc.get("adjustment_id"))


def _w15(ctx: SetContext, seg: Segment, doc: dict[str, Any]) -> None:
    ctx.used(seg, 1, 2, 3)
    doc["adjustment_id"] = seg[2]
    if not seg[2]:
        ctx.error(ctx.where(seg, 2), "adjustment_id", "W1502 adjustment number is required")
    as_of = ctx.moment(seg, 1, None, None, "as_of")
    if as_of is None and not seg[1]:
        ctx.error(ctx.where(seg, 1), "as_of", "W1501 date is required")
    doc["as_of"] = as_of


def _w19(ctx: SetContext, seg: Segment, index: int) -> dict[str, Any]:
    ctx.used(seg, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 18)
    ids = items.read_ids(ctx, seg, W19_PAIRS, items.WAREHOUSE, upc_position=4)
    ctx.row(f"lines[{index}]", seg, {"reason": 1, "quantity": 2, "unit_of_measure": 3})
    line: dict[str, Any] = {"sku": ids.get("sku"), "gtin": ids.get("gtin"), "reason": seg[1],
                            "quantity": ctx.decimal(seg, 2, f"lines[{index}].quantity", required=True, record=False),
                            "unit_of_measure": seg[3] or "EA", "lot": seg[9] or None}  # fmt: skip
    if not line["sku"]:
        ctx.error(ctx.where(seg), f"lines[{index}].sku", "no item number (VN, SK or VC) and no SKU for its ids")
    if not seg[1]:
        ctx.error(ctx.where(seg, 1), f"lines[{index}].reason", "W1901 adjustment reason code is required")
    return line
