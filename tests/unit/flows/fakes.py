"""In-memory fakes implementing the real ports: an ERP (the gateway's ErpPort, the parts the flows call)
and a marketplace (MarketplacePort, as the Shopify adapter behaves); and flow ports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crossdock.actors.graph import OUTBOX_DELIVER
from crossdock.actors.handlers import delivery
from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.actors.steps import Outgoing
from crossdock.bridges.soap import InvoiceRef, SalesOrderChange, SalesOrderRef
from crossdock.canonical import InventoryLevel, Invoice, Order, Shipment
from crossdock.canonical.inbound import OutboxDelivery
from crossdock.edi.partners import PartnerProfile
from crossdock.errors import BusinessError, Owner, TransientError
from crossdock.store import Store


class MemoryErp:
    def __init__(self, items: Sequence[str] = ("ITEM-1", "ITEM-2", "ITEM-3")) -> None:
        self.items = set(items)
        self.orders: dict[str, Order] = {}
        self.shipments: dict[str, Shipment] = {}
        self.invoices: dict[str, Invoice] = {}
        self.creates = 0
        self.cancelled: set[str] = set()

    def create_sales_order(self, order: Order) -> SalesOrderRef:
        for line in order.lines:
            if line.sku not in self.items:
                raise BusinessError(f"Item {line.sku} does not exist.", owner=Owner.INTEGRATION, key=order.external_id)
        for number, known in self.orders.items():
            if known.external_id == order.external_id:
                return SalesOrderRef(number, "Open", created=False)
        self.creates += 1
        number = f"SO{len(self.orders) + 1:05d}"
        self.orders[number] = order
        return SalesOrderRef(number, "Open", created=True)

    def post_shipment(self, shipment: Shipment) -> str:
        if shipment.references.get("erp_order_no") not in self.orders:
            raise BusinessError("no such sales order", owner=Owner.WAREHOUSE)
        if shipment.references.get("erp_order_no") in self.cancelled:
            raise BusinessError("Sales Order is cancelled.", owner=Owner.INTEGRATION)
        self.shipments.setdefault(shipment.shipment_id, shipment)
        return f"SH-{shipment.shipment_id}"

    def cancel_sales_order(self, document_no: str, reason_code: str | None = None) -> str:
        if document_no not in self.orders:
            raise BusinessError(f"Sales Order {document_no} does not exist.", owner=Owner.INTEGRATION)
        if document_no in self.shipped_orders:
            raise BusinessError(f"Sales Order {document_no} cannot be cancelled because its Status is Shipped.")
        self.cancelled.add(document_no)
        return "Cancelled"

    @property
    def shipped_orders(self) -> set[str]:
        return {str(s.references.get("erp_order_no")) for s in self.shipments.values()}

    def change_sales_order(self, document_no: str, order: Order) -> SalesOrderChange:
        booked = self.orders[document_no]
        lines = {line.sku: line for line in booked.lines}
        if not order.line_changes_only:
            lines = {sku: line.model_copy(update={"quantity": 0}) for sku, line in lines.items()}
        lines.update({line.sku: line for line in order.lines})
        self.orders[document_no] = booked.model_copy(update={"lines": list(lines.values())})
        status = "Cancelled" if all(line.quantity == 0 for line in lines.values()) else "Open"
        return SalesOrderChange(document_no, status, None)

    def create_invoice(self, invoice: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def invoice_shipment(self, invoice: Invoice) -> InvoiceRef:
        """Posted once per reference (a retry returns the first); only orders it booked."""
        if invoice.references.get("erp_order_no") not in self.orders:
            raise BusinessError("no such sales order", owner=Owner.FINANCE)
        for number, known in self.invoices.items():
            if known.external_ref == invoice.external_ref:
                return InvoiceRef(number, known.total, created=False)
        number = f"INV{len(self.invoices) + 1:05d}"
        self.invoices[number] = invoice
        return InvoiceRef(number, invoice.total, created=True)

    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def post_journal_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def inventory_levels(self, item_nos: Sequence[str] = (), location: str | None = None) -> list[InventoryLevel]:
        raise NotImplementedError

    def get_item(self, item_no: str) -> dict[str, Any]:
        raise NotImplementedError


class MemoryMarketplace:
    """A marketplace's orders (order id -> line id -> quantity) and the fulfillments made against them.

    Behaves as the Shopify adapter over Shopify (``tests/integration/test_marketplace_port_contract.py``
    runs the same checks on both): an order already fulfilled with one of the shipment's tracking numbers
    returns that fulfillment instead of a new one; no tracking number, an unknown order or more than is
    left is a BusinessError. ``lose_replies`` makes the next N accepted fulfillments fail
    afterwards, as when the reply never arrives."""

    def __init__(self, orders: Mapping[str, Mapping[str, int]]) -> None:
        self.orders = {order_id: dict(lines) for order_id, lines in orders.items()}
        self.fulfillments: list[dict[str, Any]] = []
        self.lose_replies = 0
        self.closed = False

    def left(self, order_id: str) -> dict[str, int]:
        left = dict(self.orders[order_id])
        for done in self.fulfillments:
            if done["order_id"] == order_id:
                for line, quantity in done["lines"].items():
                    left[line] -= quantity
        return left

    def fulfill(self, shipment: Shipment) -> list[dict[str, Any]]:
        created = []
        for order in shipment.orders:
            order_id = order.order_ref or order.po_number or ""
            numbers = {*shipment.tracking_numbers, *(p.tracking_number for p in order.packages if p.tracking_number)}
            if not numbers:
                raise BusinessError(f"order {order_id}: a tracking number is required", owner=Owner.INTEGRATION)
            existing = [f for f in self.fulfillments if f["order_id"] == order_id and numbers & set(f["tracking"])]
            if existing:
                created.append(existing[0])
                continue
            if order_id not in self.orders:
                raise BusinessError(f"order {order_id} not found", owner=Owner.INTEGRATION)
            lines: dict[str, int] = {}
            for line in order.all_lines:
                lines[line.line_number or ""] = lines.get(line.line_number or "", 0) + int(line.quantity_shipped)
            left = self.left(order_id)
            for line_id, quantity in lines.items():
                if quantity > left.get(line_id, 0):
                    raise BusinessError(f"line {line_id} of order {order_id}: {quantity} > {left.get(line_id, 0)}")
            fulfillment = {"id": len(self.fulfillments) + 1, "order_id": order_id, "tracking": sorted(numbers),
                           "carrier": shipment.carrier_name or shipment.carrier_scac, "lines": lines}  # fmt: skip
            self.fulfillments.append(fulfillment)
            if self.lose_replies:
                self.lose_replies -= 1
                raise TransientError("the marketplace's reply was lost")
            created.append(fulfillment)
        return created

    def close(self) -> None:
        self.closed = True


BUYER = PartnerProfile(name="acme-retail", sender_id="CROSSDOCK", receiver_id="ACMERETAIL", usage="T")
THREEPL = PartnerProfile(name="northstar-3pl", sender_id="CROSSDOCK", receiver_id="NORTHSTAR3PL", usage="T")
ITEM_MAP = {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"}


def flow_ports(store: Store, erp: MemoryErp, outbox: Path) -> FlowPorts:
    partners = (
        TradingPartner(BUYER, FolderOutbound(outbox / BUYER.name, BUYER.name), erp_customer_no="C30000"),
        TradingPartner(THREEPL, FolderOutbound(outbox / THREEPL.name, THREEPL.name), erp_location_code="MAIN"),
    )
    return FlowPorts(store, erp, partners, THREEPL.name, "COL1", ITEM_MAP, {"shopify": "C10000"})


def settled(ports: FlowPorts, outgoing: Iterable[Outgoing] | None) -> list[Outgoing]:
    """What a step returned, with the outbox deliveries done (as ``outbox.deliver`` does once the
    step committed: the handlers called directly commit their own transaction) and left out."""
    rest = []
    for out in outgoing or ():
        if out.step is OUTBOX_DELIVER:
            assert out.after_commit and isinstance(out.document, OutboxDelivery)
            delivery.deliver(ports, out.document.outbox_id)
        else:
            rest.append(out)
    return rest
