"""One order as ``crossdock order show`` prints it: state, stage, the ERP order, per-line quantities,
the timeline, and the documents exchanged about it (the cross-references of its PO / marketplace
order, with the outbox rows among them: set, file, status)."""

from __future__ import annotations

from typing import Any

from crossdock.store.links import DocRef, DocType
from crossdock.store.store import Store

OUTBOX = "outbox"
SKIPPED = {DocType.WORK_ITEM.value}


def order_view(store: Store, channel: str, external_id: str) -> dict[str, Any] | None:
    """The order as a JSON-able dict, ``None`` when the book does not hold it."""
    held = store.orders.get(channel, external_id)
    if held is None:
        return None
    kind = DocType.PURCHASE_ORDER if channel == "edi" else DocType.MARKETPLACE_ORDER
    linked = store.links.connected(DocRef(kind, external_id))
    documents: list[dict[str, Any]] = []
    for ref in sorted({d.document for d in linked.documents}):
        if ref.doc_type in SKIPPED or (ref.doc_type == kind and ref.doc_id == external_id):
            continue
        entry: dict[str, Any] = {"type": ref.doc_type, "id": ref.doc_id}
        if ref.doc_type == OUTBOX and ref.doc_id.isdigit():
            row = store.outbox.get(int(ref.doc_id))
            if row is not None:
                purpose = row.business_keys.get("purpose", "original" if row.set_id == "940" else None)
                entry |= {"set": row.set_id, "partner": row.partner, "file": row.file_name, "status": row.status,
                          "purpose": purpose}  # fmt: skip
        documents.append(entry)
    # fmt: off
    return {
        "channel": channel,
        "external_id": external_id,
        "state": held.state.value,
        "stage": held.status.stage.value,
        "erp_order_no": held.erp_order_no,
        "version": held.status.version,
        "received_at": held.status.received_at,
        "lines": [
            {"line": x.line_number, "sku": x.sku, "ordered": x.ordered, "cancelled": x.cancelled,
             "shipped": x.shipped, "invoiced": x.invoiced}
            for x in held.status.lines
        ],
        "timeline": [
            {"at": t.at, "event": t.event, "from": t.from_state, "to": t.to_state, "step": t.step,
             "message_id": t.message_id, "note": t.note}
            for t in store.orders.timeline(channel, external_id)
        ],
        "documents": documents,
        "open_items": [
            {"id": item.id, "owner": item.owner, "error_class": item.error_class}
            for item in store.exceptions.items(business_key=external_id)
        ],
    }
    # fmt: on
