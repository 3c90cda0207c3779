"""Expected against paid per order, and the journal entry a settlement posts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from crossdock.canonical.finance import (
    AccountMap,
    ChannelFees,
    OrderRecord,
    journal_entry,
    posting_reference,
    reconcile,
)
from crossdock.canonical.settlement import SettlementKind as K

FEES = ChannelFees(commission_rate=Decimal("0.15"))
TOL = Decimal("0.05")


def codes(result: object) -> list[str]:
    return [e.code for e in result.explanations]  # type: ignore[attr-defined]


def test_an_order_paid_as_expected_has_no_difference() -> None:
    record = OrderRecord("amazon", "A", "USD", Decimal("40.00"), Decimal("5.00"), Decimal("3.30"))
    paid = {
        K.PRINCIPAL: Decimal("40.00"),
        K.SHIPPING: Decimal("5.00"),
        K.TAX: Decimal("0.00"),
        K.COMMISSION: Decimal("-6.75"),
    }
    result = reconcile(record, paid, FEES, has_return=False, tolerance=TOL)
    assert (result.expected_net, result.paid_net, result.difference, codes(result)) == (
        Decimal("38.25"),
        Decimal("38.25"),
        0,
        [],
    )


def test_a_higher_fee_rate_and_a_refund_without_a_return_are_explained() -> None:
    record = OrderRecord("amazon", "B", "USD", Decimal("60.00"))
    paid = {K.PRINCIPAL: Decimal("60.00"), K.COMMISSION: Decimal("-10.20"), K.REFUND: Decimal("-17.00")}
    result = reconcile(record, paid, FEES, has_return=False, tolerance=TOL)
    assert result.difference == Decimal("-18.20")
    assert codes(result) == ["FEE_RATE", "REFUND_WITHOUT_RETURN"]
    assert "fee rate 17.00% differs from the configured 15.00%" in result.summary()


def test_a_refund_for_a_known_return_is_expected() -> None:
    record = OrderRecord("amazon", "B", "USD", Decimal("60.00"))
    paid = {K.PRINCIPAL: Decimal("60.00"), K.COMMISSION: Decimal("-9.00"), K.REFUND: Decimal("-17.00")}
    result = reconcile(record, paid, FEES, has_return=True, tolerance=TOL)
    assert result.difference == 0 and codes(result) == []


def test_chargeback_and_reserve_are_named() -> None:
    record = OrderRecord("walmart", "C", "USD", Decimal("10.00"))
    paid = {
        K.PRINCIPAL: Decimal("10.00"),
        K.COMMISSION: Decimal("-1.50"),
        K.CHARGEBACK: Decimal("-10.00"),
        K.RESERVE: Decimal("-2.00"),
    }
    result = reconcile(record, paid, FEES, has_return=False, tolerance=TOL)
    assert codes(result) == ["CHARGEBACK", "RESERVE"] and result.difference == Decimal("-12.00")
    assert "reserve held" in result.summary()


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(list(K)), st.decimals(min_value=-1000, max_value=1000, places=2), max_size=9))
def test_explanations_add_up_to_the_difference(paid: dict[K, Decimal]) -> None:
    record = OrderRecord("amazon", "P", "USD", Decimal("100.00"), Decimal("7.00"), Decimal("8.00"), Decimal(2))
    result = reconcile(record, paid, FEES, has_return=False, tolerance=Decimal(0))
    assert sum((e.amount for e in result.explanations), Decimal(0)) == result.difference


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(list(K)), st.decimals(min_value=-1000, max_value=1000, places=2), max_size=9))
def test_journal_entries_balance(sums: dict[K, Decimal]) -> None:
    entry = journal_entry(channel="amazon", settlement_id="1", sums=sums, accounts=AccountMap(),
                          posting_date=date(2026, 11, 17), reference="STL-1")  # fmt: skip
    if entry is None:
        assert all(v == 0 for v in sums.values())
        return
    debit = sum((line.get("debit", Decimal(0)) for line in entry["lines"]), Decimal(0))
    credit = sum((line.get("credit", Decimal(0)) for line in entry["lines"]), Decimal(0))
    assert debit == credit and all(
        line.get("debit", Decimal(1)) > 0 and line.get("credit", Decimal(1)) > 0 for line in entry["lines"]
    )


def test_posting_reference_is_stable_and_fits_the_erp() -> None:
    first = posting_reference("amazon", "12345678901", ["3", "4", "5"])
    assert first == posting_reference("amazon", "12345678901", ["5", "3", "4"])
    assert first != posting_reference("amazon", "12345678901", ["3", "4"])
    assert len(first) <= 35
