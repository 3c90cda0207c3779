"""Canonical documents: pure pydantic v2 models every channel maps to and from. No IO here."""

from crossdock.canonical.acknowledgment import (
    AckError,
    AckStatus,
    FunctionalAcknowledgment,
    InterchangeAcknowledgment,
    SetAcknowledgment,
)
from crossdock.canonical.base import CanonicalModel, gs1_check_digit, has_valid_check_digit
from crossdock.canonical.envelope import SCHEMA_VERSION, Envelope, idempotency_key
from crossdock.canonical.inventory import (
    InventoryAdjustment,
    InventoryAdjustmentLine,
    InventoryAdvice,
    InventoryAdviceLine,
    InventoryLevel,
)
from crossdock.canonical.invoice import Invoice, InvoiceLine
from crossdock.canonical.order import (
    Channel,
    Discount,
    Fee,
    Order,
    OrderLine,
    OrderPurpose,
    ShippingMethod,
    Tax,
    Totals,
)
from crossdock.canonical.party import Address, Party, PartyRole
from crossdock.canonical.po_ack import LineAckStatus, PoAckLine, PoAckStatus, PurchaseOrderAcknowledgment
from crossdock.canonical.redact import redact
from crossdock.canonical.registry import DOCUMENTS, document_class, json_schemas
from crossdock.canonical.returns import ReturnAuthorization, ReturnLine
from crossdock.canonical.settlement import SettlementKind, SettlementLine, SettlementSummary
from crossdock.canonical.shipment import Package, Shipment, ShipmentLine, ShipmentOrder
from crossdock.canonical.warehouse import WarehouseShippingOrder, WarehouseShippingOrderLine

__all__ = [
    # documents
    "Order",
    "WarehouseShippingOrder",
    "Shipment",
    "Invoice",
    "InventoryAdjustment",
    "InventoryAdjustmentLine",
    "InventoryAdvice",
    "InventoryAdviceLine",
    "InventoryLevel",
    "PurchaseOrderAcknowledgment",
    "ReturnAuthorization",
    "SettlementLine",
    "SettlementSummary",
    "FunctionalAcknowledgment",
    "InterchangeAcknowledgment",
    "Envelope",
    # parts
    "Address",
    "AckError",
    "AckStatus",
    "CanonicalModel",
    "Channel",
    "Discount",
    "Fee",
    "InvoiceLine",
    "OrderLine",
    "OrderPurpose",
    "LineAckStatus",
    "PoAckLine",
    "PoAckStatus",
    "Package",
    "Party",
    "PartyRole",
    "ReturnLine",
    "SetAcknowledgment",
    "SettlementKind",
    "ShipmentLine",
    "ShipmentOrder",
    "ShippingMethod",
    "Tax",
    "Totals",
    "WarehouseShippingOrderLine",
    # functions and registry
    "DOCUMENTS",
    "SCHEMA_VERSION",
    "document_class",
    "gs1_check_digit",
    "has_valid_check_digit",
    "idempotency_key",
    "json_schemas",
    "redact",
]
