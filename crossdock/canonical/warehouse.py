"""What goes to a 3PL: a warehouse shipping order (X12 940)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from crossdock.canonical.base import CanonicalModel, Gtin, Money, NonEmptyStr, Quantity, UnitOfMeasure
from crossdock.canonical.order import OrderPurpose, ShippingMethod
from crossdock.canonical.party import Party, PartyRole


class WarehouseShippingOrderLine(CanonicalModel):
    line_number: NonEmptyStr
    sku: str | None = None
    gtin: Gtin | None = None
    buyer_part_number: str | None = None
    description: str | None = None
    quantity: Quantity
    unit_of_measure: UnitOfMeasure = "EA"
    unit_price: Money | None = None
    lot: str | None = None


class WarehouseShippingOrder(CanonicalModel):
    """A request to a warehouse to pick, pack and ship. ``order_ref`` is the depositor's order number
    (W0502), ``po_number`` the customer's PO (W0503), ``shipment_id`` our shipment id (N9*SI)."""

    order_ref: NonEmptyStr
    po_number: str | None = None
    shipment_id: str | None = None
    purpose: OrderPurpose = OrderPurpose.ORIGINAL
    warehouse_code: str | None = None
    depositor_code: str | None = None
    requested_ship_date: date | None = None
    requested_delivery_date: date | None = None
    cancel_after: date | None = None
    parties: list[Party] = Field(default_factory=list)
    shipping_method: ShippingMethod | None = None
    lines: list[WarehouseShippingOrderLine] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)
    references: dict[str, str] = Field(default_factory=dict)

    def party(self, role: PartyRole) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)
