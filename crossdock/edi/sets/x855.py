""":class:`~crossdock.canonical.po_ack.PurchaseOrderAcknowledgment` → X12 855 Purchase Order
Acknowledgment (outbound only).

BAK01 ``00``; BAK02 ``AD`` accepted (detail, no change), ``AC`` accepted with changes, ``RJ`` rejected;
BAK03 PO number; BAK04 the PO's date (the acknowledgment's date when the PO had none); BAK05 release;
BAK08 our order number; BAK09 the acknowledgment's date. Per line: PO1 (line number, quantity ordered,
unit, price, ids SK/UP-EN-UK/BP/VN) and one ACK (``IA`` accepted, ``IQ`` quantity changed, ``IP`` price
changed, ``IB`` backordered, ``IR`` rejected) with the quantity we accept and its unit. CTT: number of
lines and the hash total of the quantities ordered.
"""

from __future__ import annotations

from decimal import Decimal

from crossdock.canonical.po_ack import LineAckStatus, PoAckStatus, PurchaseOrderAcknowledgment
from crossdock.edi.segment import Segment
from crossdock.edi.sets import items, values

SET_ID = "855"
FUNCTIONAL_ID = "PR"

STATUS_CODES = {PoAckStatus.ACCEPTED: "AD", PoAckStatus.ACCEPTED_WITH_CHANGES: "AC", PoAckStatus.REJECTED: "RJ"}
LINE_CODES = {LineAckStatus.ACCEPTED: "IA", LineAckStatus.QUANTITY_CHANGED: "IQ", LineAckStatus.PRICE_CHANGED: "IP",
              LineAckStatus.BACKORDERED: "IB", LineAckStatus.REJECTED: "IR"}  # fmt: skip


def from_canonical(ack: PurchaseOrderAcknowledgment) -> list[Segment]:
    """The 855 body (between ST and SE) for ``ack``."""
    acknowledged = values.format_date(ack.acknowledged_at)
    po_date = values.format_date(ack.order_date) if ack.order_date else acknowledged
    body = [Segment.of("BAK", "00", STATUS_CODES[ack.status], ack.po_number, po_date, ack.release_number, None, None,
                       ack.seller_order_number, acknowledged)]  # fmt: skip
    for line in ack.lines:
        ids: list[str | None] = []
        for qualifier, value in (("SK", line.sku), ("BP", line.buyer_part_number), ("VN", line.vendor_part_number)):
            if value:
                ids += [qualifier, value]
        if line.gtin:
            ids = [items.gtin_qualifier(line.gtin), line.gtin, *ids]
        price = values.format_decimal(line.unit_price) if line.unit_price is not None else None
        body.append(Segment.of("PO1", line.line_number, values.format_decimal(line.quantity_ordered),
                               line.unit_of_measure, price, "PE" if price else None, *ids))  # fmt: skip
        body.append(Segment.of("ACK", LINE_CODES[line.status], values.format_decimal(line.quantity),
                               line.unit_of_measure))  # fmt: skip
    total = sum((line.quantity_ordered for line in ack.lines), Decimal(0))
    body.append(Segment.of("CTT", str(len(ack.lines)), values.format_decimal(total)))
    return body
