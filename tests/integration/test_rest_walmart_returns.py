"""Walmart returns against the simulator on loopback: the poll hands every return order once and each
maps to its return events; the refund is issued once for what came back, and a retry (a lost reply)
refunds nothing more; an unknown return is a business error for finance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crossdock.bridges.rest.polling import PollState
from crossdock.bridges.rest.sink import InMemorySink
from crossdock.bridges.rest.walmart_returns import WalmartReturns
from crossdock.canonical.finance.returns_flow import Disposition, ReceivedLine
from crossdock.canonical.marketplaces.returns import return_events
from crossdock.errors import BusinessError, Owner
from tests.fixtures.marketplace import RunningSim

pytestmark = pytest.mark.integration


def test_the_poll_hands_each_return_order_once_and_each_maps(marketplace_sim: RunningSim) -> None:
    returns = WalmartReturns(marketplace_sim.client("walmart"), page_size=2)
    sink, checkpoints = InMemorySink(), []
    state = returns.poll_orders(sink, PollState(datetime(2023, 1, 1, tzinfo=UTC)), checkpoint=checkpoints.append)
    polled = [json.loads(body) for body in sink.bodies("walmart")]
    expected = marketplace_sim.state.walmart_returns
    assert sorted(o["returnOrderId"] for o in polled) == sorted(o["returnOrderId"] for o in expected)
    assert len(expected) >= 3 and len(checkpoints) == (len(expected) + 1) // 2 and state.cursor is None
    for order in polled:
        [authorized] = return_events("walmart", order) or []
        assert authorized.authorization is not None
        assert authorized.authorization.order_external_id == order["returnOrderLines"][0]["purchaseOrderId"]
    again = InMemorySink()
    assert returns.poll_orders(again, state) == state and again.queue == []


def test_the_refund_is_issued_once_for_what_came_back(marketplace_sim: RunningSim) -> None:
    returns = WalmartReturns(marketplace_sim.client("walmart"))
    order = marketplace_sim.state.walmart_returns[0]
    [authorized] = return_events("walmart", order) or []
    assert authorized.authorization is not None
    line = order["returnOrderLines"][0]
    quantity = Decimal(line["quantity"]["measurementValue"])
    received = [ReceivedLine(line["item"]["sku"], quantity, Disposition.RESTOCK)]
    refund_id, amount = returns.refund_return(authorized.authorization, received)
    expected = -Decimal(str(line["unitPrice"]["currencyAmount"])) * quantity
    assert refund_id == f"walmart:{order['returnOrderId']}" and amount == expected
    # a retry after a lost reply: the return is already refunded, nothing is sent again
    assert returns.refund_return(authorized.authorization, received) == (refund_id, -abs(
        Decimal(str(order["totalRefundAmount"]["currencyAmount"]))))  # fmt: skip
    [sent] = marketplace_sim.state.received["walmart.refunds"]
    assert sent["body"]["refundLines"] == [{"returnOrderLineNumber": 1, "isFullRefund": True}]
    # the refunded return now polls as refunded
    refreshed = returns.return_order(order["returnOrderId"])
    assert [event.kind for event in return_events("walmart", refreshed) or []] == ["authorized", "refunded"]


def test_an_unknown_return_is_for_finance(marketplace_sim: RunningSim) -> None:
    returns = WalmartReturns(marketplace_sim.client("walmart"))
    with pytest.raises(BusinessError, match="no return order 999") as caught:
        returns.return_order("999")
    assert caught.value.owner is Owner.FINANCE
