"""Which marketplace an order came from, as the cross-references record it.

``orders.to_erp`` links a marketplace order (``marketplace_order:<id>``) to ``channel_order:<channel>:<id>``
and to nothing else, so the channel is read ONE hop away (:meth:`DocumentLinks.neighbours`) and no node
gathers every order of a channel (``trace`` walks links transitively: a shared ``channel:shopify`` node
would connect every Shopify order to every other). EDI purchase orders get no channel link.
"""

from __future__ import annotations

from crossdock.canonical import Channel, Order
from crossdock.canonical.shipment import ShipmentOrder
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType, Store


def channel_ref(order: Order) -> DocRef | None:
    """``channel_order:<channel>:<external id>`` for a marketplace order; ``None`` for an EDI PO."""
    if order.channel is Channel.EDI:
        return None
    return DocRef(DocType.CHANNEL_ORDER, f"{order.channel.value}:{order.external_id}")


def marketplace_order_of(store: Store, order: ShipmentOrder) -> tuple[str, str] | None:
    """``(channel, marketplace order id)`` of the order a shipment ships (by ``order_ref``, then
    ``po_number``), or ``None`` when it is no marketplace order crossdock booked with its channel (an EDI
    PO, or an order booked before channels were recorded). The same id booked from two channels is a
    business error: which one shipped cannot be told."""
    for ref in dict.fromkeys(r for r in (order.order_ref, order.po_number) if r):
        found = {
            channel
            for linked in store.links.neighbours(DocRef(DocType.MARKETPLACE_ORDER, ref), DocType.CHANNEL_ORDER)
            for channel, _, order_id in [linked.doc_id.partition(":")]
            if order_id == ref
        }
        if len(found) > 1:
            raise BusinessError(
                f"marketplace order {ref} was booked from several channels ({', '.join(sorted(found))}): "
                "cannot tell which one this shipment confirms",
                owner=Owner.INTEGRATION,
                key=ref,
            )
        if found:
            return found.pop(), ref
    return None


def order_doc(channel: Channel, external_id: str) -> DocRef:
    """The order ``external_id`` of ``channel`` as the links hold it (purchase order or marketplace order)."""
    kind = DocType.PURCHASE_ORDER if channel is Channel.EDI else DocType.MARKETPLACE_ORDER
    return DocRef(kind, external_id)
