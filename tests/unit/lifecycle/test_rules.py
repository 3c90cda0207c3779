"""The pure lifecycle rules: stages, derived states, out-of-order arrivals, amendments by how far the
order got."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crossdock.canonical import Order
from crossdock.canonical.lifecycle import (
    AfterRelease,
    AmendPolicy,
    Arrival,
    OrderState,
    OrderStatus,
    Refusal,
    Stage,
    Verdict,
    amend,
    as_it_stands,
    invoice,
    reach,
    receive,
    ship,
)
from crossdock.canonical.order import OrderPurpose

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=30)
AUTO = AmendPolicy()


def order(purpose: str = "original", *, at: datetime = T0, lines: dict[str, int] | None = None,
          only: bool = False) -> Order:  # fmt: skip
    lines = {"1": 2, "2": 3} if lines is None else lines
    return Order.model_validate({
        "channel": "shopify", "external_id": "5100", "purpose": purpose, "ordered_at": T0, "updated_at": at,
        "line_changes_only": only,
        "lines": [{"line_number": n, "sku": f"SKU-{n}", "quantity": q} for n, q in lines.items()],
    })  # fmt: skip


def received() -> OrderStatus:
    arrival, status = receive(None, order(), now=NOW)
    assert arrival is Arrival.NEW
    return status


def test_an_order_goes_from_received_to_invoiced() -> None:
    status = received()
    assert status.state is OrderState.RECEIVED and status.received_at == T0
    status = reach(status, Stage.BOOKED)
    assert status.state is OrderState.BOOKED
    status = reach(status, Stage.RELEASED)
    assert reach(status, Stage.BOOKED).stage is Stage.RELEASED  # never goes back
    shipped = ship(status, [("1", None, Decimal(2))])
    assert shipped.status.state is OrderState.PARTIALLY_SHIPPED and not shipped.after_cancel
    status = ship(shipped.status, [(None, "SKU-2", Decimal(3))]).status  # found by SKU
    assert status.state is OrderState.SHIPPED
    assert invoice(status, {"1": Decimal(2)}).state is OrderState.SHIPPED
    assert invoice(status, {"1": Decimal(2), "2": Decimal(3)}).state is OrderState.INVOICED


def test_the_same_version_again_is_handed_on_and_a_newer_different_one_is_a_change() -> None:
    status = received()
    assert receive(status, order(), now=NOW)[0] is Arrival.AGAIN
    assert receive(status, order(at=T0 + timedelta(minutes=5)), now=NOW)[0] is Arrival.AGAIN  # same lines
    newer = order(at=T0 + timedelta(minutes=5), lines={"1": 1, "2": 3})
    assert receive(status, newer, now=NOW)[0] is Arrival.CHANGE
    assert receive(status, order(at=T0 - timedelta(minutes=5)), now=NOW)[0] is Arrival.STALE


def test_a_cancellation_before_its_order_records_it_cancelled_and_the_original_is_not_booked() -> None:
    # Given a cancellation for an order never seen
    result = amend(None, order("cancellation", at=T0 + timedelta(hours=1)), AUTO, now=NOW)
    assert result.verdict is Verdict.APPLY and result.cancels and result.erp is None and result.warehouse is None
    assert result.status is not None and result.status.state is OrderState.CANCELLED
    # When the original arrives after it (older, as originals are)
    arrival, status = receive(result.status, order(), now=NOW)
    # Then it is recorded, all of it cancelled, and not booked
    assert arrival is Arrival.AFTER_CANCEL
    assert status.stage is Stage.RECEIVED and status.state is OrderState.CANCELLED
    assert [(line.ordered, line.cancelled) for line in status.lines] == [(2, 2), (3, 3)]


def test_a_cancellation_without_lines_before_its_order_is_recorded_cancelled() -> None:
    bare = order("cancellation").model_copy(update={"lines": []})
    result = amend(None, bare, AUTO, now=NOW)
    assert result.status is not None and result.status.state is OrderState.CANCELLED
    arrival, status = receive(result.status, order(), now=NOW)
    assert arrival is Arrival.AFTER_CANCEL and status.state is OrderState.CANCELLED and len(status.lines) == 2


def test_a_cancellation_does_what_the_stage_needs() -> None:
    cancel = order("cancellation", at=T0 + timedelta(minutes=10))
    got = amend(received(), cancel, AUTO, now=NOW)
    assert (got.verdict, got.erp, got.warehouse) == (Verdict.APPLY, None, None)
    got = amend(reach(received(), Stage.BOOKED), cancel, AUTO, now=NOW)
    assert (got.verdict, got.erp, got.warehouse) == (Verdict.APPLY, "cancel", None)
    got = amend(reach(received(), Stage.RELEASED), cancel, AUTO, now=NOW)
    assert (got.verdict, got.erp, got.warehouse) == (Verdict.APPLY, "cancel", OrderPurpose.CANCELLATION)
    assert got.status is not None and got.status.state is OrderState.CANCELLED
    assert got.status.version == T0 + timedelta(minutes=10)
    # the same cancellation again changes nothing
    assert amend(got.status, cancel, AUTO, now=NOW).verdict is Verdict.UNCHANGED


def test_shipped_before_the_cancellation_is_refused_for_a_person() -> None:
    shipped = ship(reach(received(), Stage.RELEASED), [("1", None, Decimal(1))]).status
    got = amend(shipped, order("cancellation", at=T0 + timedelta(minutes=10)), AUTO, now=NOW)
    assert got.verdict is Verdict.REFUSED and "already shipped (line 1 1)" in got.reason
    assert got.refusal is Refusal.SHIPPED
    assert got.status == shipped


def test_a_945_after_the_cancellation_is_shipped_after_cancel() -> None:
    cancelled = amend(reach(received(), Stage.RELEASED), order("cancellation"), AUTO, now=NOW).status
    assert cancelled is not None
    after = ship(cancelled, [("1", None, Decimal(2)), ("9", None, Decimal(1))])
    assert after.after_cancel == {"1": Decimal(2)} and after.unknown == {"9": Decimal(1)}


def test_a_stale_amendment_is_never_applied() -> None:
    changed = amend(reach(received(), Stage.BOOKED), order("change", at=T0 + timedelta(minutes=20),
                                                           lines={"1": 1, "2": 3}), AUTO, now=NOW)  # fmt: skip
    assert changed.status is not None
    older = amend(changed.status, order("cancellation", at=T0 + timedelta(minutes=10)), AUTO, now=NOW)
    assert older.verdict is Verdict.STALE and older.status == changed.status


def test_changes_whole_and_line_only() -> None:
    booked = reach(received(), Stage.BOOKED)
    # the whole order as it stands: line 2 left out is cancelled, line 3 is new
    got = amend(booked, order("change", at=T0 + timedelta(minutes=1), lines={"1": 4, "3": 1}), AUTO, now=NOW)
    assert (got.verdict, got.erp, got.cancels) == (Verdict.APPLY, "change", False)
    assert got.status is not None
    quantities = [(x.line_number, x.ordered, x.cancelled) for x in got.status.lines]
    assert quantities == [("1", 4, 0), ("2", 3, 3), ("3", 1, 0)]
    assert got.status.state is OrderState.PARTIALLY_CANCELLED
    # only the lines named change; a partial cancellation of line 1 after release is a 940 change
    released = reach(received(), Stage.RELEASED)
    got = amend(released, order("cancellation", at=T0 + timedelta(minutes=1), lines={"1": 0}, only=True), AUTO, now=NOW)
    assert (got.verdict, got.erp, got.warehouse, got.cancels) == (Verdict.APPLY, "change", OrderPurpose.CHANGE, False)
    assert got.status is not None and got.changed == {"1": 0}
    stands = as_it_stands(order(), got.status)
    assert [(line.line_number, line.quantity) for line in stands.lines] == [("2", 3)]
    # every line cut to 0 is the whole order cancelled
    every = order("change", at=T0 + timedelta(minutes=1), lines={"1": 0, "2": 0}, only=True)
    got = amend(released, every, AUTO, now=NOW)
    assert got.cancels and got.erp == "cancel" and got.warehouse is OrderPurpose.CANCELLATION


def test_a_change_for_an_order_never_received() -> None:
    assert amend(None, order("change"), AUTO, now=NOW).verdict is Verdict.BOOK_AS_NEW
    refused = amend(None, order("change", only=True), AUTO, now=NOW)
    assert refused.verdict is Verdict.REFUSED and refused.refusal is Refusal.UNKNOWN_ORDER


def test_the_channel_window_and_the_release_rule() -> None:
    released = reach(received(), Stage.RELEASED)
    late = order("cancellation", at=T0 + timedelta(hours=3))
    got = amend(released, late, AmendPolicy(window=timedelta(hours=2)), now=NOW)
    assert got.verdict is Verdict.REFUSED and "window" in got.reason and got.refusal is Refusal.OUTSIDE_WINDOW
    got = amend(released, late, AmendPolicy(after_release=AfterRelease.EXCEPTION), now=NOW)
    assert got.verdict is Verdict.REFUSED and "released" in got.reason and got.refusal is Refusal.RELEASED
    assert amend(reach(received(), Stage.BOOKED), late, AmendPolicy(after_release=AfterRelease.EXCEPTION),
                 now=NOW).verdict is Verdict.APPLY  # fmt: skip


def test_a_cancelled_order_is_not_reinstated_by_a_change() -> None:
    cancelled = amend(received(), order("cancellation", at=T0 + timedelta(minutes=1)), AUTO, now=NOW).status
    got = amend(cancelled, order("change", at=T0 + timedelta(minutes=2)), AUTO, now=NOW)
    assert got.verdict is Verdict.REFUSED and got.reason == "the order is cancelled"
    assert got.refusal is Refusal.CANCELLED
