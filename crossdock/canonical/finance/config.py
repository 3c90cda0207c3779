"""Finance settings (the ``finance:`` section of flows.yaml): the tolerance, each channel's configured
fees, and the account map the journal entries post to."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from crossdock.canonical.settlement import SettlementKind


class ChannelFees(BaseModel):
    """What crossdock expects a channel to keep from an order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commission_rate: Decimal = Field(default=Decimal("0.15"), ge=0, le=1, description="A fraction: 0.15 for 15%.")
    fixed_fee: Decimal = Field(default=Decimal(0), ge=0, description="Per order, on top of the rate.")
    fulfillment_fee_per_unit: Decimal = Field(default=Decimal(0), ge=0)
    fee_includes_tax: bool = Field(default=False, description="The rate applies to the tax too (payment processors).")
    tax_remitted_by_channel: bool = Field(
        default=True, description="The marketplace collects and remits the sales tax: none of it is paid out."
    )


DEFAULT_FEES = {
    "amazon": ChannelFees(commission_rate=Decimal("0.15")),
    "walmart": ChannelFees(commission_rate=Decimal("0.15")),
    "shopify": ChannelFees(
        commission_rate=Decimal("0.029"),
        fixed_fee=Decimal("0.30"),
        fee_includes_tax=True,
        tax_remitted_by_channel=False,
    ),
}


class AccountMap(BaseModel):
    """G/L account numbers, one per line kind, and the bank clearing account the net goes to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    principal: str = "4000"
    shipping: str = "4000"
    tax: str = "2300"
    commission: str = "6100"
    fulfillment_fee: str = "6100"
    refund: str = "4100"
    chargeback: str = "6150"
    reserve: str = "1150"
    adjustment: str = "6100"
    bank_clearing: str = "1100"

    def account(self, kind: SettlementKind) -> str:
        return str(getattr(self, kind.value))


class FinanceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tolerance: Decimal = Field(default=Decimal("0.05"), ge=0, description="Differences up to this are noise.")
    fees: dict[str, ChannelFees] = Field(default_factory=lambda: dict(DEFAULT_FEES))
    accounts: AccountMap = Field(default_factory=AccountMap)
    journal_template: str | None = Field(default=None, max_length=20)

    def fees_for(self, channel: str) -> ChannelFees:
        return self.fees.get(channel) or DEFAULT_FEES.get(channel) or ChannelFees()
