"""A marketplace settlement (one payout) and its lines, for finance to reconcile against orders and fees."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, CurrencyCode, Money, NonEmptyStr
from crossdock.canonical.order import Channel


class SettlementKind(StrEnum):
    """What a settlement line is for; each kind has its own account in the journal entry."""

    PRINCIPAL = "principal"
    SHIPPING = "shipping"
    TAX = "tax"
    COMMISSION = "commission"
    FULFILLMENT_FEE = "fulfillment_fee"
    REFUND = "refund"
    CHARGEBACK = "chargeback"
    RESERVE = "reserve"
    ADJUSTMENT = "adjustment"


class SettlementLine(CanonicalModel):
    channel: Channel
    settlement_id: NonEmptyStr
    line_id: NonEmptyStr = Field(description="Unique within the settlement and stable across re-imports.")
    kind: SettlementKind
    order_external_id: str | None = None
    sku: str | None = None
    description: str | None = None
    amount: Money = Field(description="Positive credits the seller, negative debits.")
    currency: CurrencyCode
    posted_at: AwareDatetime
    deposit_date: date | None = None


class SettlementSummary(CanonicalModel):
    """The settlement as a whole: what the marketplace says it paid (``total_amount``) and when."""

    channel: Channel
    settlement_id: NonEmptyStr
    currency: CurrencyCode
    total_amount: Money = Field(description="The deposit: the paid net of the whole settlement.")
    start_date: date | None = None
    end_date: date | None = None
    deposit_date: date | None = None
