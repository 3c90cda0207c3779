"""One line of a marketplace settlement report, for finance to reconcile against orders and fees."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, CurrencyCode, Money, NonEmptyStr
from crossdock.canonical.order import Channel


class SettlementKind(StrEnum):
    ORDER = "order"
    REFUND = "refund"
    FEE = "fee"
    ADJUSTMENT = "adjustment"
    RESERVE = "reserve"
    PAYOUT = "payout"


class SettlementLine(CanonicalModel):
    channel: Channel
    settlement_id: NonEmptyStr
    line_id: NonEmptyStr = Field(description="Unique within the settlement.")
    kind: SettlementKind
    order_external_id: str | None = None
    sku: str | None = None
    description: str | None = None
    amount: Money = Field(description="Positive credits the seller, negative debits.")
    currency: CurrencyCode
    posted_at: AwareDatetime
    deposit_date: date | None = None
