"""``shipments.to_erp``: a 3PL's shipment (945) posted to the ERP against the sales order it ships.

The ERP order is found through the cross-references (PO → ERP sales order, written by
``orders.to_erp``); a shipment for an order crossdock never booked is a business error for the
warehouse team. The ERP's posting is idempotent on the shipment id (a retried post returns the first
posting). Tracking numbers and the posted document are linked to the shipment.
"""

from __future__ import annotations

from crossdock.actors.handlers import erp_view
from crossdock.actors.handlers.ports import FlowPorts, effects
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Shipment
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType

TO_ERP = "shipments.to_erp"
ERP_SHIPMENT = "erp_shipment"


def erp_order_for(ports: FlowPorts, shipment: Shipment) -> str:
    """The ERP sales order number of the (first) order this shipment ships."""
    for shipment_order in shipment.orders:
        for ref in (shipment_order.po_number, shipment_order.order_ref):
            if not ref:
                continue
            for kind in (DocType.PURCHASE_ORDER, DocType.MARKETPLACE_ORDER, DocType.WAREHOUSE_ORDER):
                found = ports.store.links.connected(DocRef(kind, ref)).ids(DocType.ERP_ORDER)
                if found:
                    return found[0]
    refs = [r for o in shipment.orders for r in (o.po_number, o.order_ref) if r]
    raise BusinessError(
        f"shipment {shipment.shipment_id} ships order(s) {', '.join(refs) or '(none named)'} that crossdock "
        "never booked in the ERP",
        owner=Owner.WAREHOUSE,
        key=shipment.shipment_id,
    )


def to_erp(ports: FlowPorts, envelope: Envelope, document: CanonicalModel) -> list[Outgoing]:
    if not isinstance(document, Shipment):
        raise TypeError(f"{TO_ERP} takes a shipment, got {type(document).__name__}")
    shipment = document
    erp_order = erp_order_for(ports, shipment)
    location = ports.partner(ports.warehouse_partner).erp_location_code
    posted = ports.erp.post_shipment(
        erp_view.shipment_for_erp(shipment, ports.item_map, erp_order_no=erp_order, location=location)
    )
    this = DocRef(DocType.SHIPMENT, shipment.shipment_id)
    related = [DocRef(DocType.ERP_ORDER, erp_order), DocRef(ERP_SHIPMENT, posted)]
    related += [DocRef(DocType.TRACKING_NUMBER, number) for number in shipment.tracking_numbers]
    related += [DocRef(DocType.PACKAGE, p.sscc) for o in shipment.orders for p in o.packages if p.sscc]
    with effects(ports.store) as session:
        for ref in related:
            ports.store.links.link(this, ref, message_id=envelope.message_id, session=session)
    return []
