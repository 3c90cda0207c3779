"""``orders.to_buyer``: an 855 purchase order acknowledgment to the B2B buyer whose PO was booked.

``orders.to_erp`` sends a booked EDI order on to this step when its buyer (the trading partner whose
interchange brought the PO, as for the 856) asks for an 855 in its configuration (``ack_855: true`` in
flows.yaml's partners); marketplace orders, amendments (purpose cancellation or change) and buyers that
do not ask get none (the step checks again). The ERP books the whole order or refuses it, so what is
sent after booking accepts every line as ordered (BAK02 ``AD``, ACK ``IA``), with the ERP's order number
in BAK08. An order the ERP refuses (an unknown item) is parked for a person before this step and gets no
855: the person fixes and replays it, or rejects it with the buyer (no rejection is sent automatically).

Once per PO and buyer: the idempotency mark skips a redelivered or replayed message, and the PO is linked
to ``po_acknowledgment:<buyer>:<PO>`` with the 855's interchange, group, set and outbox row in the step's
transaction, so a later run for the same PO (a reprocessed file) finds it and sends nothing. The 855
goes through the outbox like the 856 (:mod:`~crossdock.actors.handlers.x12_out`): recorded in the step's
transaction, delivered after the commit; the buyer's 997 for it reconciles against the linked group.
"""

from __future__ import annotations

from crossdock.actors.context import StepContext
from crossdock.actors.graph import ORDERS_TO_BUYER
from crossdock.actors.handlers import erp_view
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.handlers.x12_out import send_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Channel, Order, OrderPurpose
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.po_ack import PurchaseOrderAcknowledgment
from crossdock.store import DocRef, DocType

STEP = ORDERS_TO_BUYER
PO_ACKNOWLEDGMENT = "po_acknowledgment"
"""Doc type of the 855 sent for a PO in the cross-references: ``<buyer>:<PO number>``."""


def buyer_of_po(ports: FlowPorts, po_number: str) -> TradingPartner | None:
    """The X12 partner whose interchange brought PO ``po_number``; ``None`` when none did."""
    for interchange in ports.store.links.neighbours(DocRef(DocType.PURCHASE_ORDER, po_number), DocType.INTERCHANGE):
        sender, _, _ = interchange.doc_id.rpartition(":")
        partner = ports.partner_for_sender(sender)
        if partner is not None:
            return partner
    return None


def buyer_asking(ports: FlowPorts, order: Order) -> TradingPartner | None:
    """The buyer of ``order`` when it is an EDI original from a partner that asks for 855s."""
    if order.channel is not Channel.EDI or order.purpose is not OrderPurpose.ORIGINAL:
        return None
    buyer = buyer_of_po(ports, order.external_id)
    if buyer is None or not buyer.ack_855 or buyer.name == ports.warehouse_partner:
        return None
    return buyer


def after_booking(ports: FlowPorts, order: Order, envelope: Envelope) -> list[Outgoing]:
    """What ``orders.to_erp`` sends this step for the booked ``order``: it, when its buyer asks for an 855."""
    if buyer_asking(ports, order) is None:
        return []
    return [Outgoing(STEP, order, envelope.idempotency_key)]


def acknowledge(ports: FlowPorts, ctx: StepContext, order: Order) -> list[Outgoing]:
    envelope = ctx.envelope
    buyer = buyer_asking(ports, order)
    if buyer is None:
        return []
    po = DocRef(DocType.PURCHASE_ORDER, order.external_id)
    marker = DocRef(PO_ACKNOWLEDGMENT, f"{buyer.name}:{order.external_id}")
    if marker in ports.store.links.neighbours(po, PO_ACKNOWLEDGMENT):
        return []  # acknowledged already (this PO came again in another file, or was reprocessed)
    erp_order = order.references.get(erp_view.ERP_ORDER)
    ack = PurchaseOrderAcknowledgment.accepting(order, at=envelope.created_at, seller_order_number=erp_order)
    keys = {"order": order.external_id, "erp_order": ack.seller_order_number or ""}
    sent = send_x12(ports, ctx, buyer, "855", ack, business_keys=keys)
    for ref in (marker, *sent.refs):
        ports.store.links.link(po, ref, message_id=envelope.message_id, session=ctx.session)
    return [sent.delivery]
