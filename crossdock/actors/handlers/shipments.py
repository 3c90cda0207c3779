"""A 3PL's shipment (945) after intake: ``shipments.to_erp`` posts it to the ERP against the sales order
it ships, then ``shipments.to_buyer`` sends the buyer who ordered it an 856 ship notice (ASN) and
``shipments.to_marketplace`` confirms marketplace orders to their marketplace.

The ERP order is found through the cross-references (PO → ERP sales order, written by
``orders.to_erp``); a shipment for an order crossdock never booked is a business error for the
warehouse team. The ERP's posting is idempotent on the shipment id (a retried post returns the first
posting). Tracking numbers and the posted document are linked to the shipment.

The buyer of each shipped order is the trading partner whose interchange brought its PO (the link
``edi.inbound`` writes). Orders that came from no X12 partner (marketplace orders) get no 856, nor do
partners configured with ``asn: false``. A shipment that ships POs of several buyers gives each buyer
an 856 with its own orders only. The 856 takes its control numbers from the store inside the step's
transaction and is recorded in the outbox there (delivered after the commit, see
:mod:`~crossdock.actors.handlers.x12_out`); its interchange, group, set and outbox row are linked to the
shipment, so the buyer's 997 for it reconciles like the one for a 940.

``to_marketplace`` (sent only when a marketplace is configured) confirms each shipped order that is a
marketplace order of a configured channel (the channel ``orders.to_erp`` recorded, see
:mod:`~crossdock.actors.handlers.channels`) to that marketplace, each order on its own with its own lines
and tracking numbers. EDI orders are not its business; orders of a channel without a ``marketplaces:``
entry are skipped (logged). The marketplace port is idempotent on the tracking number, so a retried or
replayed step confirms nothing twice; the marketplace's fulfillment ids are linked to the shipment.
"""

from __future__ import annotations

import logging

from crossdock.actors.context import StepContext
from crossdock.actors.graph import INVOICES_TO_ERP, SHIPMENTS_TO_BUYER, SHIPMENTS_TO_MARKETPLACE
from crossdock.actors.handlers import erp_view, inventory, lifecycle
from crossdock.actors.handlers.channels import marketplace_order_of
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.handlers.x12_out import send_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Shipment
from crossdock.canonical.shipment import ShipmentOrder
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType

ERP_SHIPMENT = "erp_shipment"

log = logging.getLogger(__name__)


def erp_order_for(ports: FlowPorts, shipment: Shipment) -> tuple[str, str]:
    """The ERP sales order number of the (first) order this shipment ships, and the kind of document
    it was found by (``purchase_order``, ``marketplace_order`` ...)."""
    for shipment_order in shipment.orders:
        for ref in (shipment_order.po_number, shipment_order.order_ref):
            if not ref:
                continue
            for kind in (DocType.PURCHASE_ORDER, DocType.MARKETPLACE_ORDER, DocType.WAREHOUSE_ORDER):
                found = ports.store.links.connected(DocRef(kind, ref)).ids(DocType.ERP_ORDER)
                if found:
                    return found[0], kind
    refs = [r for o in shipment.orders for r in (o.po_number, o.order_ref) if r]
    raise BusinessError(
        f"shipment {shipment.shipment_id} ships order(s) {', '.join(refs) or '(none named)'} that crossdock "
        "never booked in the ERP",
        owner=Owner.WAREHOUSE,
        key=shipment.shipment_id,
    )


def to_erp(ports: FlowPorts, ctx: StepContext, shipment: Shipment) -> list[Outgoing]:
    erp_order, kind = erp_order_for(ports, shipment)
    location = ports.partner(ports.warehouse_partner).erp_location_code
    # a marketplace's line item ids are no ERP line numbers (the ERP numbers the lines it booked 1, 2 ...)
    numbered = kind != DocType.MARKETPLACE_ORDER
    if lifecycle.shipped(ports, shipment, ctx.envelope, ctx.session, step=ctx.step):
        return []  # shipped after a cancellation: an item for the warehouse team, nothing posted or sent
    posted = ports.erp.post_shipment(erp_view.shipment_for_erp(
        shipment, ports.item_map, erp_order_no=erp_order, location=location, line_numbers=numbered))  # fmt: skip
    this = DocRef(DocType.SHIPMENT, shipment.shipment_id)
    related = [DocRef(DocType.ERP_ORDER, erp_order), DocRef(ERP_SHIPMENT, posted)]
    related += [DocRef(DocType.TRACKING_NUMBER, number) for number in shipment.tracking_numbers]
    related += [DocRef(DocType.PACKAGE, p.sscc) for o in shipment.orders for p in o.packages if p.sscc]
    session = ctx.session
    for ref in related:
        ports.store.links.link(this, ref, message_id=ctx.envelope.message_id, session=session)
    sent = [Outgoing(SHIPMENTS_TO_BUYER, shipment, ctx.envelope.idempotency_key)]
    if ports.marketplaces:
        sent.append(Outgoing(SHIPMENTS_TO_MARKETPLACE, shipment, ctx.envelope.idempotency_key))
    sent.append(Outgoing(INVOICES_TO_ERP, shipment, ctx.envelope.idempotency_key))
    return [*sent, *inventory.release_shipped(ports, shipment, ctx.envelope)]


