"""A shipment: what left a warehouse (945 from a 3PL, 856 ASN from a vendor, or ours to a buyer)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, Gtin, NonEmptyStr, Quantity, Sscc, UnitOfMeasure
from crossdock.canonical.party import Party, PartyRole


class ShipmentLine(CanonicalModel):
    line_number: str | None = Field(default=None, description="The order line this ships (PO101 / LIN01).")
    sku: str | None = None
    gtin: Gtin | None = None
    buyer_part_number: str | None = None
    vendor_part_number: str | None = None
    description: str | None = None
    quantity_ordered: Quantity | None = None
    quantity_shipped: Quantity
    unit_of_measure: UnitOfMeasure = "EA"
    lot: str | None = None


class Package(CanonicalModel):
    sscc: Sscc | None = Field(default=None, description="SSCC-18 label (MAN*GM), without AI 00.")
    tracking_number: str | None = None
    weight: Decimal | None = Field(default=None, ge=0)
    weight_unit: str | None = Field(default=None, description="LB or KG.")
    packaging_code: str | None = Field(default=None, description="TD101 style: CTN25, PLT94 ...")
    pallet_sscc: Sscc | None = Field(default=None, description="SSCC-18 of the pallet (856 tare level) it is on.")
    lines: list[ShipmentLine] = Field(default_factory=list)


class ShipmentOrder(CanonicalModel):
    """One order within a shipment (an O level of an 856, or the order a 945 confirms)."""

    po_number: str | None = None
    order_ref: str | None = Field(default=None, description="Depositor / seller order number.")
    po_date: date | None = None
    parties: list[Party] = Field(default_factory=list, description="Order-level parties: buyer, mark-for store.")
    references: dict[str, str] = Field(default_factory=dict, description="Order-level ids: department, vendor number.")
    packages: list[Package] = Field(default_factory=list)
    lines: list[ShipmentLine] = Field(default_factory=list, description="Lines not packed in a labelled package.")

    @property
    def all_lines(self) -> list[ShipmentLine]:
        return [*self.lines, *(line for package in self.packages for line in package.lines)]


class Shipment(CanonicalModel):
    shipment_id: NonEmptyStr = Field(description="BSN02 / W0604: the shipper's id for this shipment.")
    shipped_at: AwareDatetime | None = None
    estimated_delivery: date | None = None
    ship_from: Party | None = None
    ship_to: Party | None = None
    parties: list[Party] = Field(default_factory=list, description="Other parties: buyer, vendor, mark-for.")
    carrier_scac: str | None = None
    carrier_name: str | None = None
    service_level: str | None = None
    bill_of_lading: str | None = None
    pro_number: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    total_weight: Decimal | None = Field(default=None, ge=0)
    weight_unit: str | None = None
    package_count: int | None = Field(default=None, ge=0)
    orders: list[ShipmentOrder] = Field(min_length=1)
    partial: bool = Field(default=False, description="True when any line shipped less than ordered.")
    references: dict[str, str] = Field(default_factory=dict)

    def party(self, role: PartyRole) -> Party | None:
        if role is PartyRole.SHIP_FROM:
            return self.ship_from
        if role is PartyRole.SHIP_TO:
            return self.ship_to
        return next((p for p in self.parties if p.role == role), None)
