"""Invoices after a shipment posts: ``invoices.to_erp`` bills each shipped order in the ERP, once, and
``invoices.to_buyer`` sends a B2B buyer whose profile asks for it (``invoice: true``) an 810.

``to_erp`` runs after ``shipments.to_erp`` posted the shipment. Each order the shipment ships is billed
on its own (:func:`~crossdock.canonical.invoicing.bill`): priced from the order as ``orders.to_erp``
booked it (:meth:`~crossdock.store.invoices.InvoiceBook.remember_order`), line taxes and discounts in
proportion to the quantity shipped, the order's own discounts, shipping charge, taxes and fees on its first
invoice (no other invoice of the ERP order linked yet). The ERP call is idempotent on crossdock's
reference of the shipped order (the shipment id; ``<shipment>-<order>`` when it ships several orders): the
gateway asks GetInvoiceByExternalRef before it posts, so a retried or replayed step posts nothing twice.
The ERP's invoice number is linked to the shipment, the ERP order and the order.

``to_buyer`` renders the 810 with control numbers from the store in the step's transaction, records it in
the outbox there and links its interchange, group, set and outbox row to the invoice, so the buyer's 997
reconciles like the one for an 856 (see :mod:`~crossdock.actors.handlers.x12_out`).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from crossdock.actors.context import StepContext
from crossdock.actors.graph import INVOICES_TO_BUYER
from crossdock.actors.handlers import erp_view
from crossdock.actors.handlers.channels import order_doc
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.handlers.shipments import buyer_of, erp_order_for
from crossdock.actors.handlers.x12_out import send_x12
from crossdock.actors.steps import Outgoing
from crossdock.canonical import Order, Shipment
from crossdock.canonical.invoice import Invoice
from crossdock.canonical.invoicing import bill
from crossdock.canonical.shipment import ShipmentOrder
from crossdock.errors import BusinessError, Owner
from crossdock.store import DocRef, DocType


def remember_booked(
    ports: FlowPorts, order: Order, erp_order_no: str, *, session: Session | None = None, replace: bool = False
) -> None:
    """Keep the order as booked (``orders.to_erp``; ``replace``: as a change left it, ``orders.amend``),
    for pricing its invoices."""
    ports.store.invoices.remember_order(erp_order_no, channel=order.channel.value, order_ref=order.external_id,
                                        document=order.model_dump_json(), replace=replace, session=session)  # fmt: skip


def booked_order(ports: FlowPorts, erp_order_no: str) -> Order | None:
    text = ports.store.invoices.booked_order(erp_order_no)
    return None if text is None else Order.model_validate_json(text)


def _customer(ports: FlowPorts, order: Order | None, shipped: ShipmentOrder, shipment_id: str) -> str:
    customer = order.references.get(erp_view.ERP_CUSTOMER) if order is not None else None
    if customer is None:
        buyer = buyer_of(ports, shipped)
        customer = buyer.erp_customer_no if buyer is not None else None
    if customer is None:
        raise BusinessError(
            f"shipment {shipment_id}: no ERP customer known for order {shipped.po_number or shipped.order_ref} "
            "(booked before crossdock kept orders for invoicing, and from no trading partner)",
            owner=Owner.FINANCE,
            key=shipment_id,
        )
    return customer


def to_erp(ports: FlowPorts, ctx: StepContext, shipment: Shipment) -> list[Outgoing]:
    this = DocRef(DocType.SHIPMENT, shipment.shipment_id)
    invoiced_at = (shipment.shipped_at or ctx.envelope.created_at).date()
    billed: list[tuple[Invoice, str, Order | None]] = []
    for shipped in shipment.orders:  # the ERP calls first (inside a worker the hop's claim is already open)
        erp_order, _ = erp_order_for(ports, shipment.model_copy(update={"orders": [shipped]}))
        order = booked_order(ports, erp_order)
        references = {erp_view.ERP_ORDER: erp_order,
                      erp_view.ERP_CUSTOMER: _customer(ports, order, shipped, shipment.shipment_id)}  # fmt: skip
        mine = set(ports.store.links.neighbours(this, DocType.INVOICE))
        others = set(ports.store.links.neighbours(DocRef(DocType.ERP_ORDER, erp_order), DocType.INVOICE)) - mine
        invoice = bill(shipment, shipped, order, invoiced_at=invoiced_at, first=not others, references=references)
        posted = ports.erp.invoice_shipment(erp_view.invoice_for_erp(invoice, ports.item_map))
        billed.append((invoice.model_copy(update={"invoice_number": posted.document_no}), erp_order, order))
    sent: list[Outgoing] = []
    for invoice, erp_order, order in billed:
        assert invoice.invoice_number is not None
        invoice_ref = DocRef(DocType.INVOICE, invoice.invoice_number)
        for ref in (this, DocRef(DocType.ERP_ORDER, erp_order), _order_ref(invoice)):
            ports.store.links.link(ref, invoice_ref, message_id=ctx.envelope.message_id, session=ctx.session)
        _record_invoiced(ports, ctx, invoice, order)
        buyer = buyer_of(ports, ShipmentOrder(po_number=invoice.order_ref))
        if buyer is not None and buyer.invoice and buyer.name != ports.warehouse_partner:
            # keyed by the ERP's invoice: a replayed invoices.to_erp finds the invoice and sends no second 810
            sent.append(Outgoing(INVOICES_TO_BUYER, invoice, f"invoice:{invoice.invoice_number}"))
    return sent


def _record_invoiced(ports: FlowPorts, ctx: StepContext, invoice: Invoice, order: Order | None) -> None:
    """The invoiced quantities in the order book (an order the book does not hold is left alone; an
    invoice already counted adds nothing, so a replay counts once)."""
    assert invoice.invoice_number is not None
    quantities: dict[str, Decimal] = {}
    for line in invoice.lines:
        quantities[line.line_number] = quantities.get(line.line_number, Decimal(0)) + line.quantity
    channel, external_id = (order.channel.value, order.external_id) if order is not None else \
        (invoice.channel.value, invoice.order_ref)  # fmt: skip
    ports.store.orders.record_invoiced(channel, external_id, quantities, step=ctx.step.name,
                                       message_id=ctx.envelope.message_id, invoice_no=invoice.invoice_number,
                                       session=ctx.session)  # fmt: skip


def _order_ref(invoice: Invoice) -> DocRef:
    return order_doc(invoice.channel, invoice.order_ref)


def to_buyer(ports: FlowPorts, ctx: StepContext, invoice: Invoice) -> list[Outgoing]:
    buyer = buyer_of(ports, ShipmentOrder(po_number=invoice.order_ref))
    if buyer is None or not buyer.invoice:
        return []
    keys = {"invoice": invoice.invoice_number or invoice.external_ref, "order": invoice.order_ref,
            "shipment": invoice.shipment_id}  # fmt: skip
    this = DocRef(DocType.INVOICE, invoice.invoice_number or invoice.external_ref)
    recorded = send_x12(ports, ctx, buyer, "810", invoice, business_keys=keys)
    for ref in recorded.refs:
        ports.store.links.link(this, ref, message_id=ctx.envelope.message_id, session=ctx.session)
    return [recorded.delivery]
