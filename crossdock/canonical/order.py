"""The canonical sales/purchase order: what a marketplace or a buyer's 850 asks us to fulfil."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field, model_validator

from crossdock.canonical.base import (
    CanonicalModel,
    CurrencyCode,
    Gtin,
    Money,
    NonEmptyStr,
    Quantity,
    UnitOfMeasure,
)
from crossdock.canonical.party import Party, PartyRole


class Channel(StrEnum):
    """Where a document came from or goes to."""

    SHOPIFY = "shopify"
    AMAZON = "amazon"
    WALMART = "walmart"
    EBAY = "ebay"
    EDI = "edi"
    ERP = "erp"
    WAREHOUSE = "warehouse"
    MANUAL = "manual"


class OrderPurpose(StrEnum):
    """X12 BEG01 style: original, cancellation, change, confirmation."""

    ORIGINAL = "original"
    CANCELLATION = "cancellation"
    CHANGE = "change"
    CONFIRMATION = "confirmation"


class Discount(CanonicalModel):
    description: str | None = None
    code: str | None = None
    amount: Money = Field(ge=0, description="Positive amount taken off.")


class Tax(CanonicalModel):
    kind: str = Field(default="sales", description="sales, vat, gst, ... or the partner's tax type code.")
    amount: Money
    rate: Decimal | None = Field(default=None, ge=0, le=1, description="As a fraction: 0.0825 for 8.25%.")
    jurisdiction: str | None = None


class Fee(CanonicalModel):
    """A marketplace or channel fee (commission, fulfilment fee). Positive means charged to the seller."""

    kind: str
    amount: Money


class OrderLine(CanonicalModel):
    line_number: NonEmptyStr = Field(description="The line's id in the source document (PO101, line item id).")
    sku: str | None = Field(default=None, description="Our item number / seller SKU.")
    gtin: Gtin | None = Field(default=None, description="GTIN-8/12/13/14; a UPC is a GTIN-12.")
    buyer_part_number: str | None = None
    vendor_part_number: str | None = None
    description: str | None = None
    quantity: Quantity
    unit_of_measure: UnitOfMeasure = "EA"
    unit_price: Money | None = None
    discounts: list[Discount] = Field(default_factory=list)
    taxes: list[Tax] = Field(default_factory=list)
    external_line_id: str | None = Field(default=None, description="Marketplace line item id, when distinct.")

    @model_validator(mode="after")
    def _identified(self) -> OrderLine:
        if not (self.sku or self.gtin or self.buyer_part_number or self.vendor_part_number):
            raise ValueError("a line needs at least one item identifier: sku, gtin, buyer or vendor part number")
        return self

    @property
    def extended_price(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return self.unit_price * self.quantity - sum((d.amount for d in self.discounts), Decimal(0))


class ShippingMethod(CanonicalModel):
    carrier: str | None = Field(default=None, description="SCAC or carrier name.")
    service_level: str | None = Field(default=None, description="Ground, 2DAY, NEXTDAY, or a partner code.")
    routing: str | None = None


class Totals(CanonicalModel):
    subtotal: Money | None = None
    discount: Money | None = None
    shipping: Money | None = None
    tax: Money | None = None
    total: Money | None = None


class Order(CanonicalModel):
    channel: Channel
    external_id: NonEmptyStr = Field(description="The order id as the channel knows it (PO number, marketplace id).")
    purpose: OrderPurpose = OrderPurpose.ORIGINAL
    order_type: str | None = Field(default=None, description="BEG02 style: SA stand-alone, DS drop ship, ...")
    ordered_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = Field(
        default=None,
        description="When the channel last changed this order (Shopify updated_at, Amazon LastUpdateDate, an "
        "860's date): the as-of time of this version; an amendment older than one already applied is stale.",
    )
    line_changes_only: bool = Field(
        default=False,
        description="For a change or cancellation: True when `lines` holds only the lines that change, each "
        "with its new quantity (0: the line is cancelled), the other lines staying as they are (an 860's POC "
        "lines); False when `lines` is the whole order as it now stands (a line left out is cancelled).",
    )
    requested_ship_date: date | None = None
    requested_delivery_date: date | None = None
    cancel_after: date | None = None
    currency: CurrencyCode = "USD"
    parties: list[Party] = Field(default_factory=list)
    lines: list[OrderLine] = Field(
        default_factory=list,
        description="At least one, but for a cancellation of the whole order (an 860 with BCH01=01 and no POC "
        "line): no line, with line_changes_only False (as it now stands, the order has no line).",
    )
    shipping_method: ShippingMethod | None = None
    discounts: list[Discount] = Field(default_factory=list)
    taxes: list[Tax] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    totals: Totals | None = None
    notes: list[str] = Field(default_factory=list)
    references: dict[str, str] = Field(
        default_factory=dict,
        description="Other ids this order is known by: department, vendor number, ERP order number, ...",
    )

    @model_validator(mode="after")
    def _unique_lines(self) -> Order:
        if not self.lines and (self.purpose is not OrderPurpose.CANCELLATION or self.line_changes_only):
            raise ValueError("an order needs at least one line (only a cancellation of the whole order has none)")
        seen: set[str] = set()
        for line in self.lines:
            if line.line_number in seen:
                raise ValueError(f"line_number {line.line_number!r} appears twice")
            seen.add(line.line_number)
        return self

    def party(self, role: PartyRole) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)
