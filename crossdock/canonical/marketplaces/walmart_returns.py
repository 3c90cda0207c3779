"""Walmart Marketplace returns (``GET /v3/returns``, ``returnOrders[]``) to ``return_event`` documents,
and the body of ``POST /v3/returns/{returnOrderId}/refund``. Pure: dicts in, documents out.

A return order is an ``authorized`` event: RMA ``WM-<returnOrderId>``, the order is the lines'
``purchaseOrderId`` (crossdock's Walmart order id), each ``returnOrderLines[]`` a line (``item.sku``,
``quantity.measurementValue``, ``returnReason``, ``unitPrice.currencyAmount`` times the quantity as its
refund amount). Lines all ``currentRefundStatus`` ``REFUND_COMPLETED`` add a ``refunded`` event (refund
id ``walmart:<returnOrderId>``, minus ``totalRefundAmount``); lines all ``CANCELLED`` make it
``rejected`` (the customer cancelled the return).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from crossdock.canonical.finance.return_events import ReturnEventDocument, rma_number
from crossdock.canonical.marketplaces.fields import FieldReader, build, join, require_object
from crossdock.canonical.order import Channel
from crossdock.canonical.returns import ReturnAuthorization, ReturnLine

WHAT = "Walmart return order"
REFUNDED = "REFUND_COMPLETED"
CANCELLED = "CANCELLED"


def is_return_order(document: Any) -> bool:
    return isinstance(document, Mapping) and "returnOrderId" in document and "returnOrderLines" in document


def refund_id(return_order_id: str) -> str:
    return f"walmart:{return_order_id}"


def return_order_to_events(document: Any) -> list[ReturnEventDocument]:
    doc = require_object(document, WHAT)
    r = FieldReader()
    return_id = r.text(doc, "", "returnOrderId", required=True)
    created = r.timestamp(doc, "", "returnOrderDate", required=True)
    lines: list[ReturnLine] = []
    orders: list[str] = []
    refund_statuses: set[str | None] = set()
    statuses: set[str | None] = set()
    for i, line in enumerate(r.items(doc, "", "returnOrderLines", required=True)):
        path = join("returnOrderLines", i)
        if not isinstance(line, Mapping):
            r.problem(path, "must be an object")
            continue
        po_id = r.text(line, path, "purchaseOrderId", required=True)
        if po_id is not None and po_id not in orders:
            orders.append(po_id)
        sku = r.text(r.obj(line, path, "item", required=True), join(path, "item"), "sku", required=True)
        quantity = r.quantity(r.obj(line, path, "quantity", required=True), join(path, "quantity"), "measurementValue")
        unit = r.decimal(r.obj(line, path, "unitPrice"), join(path, "unitPrice"), "currencyAmount")
        refund_statuses.add(r.text(line, path, "currentRefundStatus"))
        statuses.add(r.text(line, path, "status"))
        if sku is not None and quantity is not None:
            lines.append(ReturnLine(
                line_number=r.text(line, path, "returnOrderLineNumber") or str(i + 1), sku=sku, quantity=quantity,
                reason_code=r.text(line, path, "returnReason"),
                refund_amount=None if unit is None else abs(unit) * quantity,
            ))  # fmt: skip
    if len(orders) > 1:
        r.problem("returnOrderLines", f"lines of several purchase orders ({', '.join(orders)}): one return per order")
    total = r.decimal(r.obj(doc, "", "totalRefundAmount"), "totalRefundAmount", "currencyAmount")
    r.raise_if_any(WHAT, key=return_id)
    assert return_id is not None and created is not None
    rma = rma_number(Channel.WALMART, return_id)
    if statuses == {CANCELLED}:
        return [ReturnEventDocument(channel=Channel.WALMART, rma_number=rma, kind="rejected",
                                    reason="the customer cancelled the return on Walmart")]  # fmt: skip
    customer = doc.get("customerOrderId")
    authorization = build(ReturnAuthorization, WHAT, return_id, rma_number=rma, channel=Channel.WALMART,
                          order_external_id=orders[0] if orders else None, created_at=created, lines=lines,
                          notes=[f"customerOrderId {customer}"] if customer else [])  # fmt: skip
    events = [ReturnEventDocument(channel=Channel.WALMART, rma_number=rma, kind="authorized",
                                  authorization=authorization)]  # fmt: skip
    if refund_statuses == {REFUNDED}:
        amount = abs(total) if total is not None else sum((ln.refund_amount or Decimal(0) for ln in lines), Decimal(0))
        events.append(ReturnEventDocument(channel=Channel.WALMART, rma_number=rma, kind="refunded",
                                          refund_id=refund_id(return_id), amount=-amount))  # fmt: skip
    return events


def refund_request(return_order: Mapping[str, Any], received: Sequence[tuple[str, Decimal]]) -> dict[str, Any]:
    """The body refunding the lines of ``return_order`` whose SKU the warehouse received
    (``(sku, quantity)``): a line received in full is a full refund, one received in part a partial
    refund of its unit price times what came back (Walmart takes refund amounts negative)."""
    left: dict[str, Decimal] = {}
    for sku, quantity in received:
        left[sku] = left.get(sku, Decimal(0)) + quantity
    refund_lines = []
    for line in return_order.get("returnOrderLines") or []:
        sku = str((line.get("item") or {}).get("sku") or "")
        wanted = Decimal(str((line.get("quantity") or {}).get("measurementValue") or 0))
        got = min(left.get(sku, Decimal(0)), wanted)
        if got <= 0:
            continue
        left[sku] -= got
        entry: dict[str, Any] = {"returnOrderLineNumber": line.get("returnOrderLineNumber"),
                                 "isFullRefund": got >= wanted}  # fmt: skip
        if got < wanted:
            unit = line.get("unitPrice") or {}
            entry["refundAmount"] = {"currencyAmount": float(-Decimal(str(unit.get("currencyAmount") or 0)) * got),
                                     "currencyUnit": unit.get("currencyUnit") or "USD"}  # fmt: skip
        refund_lines.append(entry)
    return {"customerOrderId": return_order.get("customerOrderId"), "refundLines": refund_lines}