def buyer_of(ports: FlowPorts, order: ShipmentOrder) -> TradingPartner | None:
    """The X12 partner whose interchange brought this order's PO; ``None`` for an order that came
    from no partner (a marketplace order) or whose PO crossdock never received."""
    for ref in (order.po_number, order.order_ref):
        if not ref:
            continue
        for interchange in ports.store.links.neighbours(DocRef(DocType.PURCHASE_ORDER, ref), DocType.INTERCHANGE):
            sender, _, _ = interchange.doc_id.rpartition(":")
            partner = ports.partner_for_sender(sender)
            if partner is not None:
                return partner
    return None


def to_buyer(ports: FlowPorts, ctx: StepContext, shipment: Shipment) -> list[Outgoing]:
    deliveries: list[Outgoing] = []
    by_buyer: dict[str, tuple[TradingPartner, list[ShipmentOrder]]] = {}
    for order in shipment.orders:
        buyer = buyer_of(ports, order)
        if buyer is not None and buyer.asn and buyer.name != ports.warehouse_partner:
            by_buyer.setdefault(buyer.name, (buyer, []))[1].append(order)
    this = DocRef(DocType.SHIPMENT, shipment.shipment_id)
    for buyer, shipped in by_buyer.values():
        notice = shipment if len(shipped) == len(shipment.orders) else shipment.model_copy(update={"orders": shipped})
        keys = {"shipment": shipment.shipment_id, "orders": ",".join(o.po_number or o.order_ref or "" for o in shipped)}
        session = ctx.session
        sent = send_x12(ports, ctx, buyer, "856", notice, business_keys=keys)
        for ref in sent.refs:
            ports.store.links.link(this, ref, message_id=ctx.envelope.message_id, session=session)
        deliveries.append(sent.delivery)
    return deliveries


def for_marketplace(shipment: Shipment, order: ShipmentOrder, order_id: str) -> Shipment:
    """The shipment as one marketplace order sees it: that order alone (its marketplace id in
    ``order_ref``), with its packages' tracking numbers when it has any, else the shipment's."""
    own = [p.tracking_number for p in order.packages if p.tracking_number]
    return shipment.model_copy(update={
        "orders": [order.model_copy(update={"order_ref": order_id})],
        "tracking_numbers": list(dict.fromkeys(own)) or shipment.tracking_numbers,
    })  # fmt: skip


def to_marketplace(ports: FlowPorts, ctx: StepContext, shipment: Shipment) -> list[Outgoing]:
    confirmed: list[DocRef] = []
    for order in shipment.orders:
        found = marketplace_order_of(ports.store, order)
        if found is None:
            continue  # an EDI order: the buyer gets an 856 from to_buyer
        channel, order_id = found
        marketplace = ports.marketplaces.get(channel)
        if marketplace is None:
            log.info("shipment %s: %s order not confirmed, no shipment confirmation to %s is configured",
                     shipment.shipment_id, channel, channel)  # fmt: skip
            continue
        for fulfillment in marketplace.fulfill(for_marketplace(shipment, order, order_id)):
            if fulfillment.get("id") is not None:
                confirmed.append(DocRef(DocType.MARKETPLACE_FULFILLMENT, f"{channel}:{fulfillment['id']}"))
    this = DocRef(DocType.SHIPMENT, shipment.shipment_id)
    session = ctx.session
    for ref in confirmed:
        ports.store.links.link(this, ref, message_id=ctx.envelope.message_id, session=session)
    return []
