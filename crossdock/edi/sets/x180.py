"""X12 180 Return Merchandise Authorization and Notification, both ways with the 3PL.

Out (:func:`from_canonical`): a :class:`~crossdock.canonical.ReturnAuthorization` tells the warehouse
which items to expect back: BGN (``00``, the RMA number, its date), RDR*RA (return with authorization
number), PRF (the order it returns from), N9*2I (the return's tracking number), NTE (notes), and per
line BLI (``SK`` SKU, quantity, unit), N9*LI (our line number) and RDR (RDR04 the customer's reason).

In (:func:`to_canonical`): the 3PL's 180 is its receipt, one ``return_event`` document: BGN02 the RMA
number (its prefix names the channel, see :func:`~crossdock.canonical.finance.return_events.channel_of_rma`).
A heading RDR01 ``RD`` (request denied) is a rejection, with RDR04 (or the RDR03 response code) as
its reason. Otherwise each BLI is a received line: BLI01/BLI02 the item (``SK``/``VN``/``VP`` our SKU;
a GTIN or UPC through ``Lookups.sku_map``), BLI03 the quantity, and the line's RDR its disposition:

- RDR01 ``DI`` (dispose), ``SD`` (to a third party for disposal), ``SC`` (charitable contribution): destroy;
- RDR01 ``KR``, ``KA``, ``MW``, ``RF``, ``RT`` (kept or sent for repair, not sellable): damaged;
- RDR01 ``RA``, ``CR``, ``RN`` (returned to stock): restock, unless RDR02 names damage (``DA``
  damaged, ``DT`` damaged in transit, ``DM``/``DR`` defective, ``DP`` defective packaging): damaged.

A line without a disposition, or with a code not listed, is an error (a damaged unit is never restocked
by default). Everything else is kept as unmapped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from crossdock.canonical import ReturnAuthorization
from crossdock.canonical.finance.return_events import RMA_PREFIXES, ReturnEventDocument, channel_of_rma
from crossdock.canonical.finance.returns_flow import Disposition
from crossdock.edi.reader import TransactionSet
from crossdock.edi.segment import Segment
from crossdock.edi.sets import values
from crossdock.edi.sets.mapping import Lookups, SetContext, Translation

SET_ID = "180"
FUNCTIONAL_ID = "AN"

DESTROY_CODES = frozenset({"DI", "SD", "SC"})
DAMAGED_CODES = frozenset({"KR", "KA", "MW", "RF", "RT"})
RESTOCK_CODES = frozenset({"RA", "CR", "RN"})
DAMAGE_REASONS = frozenset({"DA", "DT", "DM", "DR", "DP"})
DENIED = "RD"
SKU_QUALIFIERS = frozenset({"SK", "VN", "VP", "IN"})


def disposition(code: str, reason: str = "") -> Disposition | None:
    """The disposition an RDR01 code (and RDR02 reason) stands for; ``None`` for an unknown code."""
    if code in DESTROY_CODES:
        return Disposition.DESTROY
    if code in DAMAGED_CODES:
        return Disposition.DAMAGED
    if code in RESTOCK_CODES:
        return Disposition.DAMAGED if reason in DAMAGE_REASONS else Disposition.RESTOCK
    return None


# --- X12 → canonical (the 3PL's receipt) ---------------------------------------------------------


class _Line:
    def __init__(self, bli: Segment) -> None:
        self.bli = bli
        self.rdr: Segment | None = None


def to_canonical(ts: TransactionSet, lookups: Lookups | None = None) -> Translation[ReturnEventDocument]:
    ctx = SetContext(ts, lookups)
    bgn: Segment | None = None
    heading_rdr: Segment | None = None
    lines: list[_Line] = []
    for seg in ts.segments:
        sid = seg.id
        if sid == "BLI":
            lines.append(_Line(seg))
        elif lines and sid == "RDR" and lines[-1].rdr is None:
            lines[-1].rdr = seg
        elif lines:
            ctx.keep(seg)
        elif sid == "BGN" and bgn is None:
            bgn = seg
            ctx.used(seg, 1, 2, 3, 4, 5)
        elif sid == "RDR" and heading_rdr is None:
            heading_rdr = seg
        else:
            ctx.keep(seg)
    rma = bgn.get(2) if bgn is not None else None
    if bgn is None or not rma:
        ctx.error("BGN/BGN02" if bgn is None else ctx.where(bgn, 2), "rma_number", "BGN02 (the RMA number) is required")
        return ctx.build(ReturnEventDocument, {}, key=None)
    channel = channel_of_rma(rma)
    if channel is None:
        known = ", ".join(f"{prefix}-" for prefix in RMA_PREFIXES.values())
        ctx.error(ctx.where(bgn, 2), "rma_number", f"RMA {rma!r} was not issued by crossdock (its RMAs start {known})")
    doc: dict[str, Any] = {"channel": channel, "rma_number": rma}
    if heading_rdr is not None and heading_rdr[1] == DENIED:
        ctx.used(heading_rdr, 1, 3, 4)
        doc["kind"] = "rejected"
        doc["reason"] = heading_rdr.get(4) or f"request denied (RDR03 {heading_rdr[3] or 'none'})"
        for line in lines:
            ctx.keep(line.bli, "a rejected return's items are not received")
        return ctx.build(ReturnEventDocument, doc, key=rma)
    if heading_rdr is not None:
        ctx.keep(heading_rdr)
    doc["kind"] = "received"
    doc["lines"] = [item for n, line in enumerate(lines) if (item := _received(ctx, line, n)) is not None]
    if not lines:
        ctx.error(ctx.where(bgn), "lines", "a receipt needs at least one BLI line")
    return ctx.build(ReturnEventDocument, doc, key=rma)


def _received(ctx: SetContext, line: _Line, n: int) -> dict[str, Any] | None:
    bli = line.bli
    ctx.used(bli, 1, 2, 3, 4)
    field = f"lines[{n}]"
    qualifier, item = bli[1], bli[2]
    sku = item if qualifier in SKU_QUALIFIERS else ctx.lookups.sku_map.get(item)
    if not sku:
        ctx.error(ctx.where(bli, 2), f"{field}.sku", f"BLI01 {qualifier!r} {item!r} is no SKU and not in the SKU map")
    quantity = ctx.decimal(bli, 3, f"{field}.quantity", required=True)
    if line.rdr is None:
        ctx.error(ctx.where(bli), f"{field}.disposition", "the line has no RDR: its disposition (RDR01) is required")
        return None
    ctx.used(line.rdr, 1, 2, 4)
    found = disposition(line.rdr[1], line.rdr[2])
    if found is None:
        ctx.error(
            ctx.where(line.rdr, 1), f"{field}.disposition", f"RDR01 {line.rdr[1]!r} is no disposition crossdock knows"
        )
        return None
    if not sku or quantity is None:
        return None
    return {"sku": sku, "quantity": quantity, "disposition": found}


# --- canonical → X12 (telling the 3PL what to expect) --------------------------------------------


def from_canonical(document: ReturnAuthorization) -> list[Segment]:
    """The 180 body announcing the return ``document`` to the warehouse."""
    created: datetime = document.created_at
    body = [
        Segment.of("BGN", "00", document.rma_number, values.format_date(created), values.format_time(created), "UT"),
        Segment.of("RDR", "RA"),
        Segment.of("PRF", document.order_external_id),
    ]
    if document.return_tracking_number:
        body.append(Segment.of("N9", "2I", document.return_tracking_number))
    body += [Segment.of("NTE", None, note[:80]) for note in document.notes]
    for position, line in enumerate(document.lines, start=1):
        body.append(Segment.of("BLI", "SK", line.sku, values.format_decimal(Decimal(line.quantity)),
                               line.unit_of_measure))  # fmt: skip
        if line.line_number != str(position):
            body.append(Segment.of("N9", "LI", line.line_number))
        reason = line.reason or line.reason_code
        if reason:
            body.append(Segment.of("RDR", None, None, None, reason[:80]))
    return body
