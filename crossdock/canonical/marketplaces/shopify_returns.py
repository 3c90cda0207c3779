"""Shopify refunds and returns to ``return_event`` documents. Pure: dicts in, documents out.

* A **refund** (``refunds/create`` webhook body, ``GET /orders/{id}/refunds/{id}.json``): its
  ``refund_line_items`` whose ``restock_type`` is ``return`` (or ``legacy_restock``) are items coming
  back: an ``authorized`` event for them (``line_item.sku``, ``quantity``). Its successful ``refund``
  transactions are the money: a ``refunded`` event, the refund id and minus their sum. The RMA is the
  Shopify return the refund belongs to (``return.id``), else the refund itself (``SH-R<refund id>``).
  A refund with no item coming back (``cancel``, ``no_restock``: a cancellation or a goodwill refund)
  is no return: no event (the settlement reports it as a refund without a return).
* A **return** (``returns/approve`` webhook body, REST shape of the Return object): an ``authorized``
  event for its ``return_line_items`` (SKU from ``fulfillment_line_item.line_item.sku`` or
  ``line_item.sku``, ``quantity``, ``return_reason``); a ``declined`` return is ``rejected``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from crossdock.canonical.finance.return_events import ReturnEventDocument, rma_number
from crossdock.canonical.marketplaces.fields import FieldReader, build, join, require_object
from crossdock.canonical.order import Channel
from crossdock.canonical.returns import ReturnAuthorization, ReturnLine

TOPICS = frozenset({"refunds/create", "returns/approve", "returns/decline"})
"""The Shopify webhook topics whose bodies are refunds or returns (the receiver routes them here)."""
RETURNED = frozenset({"return", "legacy_restock"})
"""``restock_type`` values of items that come back to the warehouse."""


def is_refund(document: Any) -> bool:
    return isinstance(document, Mapping) and "refund_line_items" in _unwrap(document, "refund")


def is_return(document: Any) -> bool:
    return isinstance(document, Mapping) and "return_line_items" in _unwrap(document, "return")


def _unwrap(document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    inner = document.get(key)
    return inner if isinstance(inner, Mapping) and len(document) == 1 else document


def refund_to_events(document: Any) -> list[ReturnEventDocument]:
    """The events of one Shopify refund (bare or ``{"refund": {...}}``); ``[]`` when nothing comes back."""
    doc = _unwrap(require_object(document, "Shopify refund"), "refund")
    r = FieldReader()
    refund_id = r.text(doc, "", "id", required=True)
    order_id = r.text(doc, "", "order_id", required=True)
    created = r.timestamp(doc, "", "processed_at") or r.timestamp(doc, "", "created_at", required=True)
    shopify_return = r.obj(doc, "", "return")
    return_id = r.text(shopify_return, "return", "id")
    lines: list[ReturnLine] = []
    for i, item in enumerate(r.items(doc, "", "refund_line_items")):
        path = join("refund_line_items", i)
        if not isinstance(item, Mapping):
            r.problem(path, "must be an object")
            continue
        if r.text(item, path, "restock_type") not in RETURNED:
            continue
        line_item = r.obj(item, path, "line_item", required=True)
        sku = r.text(line_item, join(path, "line_item"), "sku", required=True)
        quantity = r.quantity(item, path, "quantity")
        subtotal = r.decimal(item, path, "subtotal")
        if sku is not None and quantity is not None:
            lines.append(ReturnLine(line_number=r.text(item, path, "line_item_id") or str(i + 1), sku=sku,
                                    quantity=quantity, refund_amount=subtotal))  # fmt: skip
    money = Decimal(0)
    for i, transaction in enumerate(r.items(doc, "", "transactions")):
        path = join("transactions", i)
        if not isinstance(transaction, Mapping):
            r.problem(path, "must be an object")
            continue
        if transaction.get("kind") == "refund" and transaction.get("status") == "success":
            money += r.decimal(transaction, path, "amount", required=True) or Decimal(0)
    r.raise_if_any("Shopify refund", key=refund_id)
    assert refund_id is not None and order_id is not None and created is not None
    if not lines:
        return []
    rma = rma_number(Channel.SHOPIFY, return_id or f"R{refund_id}")
    authorization = build(ReturnAuthorization, "Shopify refund", refund_id, rma_number=rma, channel=Channel.SHOPIFY,
                          order_external_id=order_id, created_at=created, lines=lines,
                          notes=[note] if (note := r.text(doc, "", "note")) else [])  # fmt: skip
    events = [ReturnEventDocument(channel=Channel.SHOPIFY, rma_number=rma, kind="authorized",
                                  authorization=authorization)]  # fmt: skip
    if money:
        events.append(ReturnEventDocument(channel=Channel.SHOPIFY, rma_number=rma, kind="refunded",
                                          refund_id=refund_id, amount=-money))  # fmt: skip
    return events


def return_to_events(document: Any) -> list[ReturnEventDocument]:
    """The event of one Shopify return (bare or ``{"return": {...}}``): authorized, or rejected if declined."""
    doc = _unwrap(require_object(document, "Shopify return"), "return")
    r = FieldReader()
    return_id = r.text(doc, "", "id", required=True)
    order = r.obj(doc, "", "order", required=True)
    order_id = r.text(order, "order", "id", required=True)
    created = r.timestamp(doc, "", "created_at") or r.timestamp(doc, "", "updated_at", required=True)
    lines: list[ReturnLine] = []
    for i, item in enumerate(r.items(doc, "", "return_line_items", required=True)):
        path = join("return_line_items", i)
        if not isinstance(item, Mapping):
            r.problem(path, "must be an object")
            continue
        fulfilled = item.get("fulfillment_line_item")
        line_item = fulfilled.get("line_item") if isinstance(fulfilled, Mapping) else item.get("line_item")
        sku = r.text(line_item, join(path, "fulfillment_line_item.line_item"), "sku") if isinstance(
            line_item, Mapping) else None  # fmt: skip
        if sku is None:
            r.problem(join(path, "fulfillment_line_item.line_item.sku"), "is required: crossdock returns by SKU")
        quantity = r.quantity(item, path, "quantity")
        if sku is not None and quantity is not None:
            lines.append(ReturnLine(line_number=r.text(item, path, "id") or str(i + 1), sku=sku, quantity=quantity,
                                    reason_code=r.text(item, path, "return_reason"),
                                    reason=r.text(item, path, "customer_note")))  # fmt: skip
    r.raise_if_any("Shopify return", key=return_id)
    assert return_id is not None and order_id is not None and created is not None
    rma = rma_number(Channel.SHOPIFY, return_id)
    if str(doc.get("status", "")).lower() == "declined" or isinstance(doc.get("decline"), Mapping):
        decline = doc.get("decline")
        reason = decline.get("reason") if isinstance(decline, Mapping) else None
        return [ReturnEventDocument(channel=Channel.SHOPIFY, rma_number=rma, kind="rejected",
                                    reason=f"declined in Shopify ({reason or 'no reason given'})")]  # fmt: skip
    authorization = build(ReturnAuthorization, "Shopify return", return_id, rma_number=rma, channel=Channel.SHOPIFY,
                          order_external_id=order_id, created_at=created, lines=lines,
                          notes=[str(doc["name"])] if doc.get("name") else [])  # fmt: skip
    return [ReturnEventDocument(channel=Channel.SHOPIFY, rma_number=rma, kind="authorized",
                                authorization=authorization)]  # fmt: skip
