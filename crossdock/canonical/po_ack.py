"""A purchase order acknowledgment we send a B2B buyer (X12 855): whether we accept its PO, line by line."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, Field, model_validator

from crossdock.canonical.base import CanonicalModel, Gtin, Money, NonEmptyStr, Quantity, UnitOfMeasure
from crossdock.canonical.order import Order


class PoAckStatus(StrEnum):
    """BAK02: AD accepted (detail, no change), AC accepted with changes (detail and change), RJ rejected."""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    REJECTED = "rejected"


class LineAckStatus(StrEnum):
    """ACK01: IA accepted, IQ accepted with its quantity changed, IP accepted with its price changed, IB
    backordered, IR rejected."""

    ACCEPTED = "accepted"
    QUANTITY_CHANGED = "quantity_changed"
    PRICE_CHANGED = "price_changed"
    BACKORDERED = "backordered"
    REJECTED = "rejected"


class PoAckLine(CanonicalModel):
    line_number: NonEmptyStr = Field(description="The PO's line number (PO101).")
    status: LineAckStatus
    quantity_ordered: Quantity
    quantity: Quantity = Field(description="What we accept of the line (0 when rejected).")
    unit_of_measure: UnitOfMeasure = "EA"
    unit_price: Money | None = None
    sku: str | None = None
    gtin: Gtin | None = None
    buyer_part_number: str | None = None
    vendor_part_number: str | None = None


class PurchaseOrderAcknowledgment(CanonicalModel):
    po_number: NonEmptyStr
    status: PoAckStatus
    acknowledged_at: AwareDatetime
    order_date: date | None = Field(default=None, description="The PO's date (BEG05), written as BAK04.")
    release_number: str | None = None
    seller_order_number: str | None = Field(default=None, description="Our order number for it (the ERP's).")
    lines: list[PoAckLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PurchaseOrderAcknowledgment:
        changed = [line.line_number for line in self.lines if line.status is not LineAckStatus.ACCEPTED]
        if self.status is PoAckStatus.ACCEPTED and changed:
            raise ValueError(f"an acknowledgment without change cannot change lines {', '.join(changed)}")
        kept = [line for line in self.lines if line.status is not LineAckStatus.REJECTED]
        if self.status is PoAckStatus.REJECTED and kept:
            raise ValueError("a rejected purchase order has only rejected lines")
        return self

    @classmethod
    def accepting(
        cls, order: Order, *, at: AwareDatetime, seller_order_number: str | None
    ) -> PurchaseOrderAcknowledgment:
        """Every line of ``order`` accepted as ordered (what booking the whole order in the ERP means)."""
        lines = [PoAckLine(line_number=line.line_number, status=LineAckStatus.ACCEPTED, quantity_ordered=line.quantity,
                           quantity=line.quantity, unit_of_measure=line.unit_of_measure, unit_price=line.unit_price,
                           sku=line.sku, gtin=line.gtin, buyer_part_number=line.buyer_part_number,
                           vendor_part_number=line.vendor_part_number)
                 for line in order.lines]  # fmt: skip
        return cls(po_number=order.external_id, status=PoAckStatus.ACCEPTED, acknowledged_at=at,
                   order_date=order.ordered_at.date() if order.ordered_at else None,
                   release_number=order.references.get("release_number"), seller_order_number=seller_order_number,
                   lines=lines)  # fmt: skip
