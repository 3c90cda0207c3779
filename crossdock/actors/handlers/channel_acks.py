"""``orders.acknowledge``: tell a marketplace that asks for it that an order booked in the ERP will be
fulfilled. Walmart asks for an acknowledgment within four hours of an order's creation
(``POST /v3/orders/{purchaseOrderId}/acknowledge``); the other channels take none.

``orders.to_erp`` sends each order it books here (:func:`after_booking`) when its channel has an
acknowledger (:attr:`FlowPorts.acknowledgers`, built from ``marketplaces:``). The step runs on the
``shipments`` lane with the other marketplace REST calls (``shipments.to_marketplace``), so a slow
marketplace never holds up ERP bookings. The acknowledger is idempotent (an order already
acknowledged is fine), so a retried or replayed step acknowledges once. The acknowledgment is linked
to the marketplace order (``marketplace_ack:<channel>:<order id>``), where ``crossdock trace`` shows it.
"""

from __future__ import annotations

import logging

from crossdock.actors import graph
from crossdock.actors.context import StepContext
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Channel, Order, idempotency_key
from crossdock.canonical.order import OrderPurpose
from crossdock.store import DocRef, DocType

MARKETPLACE_ACK = "marketplace_ack"
"""Link kind of an order acknowledged to its marketplace: ``<channel>:<order id>``."""

log = logging.getLogger(__name__)


def after_booking(ports: FlowPorts, order: Order) -> list[Outgoing]:
    """The acknowledgment a booked order owes its marketplace: one per order of a channel with an
    acknowledger (an order first seen as a change is booked and acknowledged too), none otherwise (an
    EDI PO, Shopify, Amazon, a cancellation)."""
    if order.purpose is OrderPurpose.CANCELLATION or order.channel.value not in ports.acknowledgers:
        return []
    key = idempotency_key("acknowledge", order.channel.value, order.external_id)
    return [Outgoing(graph.ORDERS_ACKNOWLEDGE, order, key)]


def acknowledge(ports: FlowPorts, ctx: StepContext, order: Order) -> list[Outgoing]:
    port = ports.acknowledgers.get(order.channel.value)
    if port is None or order.channel is Channel.EDI:
        log.info("order %s: %s takes no acknowledgment here", order.external_id, order.channel.value)
        return []
    port.acknowledge(order.external_id)  # idempotent at Walmart: a retry after a crash acknowledges nothing twice
    this = DocRef(DocType.MARKETPLACE_ORDER, order.external_id)
    ack = DocRef(MARKETPLACE_ACK, f"{order.channel.value}:{order.external_id}")
    ports.store.links.link(this, ack, message_id=ctx.envelope.message_id, session=ctx.session)
    return []
