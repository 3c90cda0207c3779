"""The order flow after intake: ``orders.to_erp`` (book the order in the ERP) and
``orders.to_warehouse`` (send the 3PL a 940 to ship it).

``to_erp`` calls the ERP gateway's idempotent create (it asks GetSalesOrderByExternalRef first), so a
redelivered or replayed order never makes a second ERP order; it links the PO / marketplace order to
the ERP sales order number, and a marketplace order to its channel (``channel_order:<channel>:<id>``,
see :mod:`crossdock.actors.handlers.channels`), which ``shipments.to_marketplace`` reads.
``to_warehouse`` renders the 940 with control numbers from the store and records it in the outbox, in
the step's transaction (numbers, row and links commit together), links the 940's interchange, group,
set and outbox row to the warehouse order, and sends its delivery after the commit
(:mod:`crossdock.actors.handlers.x12_out`).
"""

from __future__ import annotations

import re

from crossdock.actors.context import StepContext
from crossdock.actors.graph import ORDERS_TO_WAREHOUSE
from crossdock.actors.handlers import channel_acks, erp_view, inventory, invoices, lifecycle, po_ack
from crossdock.actors.handlers.channels import channel_ref, order_doc
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.handlers.x12_out import send_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Channel, Order
from crossdock.canonical.finance import order_record
from crossdock.canonical.order import OrderPurpose
from crossdock.edi.sets import x940
from crossdock.store import DocRef, DocType

X12_ID_QUALIFIER = re.compile(r"[A-Z0-9]{1,2}")


def order_ref(order: Order) -> DocRef:
    """The order as the channel knows it: a buyer's PO (EDI) or a marketplace order id."""
    return order_doc(order.channel, order.external_id)


def for_warehouse(order: Order) -> Order:
    """The order as the 3PL sees it: party ids that are not X12 identification codes (a marketplace's
    ``shopify_customer_id``) mean nothing to the warehouse and cannot be written in N103; they are left
    out, names and addresses kept."""
    parties = [
        party if party.id_qualifier is None or X12_ID_QUALIFIER.fullmatch(party.id_qualifier)
        else party.model_copy(update={"id_qualifier": None, "id_code": None})
        for party in order.parties
    ]  # fmt: skip
    return order.model_copy(update={"parties": parties})


def to_erp(ports: FlowPorts, ctx: StepContext, order: Order) -> list[Outgoing]:
    warehouse = ports.partner(ports.warehouse_partner)
    order = order.model_copy(update={"references": erp_view.with_references(
        order.references, {erp_view.ERP_LOCATION: warehouse.erp_location_code})})  # fmt: skip
    # the order's row locked first (docs/lifecycle.md): a cancellation waits, or went first and is seen
    session, envelope = ctx.session, ctx.envelope
    current = lifecycle.booking(ports, order, envelope, session, step=ctx.step)
    if current is None:  # cancelled before it was booked: recorded, nothing booked
        return []
    order = current
    booked = ports.erp.create_sales_order(erp_view.order_for_erp(order, ports.item_map))
    related = [DocRef(DocType.ERP_ORDER, booked.document_no), channel_ref(order)]
    for ref in related:
        if ref is not None:
            ports.store.links.link(order_ref(order), ref, message_id=envelope.message_id, session=session)
    if order.channel is not Channel.EDI:  # what the settlement will be checked against
        ports.store.settlements.record_order(order_record(order), session=session)
    lifecycle.booked(ports, order, booked.document_no, envelope, session, step=ctx.step)
    invoices.remember_booked(ports, order, booked.document_no, session=session)  # what its invoices bill
    booked_order = order.model_copy(update={"references": {**order.references, erp_view.ERP_ORDER: booked.document_no}})
    return [Outgoing(ORDERS_TO_WAREHOUSE, booked_order, envelope.idempotency_key),
            *channel_acks.after_booking(ports, booked_order),
            *po_ack.after_booking(ports, booked_order, envelope),
            *inventory.reserve(ports, order, envelope)]  # fmt: skip


def to_warehouse(ports: FlowPorts, ctx: StepContext, order: Order) -> list[Outgoing]:
    current = lifecycle.releasing(ports, order, ctx.envelope, ctx.session, step=ctx.step)
    if current is None:  # cancelled before it was released: no 940
        return []
    delivery = send_940(ports, ctx, current)
    lifecycle.released(ports, current, current.external_id, ctx.envelope, ctx.session, step=ctx.step)
    return [delivery]


def send_940(ports: FlowPorts, ctx: StepContext, order: Order) -> Outgoing:
    """Render ``order`` as a 940 (its purpose is W0501: N original, C cancel, R change), record it in the
    outbox in the step's transaction and link it to the warehouse order; returns its delivery (after the
    commit)."""
    partner = ports.partner(ports.warehouse_partner)
    wso = x940.warehouse_order(for_warehouse(order), warehouse_code=ports.warehouse_code)
    keys = {"warehouse_order": wso.order_ref, "order": order.external_id, "channel": order.channel.value}
    if order.purpose is not OrderPurpose.ORIGINAL:
        keys["purpose"] = order.purpose.value
    sent = send_x12(ports, ctx, partner, "940", wso, business_keys=keys)
    warehouse_order = DocRef(DocType.WAREHOUSE_ORDER, wso.order_ref)
    for ref in (order_ref(order), *sent.refs):
        ports.store.links.link(warehouse_order, ref, message_id=ctx.envelope.message_id, session=ctx.session)
    return sent.delivery
