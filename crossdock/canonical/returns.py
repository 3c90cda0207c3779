"""A return authorization (RMA): what the customer sends back, and why."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, Money, NonEmptyStr, Quantity, UnitOfMeasure
from crossdock.canonical.order import Channel


class ReturnLine(CanonicalModel):
    line_number: NonEmptyStr
    sku: NonEmptyStr
    quantity: Quantity
    unit_of_measure: UnitOfMeasure = "EA"
    reason_code: str | None = None
    reason: str | None = None
    refund_amount: Money | None = None
    disposition: str | None = Field(default=None, description="restock, scrap, return_to_vendor ...")


class ReturnAuthorization(CanonicalModel):
    rma_number: NonEmptyStr
    channel: Channel
    order_external_id: NonEmptyStr
    created_at: AwareDatetime
    lines: list[ReturnLine] = Field(min_length=1)
    return_tracking_number: str | None = None
    notes: list[str] = Field(default_factory=list)
