"""The canonical invoice: what one shipment of one order bills (the ERP's invoice, a buyer's 810)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from crossdock.canonical.base import CanonicalModel, CurrencyCode, Gtin, Money, NonEmptyStr, Quantity, UnitOfMeasure
from crossdock.canonical.order import Channel, Discount, Fee, Tax
from crossdock.canonical.party import Party, PartyRole

CENT = Decimal("0.01")


class InvoiceLine(CanonicalModel):
    line_number: NonEmptyStr = Field(description="The order line it bills (PO101, the marketplace line id).")
    sku: str | None = None
    gtin: Gtin | None = None
    buyer_part_number: str | None = None
    vendor_part_number: str | None = None
    description: str | None = None
    quantity: Quantity = Field(description="The quantity shipped and billed.")
    unit_of_measure: UnitOfMeasure = "EA"
    unit_price: Money | None = Field(default=None, description="None: the ERP prices it from its order.")
    discounts: list[Discount] = Field(default_factory=list, description="For the quantity billed.")
    taxes: list[Tax] = Field(default_factory=list, description="For the quantity billed.")

    @property
    def net_amount(self) -> Decimal:
        """Quantity x price less the line's discounts (0 when there is no price)."""
        gross = self.quantity * (self.unit_price or Decimal(0))
        return gross - sum((d.amount for d in self.discounts), Decimal(0))


class Invoice(CanonicalModel):
    external_ref: NonEmptyStr = Field(
        max_length=35, description="crossdock's reference, the ERP's External Document No.: one per shipped order."
    )
    invoice_number: str | None = Field(default=None, description="The ERP's invoice number once posted.")
    invoiced_at: date
    channel: Channel
    order_ref: NonEmptyStr = Field(description="The order billed, as the channel knows it (PO number, order id).")
    order_date: date | None = None
    shipment_id: NonEmptyStr
    shipped_at: date | None = None
    currency: CurrencyCode = "USD"
    parties: list[Party] = Field(default_factory=list)
    lines: list[InvoiceLine] = Field(min_length=1)
    discounts: list[Discount] = Field(default_factory=list, description="Order-level discounts billed here.")
    shipping_charge: Money | None = None
    taxes: list[Tax] = Field(default_factory=list, description="Order-level taxes (shipping tax ...) billed here.")
    fees: list[Fee] = Field(default_factory=list, description="Channel fees: the seller's cost, not billed.")
    carrier_scac: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)
    references: dict[str, str] = Field(default_factory=dict, description="erp_order_no, erp_customer_no, ...")

    def party(self, role: PartyRole) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)

    @property
    def total(self) -> Decimal:
        """What the customer owes: lines net of discounts, less order discounts, plus shipping and taxes."""
        total = sum((line.net_amount for line in self.lines), Decimal(0))
        total += sum((t.amount for line in self.lines for t in line.taxes), Decimal(0))
        total -= sum((d.amount for d in self.discounts), Decimal(0))
        total += (self.shipping_charge or Decimal(0)) + sum((t.amount for t in self.taxes), Decimal(0))
        return total.quantize(CENT)
