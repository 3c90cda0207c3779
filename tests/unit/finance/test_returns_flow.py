"""Per-return state: every order of the events ends the same way; out-of-order events wait or
compensate, never fail; a refund for a rejected return and a receipt without a return need finance."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.canonical import Channel, ReturnAuthorization, ReturnLine
from crossdock.canonical.finance.returns_flow import (
    RECEIPT_WITHOUT_RETURN,
    REFUND_FOR_REJECTED,
    AdjustInventory,
    Authorized,
    CreditMemo,
    Disposition,
    OpenItem,
    Received,
    ReceivedLine,
    Refunded,
    Rejected,
    ResolveItem,
    ReturnAction,
    ReturnEvent,
    ReturnState,
    apply,
    decide,
    dump,
    load,
)

RA = ReturnAuthorization(
    rma_number="RMA-1",
    channel=Channel.SHOPIFY,
    order_external_id="5100000002",
    created_at=datetime(2026, 11, 20, tzinfo=UTC),
    lines=[ReturnLine(line_number="1", sku="CD-TEE-BLK-M", quantity=Decimal(2))],
)
RECEIPT = Received("RMA-1", (ReceivedLine("CD-TEE-BLK-M", Decimal(1), Disposition.RESTOCK),
                             ReceivedLine("CD-TEE-BLK-M", Decimal(1), Disposition.DESTROY)))  # fmt: skip
REFUND = Refunded("RMA-1", "R-9", Decimal("-20.00"))


def run(events: list[ReturnEvent]) -> tuple[ReturnState, list[ReturnAction]]:
    """Apply each event and carry out what is due, as the handler does (the ERP answers CM-1)."""
    state = ReturnState("RMA-1")
    done: list[ReturnAction] = []
    for event in events:
        state = apply(state, event)
        for _ in range(4):
            actions = decide(state)
            for action in actions:
                done.append(action)
                if isinstance(action, CreditMemo):
                    state = ReturnState(**{**_fields(state), "credit_memo_no": "CM-1"})
                elif isinstance(action, AdjustInventory):
                    state = ReturnState(**{**_fields(state), "inventory_adjusted": True})
                elif isinstance(action, OpenItem):
                    state = ReturnState(**{**_fields(state), "open_items": (*state.open_items, action.code)})
                elif isinstance(action, ResolveItem):
                    items = tuple(c for c in state.open_items if c != action.code)
                    state = ReturnState(**{**_fields(state), "open_items": items})
        state = load(dump(state))  # what the store keeps is the whole state
    return state, done


def _fields(state: ReturnState) -> dict[str, object]:
    return {name: getattr(state, name) for name in ReturnState.__slots__}  # type: ignore[attr-defined]


@pytest.mark.parametrize("order", list(itertools.permutations([Authorized(RA), REFUND, RECEIPT])))
def test_any_order_of_authorization_refund_and_receipt_credits_once(order: tuple[ReturnEvent, ...]) -> None:
    state, done = run([*order, *order])  # and every event delivered twice
    assert state.status == "credited" and state.credit_memo_no == "CM-1" and state.inventory_adjusted
    assert [a for a in done if isinstance(a, CreditMemo)] == [CreditMemo(RECEIPT.lines)]
    assert [a for a in done if isinstance(a, AdjustInventory)] == [
        AdjustInventory((("CD-TEE-BLK-M", Decimal(1), "available"),))  # the destroyed unit goes nowhere
    ]
    assert state.open_items == () and state.refunded == Decimal("-20.00")


def test_a_receipt_before_its_authorization_opens_an_item_the_authorization_resolves() -> None:
    state, done = run([RECEIPT])
    assert state.status == "received_awaiting_authorization" and state.open_items == (RECEIPT_WITHOUT_RETURN,)
    state, done = run([RECEIPT, Authorized(RA)])
    assert [type(a).__name__ for a in done] == ["OpenItem", "ResolveItem", "CreditMemo", "AdjustInventory"]
    assert state.open_items == ()


def test_a_refund_before_the_receipt_waits_for_it() -> None:
    state, done = run([Authorized(RA), REFUND])
    assert state.status == "refunded_awaiting_receipt" and done == []


def test_a_refund_for_a_return_the_warehouse_rejected_needs_finance() -> None:
    for events in ([Authorized(RA), Rejected("RMA-1", "wrong item"), REFUND],
                   [REFUND, Rejected("RMA-1", "wrong item"), Authorized(RA)]):  # fmt: skip
        state, done = run(events)
        assert state.status == "rejected" and state.open_items == (REFUND_FOR_REJECTED,)
        assert not [a for a in done if isinstance(a, CreditMemo)]
