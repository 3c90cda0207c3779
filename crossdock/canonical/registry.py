"""The canonical document types by name, as they appear in ``Envelope.document_type``."""

from __future__ import annotations

from crossdock.canonical.acknowledgment import FunctionalAcknowledgment, InterchangeAcknowledgment
from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import Envelope
from crossdock.canonical.finance.return_events import ReturnEventDocument
from crossdock.canonical.inbound import InboundPayload, OutboxDelivery
from crossdock.canonical.inventory import (
    InventoryAdjustment,
    InventoryAdvice,
    InventoryChange,
    InventoryLevel,
    InventoryPush,
)
from crossdock.canonical.invoice import Invoice
from crossdock.canonical.order import Order
from crossdock.canonical.po_ack import PurchaseOrderAcknowledgment
from crossdock.canonical.returns import ReturnAuthorization
from crossdock.canonical.settlement import SettlementLine, SettlementSummary
from crossdock.canonical.shipment import Shipment
from crossdock.canonical.warehouse import WarehouseShippingOrder

DOCUMENTS: dict[str, type[CanonicalModel]] = {
    "order": Order,
    "warehouse_shipping_order": WarehouseShippingOrder,
    "shipment": Shipment,
    "invoice": Invoice,
    "purchase_order_acknowledgment": PurchaseOrderAcknowledgment,
    "inventory_level": InventoryLevel,
    "inventory_advice": InventoryAdvice,
    "inventory_adjustment": InventoryAdjustment,
    "inventory_change": InventoryChange,
    "inventory_push": InventoryPush,
    "return_authorization": ReturnAuthorization,
    "settlement_line": SettlementLine,
    "settlement_summary": SettlementSummary,
    "return_event": ReturnEventDocument,
    "functional_acknowledgment": FunctionalAcknowledgment,
    "interchange_acknowledgment": InterchangeAcknowledgment,
    "inbound_payload": InboundPayload,
    "outbox_delivery": OutboxDelivery,
    "envelope": Envelope,
}


def document_class(name: str) -> type[CanonicalModel]:
    try:
        return DOCUMENTS[name]
    except KeyError:
        raise KeyError(f"unknown canonical document type {name!r}; known: {', '.join(sorted(DOCUMENTS))}") from None


_TYPES: dict[type[CanonicalModel], str] = {cls: name for name, cls in DOCUMENTS.items()}


def document_type_of(cls: type[CanonicalModel]) -> str:
    """The document type a canonical class is registered under (``Order`` -> ``"order"``)."""
    try:
        return _TYPES[cls]
    except KeyError:
        raise KeyError(f"{cls.__name__} is not a registered canonical document (canonical/registry.py)") from None


def json_schemas() -> dict[str, dict[str, object]]:
    """JSON Schema of every canonical document, by name (pure: the CLI writes them to files)."""
    return {name: cls.model_json_schema() for name, cls in DOCUMENTS.items()}
