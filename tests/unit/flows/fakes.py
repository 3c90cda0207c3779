"""An in-memory ERP implementing the gateway's ErpPort (the parts the flows call), and flow ports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from crossdock.actors.handlers.outbound import FolderOutbound
from crossdock.actors.handlers.ports import FlowPorts, TradingPartner
from crossdock.bridges.soap import SalesOrderRef
from crossdock.canonical import InventoryLevel, Order, Shipment
from crossdock.edi.partners import PartnerProfile
from crossdock.errors import BusinessError, Owner
from crossdock.store import Store


class MemoryErp:
    def __init__(self, items: Sequence[str] = ("ITEM-1", "ITEM-2", "ITEM-3")) -> None:
        self.items = set(items)
        self.orders: dict[str, Order] = {}
        self.shipments: dict[str, Shipment] = {}
        self.creates = 0

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
        self.shipments.setdefault(shipment.shipment_id, shipment)
        return f"SH-{shipment.shipment_id}"

    def cancel_sales_order(self, document_no: str, reason_code: str | None = None) -> str:
        raise NotImplementedError

    def create_invoice(self, invoice: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def create_credit_memo(self, credit_memo: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def post_journal_entry(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def inventory_levels(self, item_nos: Sequence[str] = (), location: str | None = None) -> list[InventoryLevel]:
        raise NotImplementedError

    def get_item(self, item_no: str) -> dict[str, Any]:
        raise NotImplementedError


BUYER = PartnerProfile(name="acme-retail", sender_id="CROSSDOCK", receiver_id="ACMERETAIL", usage="T")
THREEPL = PartnerProfile(name="northstar-3pl", sender_id="CROSSDOCK", receiver_id="NORTHSTAR3PL", usage="T")
ITEM_MAP = {"CD-TEE-BLK-M": "ITEM-1", "CD-HOOD-GRY-L": "ITEM-2", "CD-SOCK-6PK": "ITEM-3"}


def flow_ports(store: Store, erp: MemoryErp, outbox: Path) -> FlowPorts:
    partners = (
        TradingPartner(BUYER, FolderOutbound(outbox / BUYER.name, BUYER.name), erp_customer_no="C30000"),
        TradingPartner(THREEPL, FolderOutbound(outbox / THREEPL.name, THREEPL.name), erp_location_code="MAIN"),
    )
    return FlowPorts(store, erp, partners, THREEPL.name, "COL1", ITEM_MAP, {"shopify": "C10000"})
