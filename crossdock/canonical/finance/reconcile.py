"""Expected against paid, per order: pure arithmetic over crossdock's own record of the order and the
settlement lines that name it. Every difference is explained where it can be (the fee rate is not the
configured one, a refund without a return, a chargeback, a reserve held or released, ...); what is
left over is ``unexplained``. A difference above the tolerance needs a person (finance)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from crossdock.canonical.finance.config import ChannelFees
from crossdock.canonical.order import Order
from crossdock.canonical.settlement import SettlementKind as K

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """What crossdock booked for an order: the amounts the channel collected from the customer."""

    channel: str
    order_id: str
    currency: str
    principal: Decimal
    shipping: Decimal = ZERO
    tax: Decimal = ZERO
    units: Decimal = ZERO


def order_record(order: Order) -> OrderRecord:
    """An order's amounts: lines net of their discounts and the order's, shipping and tax from the totals
    (or the taxes' sum)."""
    principal = ZERO
    units = ZERO
    line_tax = ZERO
    for line in order.lines:
        units += line.quantity
        principal += line.quantity * (line.unit_price or ZERO) - sum((d.amount for d in line.discounts), ZERO)
        line_tax += sum((t.amount for t in line.taxes), ZERO)
    principal -= sum((d.amount for d in order.discounts), ZERO)
    totals = order.totals
    shipping = totals.shipping if totals is not None and totals.shipping is not None else ZERO
    tax = line_tax + sum((t.amount for t in order.taxes), ZERO)
    if totals is not None and totals.tax is not None:
        tax = totals.tax
    return OrderRecord(order.channel.value, order.external_id, order.currency, cents(principal), shipping, tax, units)


@dataclass(frozen=True, slots=True)
class Explanation:
    code: str
    amount: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class OrderResult:
    order_id: str
    expected_net: Decimal
    paid_net: Decimal
    explanations: tuple[Explanation, ...] = field(default=())

    @property
    def difference(self) -> Decimal:
        return self.paid_net - self.expected_net

    def summary(self) -> str:
        parts = [f"{e.text} ({e.amount:+})" for e in self.explanations]
        return "; ".join(parts) if parts else "no explanation"


def expected_fees(record: OrderRecord, fees: ChannelFees) -> tuple[Decimal, Decimal, Decimal]:
    """(expected tax paid out, expected commission, expected fulfillment fee), fees negative."""
    base = record.principal + record.shipping
    tax_paid = ZERO if fees.tax_remitted_by_channel else record.tax
    fee_base = base + (record.tax if fees.fee_includes_tax else ZERO)
    commission = -cents(fee_base * fees.commission_rate + fees.fixed_fee)
    fulfillment = -cents(record.units * fees.fulfillment_fee_per_unit)
    return tax_paid, commission, fulfillment


def reconcile(
    record: OrderRecord, paid: Mapping[K, Decimal], fees: ChannelFees, *, has_return: bool, tolerance: Decimal
) -> OrderResult:
    """Compare what the lines of one order paid (``paid``: the sum per kind) with what was expected."""

    def of(*kinds: K) -> Decimal:
        return sum((paid.get(kind, ZERO) for kind in kinds), ZERO)

    tax_paid, commission, fulfillment = expected_fees(record, fees)
    refunds = of(K.REFUND)
    expected = record.principal + record.shipping + tax_paid + commission + fulfillment
    if has_return:
        expected += refunds  # a refund for a return crossdock knows of is expected
    paid_net = of(*K)
    found: list[Explanation] = []

    def explain(code: str, amount: Decimal, text: str) -> None:
        if abs(amount) > tolerance:
            found.append(Explanation(code, amount, text))

    explain("PRICE_DIFFERS", of(K.PRINCIPAL, K.SHIPPING) - record.principal - record.shipping,
            f"items and shipping paid differ from the order's {record.principal + record.shipping}")  # fmt: skip
    explain("TAX_DIFFERS", of(K.TAX) - tax_paid, f"tax paid out differs from the expected {tax_paid}")
    fee_delta = of(K.COMMISSION) - commission
    if abs(fee_delta) > tolerance:
        base = record.principal + record.shipping + (record.tax if fees.fee_includes_tax else ZERO)
        observed = (-of(K.COMMISSION) - fees.fixed_fee) / base if base else ZERO
        explain("FEE_RATE", fee_delta,
                f"fee rate {observed:.2%} differs from the configured {fees.commission_rate:.2%}")  # fmt: skip
    explain("FULFILLMENT_FEE", of(K.FULFILLMENT_FEE) - fulfillment, f"fulfillment fees differ from {fulfillment}")
    if not has_return:
        explain("REFUND_WITHOUT_RETURN", refunds, "refund without a return")
    explain("CHARGEBACK", of(K.CHARGEBACK), "chargeback")
    reserve = of(K.RESERVE)
    explain("RESERVE", reserve, "reserve held" if reserve < 0 else "reserve released")
    explain("ADJUSTMENT", of(K.ADJUSTMENT), "adjustment")
    left = paid_net - expected - sum((e.amount for e in found), ZERO)
    explain("UNEXPLAINED", left, "unexplained")
    return OrderResult(record.order_id, expected, paid_net, tuple(found))
