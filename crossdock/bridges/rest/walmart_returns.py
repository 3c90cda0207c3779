"""Walmart Marketplace returns over the marketplace client: poll return orders (``GET /v3/returns``,
``returnCreationStartDate`` watermark, ``meta.nextCursor`` pages) into a sink, and issue a return's
refund (``POST /v3/returns/{returnOrderId}/refund``) once the warehouse received it.

The poll is an :class:`~crossdock.bridges.rest.polling.OrderPoller` (``crossdock rest poll --channel
walmart --returns``): each return order is handed over as ``poll:walmart`` with the id
``return-<returnOrderId>``, and ``marketplace.inbound`` maps it to return events. The refund is a
:class:`~crossdock.actors.handlers.ports.RefundPort`, idempotent: it reads the return order first and
refunds nothing when its lines are already refunded (a retry after a lost reply)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from crossdock.bridges.rest.client import MarketplaceClient, decode_json, path_segment
from crossdock.bridges.rest.polling import Checkpoint, PolledOrder, PollState, hand_page
from crossdock.bridges.rest.sink import RawSink
from crossdock.canonical.finance.returns_flow import ReceivedLine
from crossdock.canonical.marketplaces import walmart_returns as mapping
from crossdock.canonical.returns import ReturnAuthorization
from crossdock.errors import BusinessError, MappingError, Owner, TransientError

log = logging.getLogger(__name__)
PATH = "/v3/returns"


class WalmartReturns:
    def __init__(self, client: MarketplaceClient, *, page_size: int = 100, service_name: str = "crossdock") -> None:
        self.client = client
        self.page_size = page_size
        self.service_name = service_name

    def _headers(self) -> dict[str, str]:
        return {"WM_QOS.CORRELATION_ID": uuid.uuid4().hex, "WM_SVC.NAME": self.service_name,
                "Accept": "application/json"}  # fmt: skip

    def _returns(self, params: dict[str, str | int]) -> dict[str, Any]:
        response = self.client.request("GET", PATH, params=params, headers=self._headers(), operation="getReturns")
        data = decode_json("walmart", PATH, response)
        if not isinstance(data, dict) or not isinstance(data.get("returnOrders", []), list):
            raise MappingError("Walmart returns response", [("returnOrders", "must be a list")])
        return data

    def poll_orders(
        self, sink: RawSink, state: PollState, *, checkpoint: Checkpoint | None = None, max_pages: int = 1000
    ) -> PollState:
        """Hand each return order created at or after the watermark to ``sink``; checkpoint per page."""
        for _ in range(max_pages):
            if state.cursor:
                params: dict[str, str | int] = dict(parse_qsl(state.cursor.lstrip("?")))
            else:
                start = state.watermark.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                params = {"returnCreationStartDate": start, "limit": self.page_size}
            data = self._returns(params)
            page = [_polled(order, i) for i, order in enumerate(data.get("returnOrders") or [])]
            next_cursor = (data.get("meta") or {}).get("nextCursor") or None
            state, handed = hand_page(sink, "walmart", state, page, next_cursor)
            log.info("walmart returns: page of %d, %d new; more=%s", len(page), handed, bool(next_cursor))
            if checkpoint is not None:
                checkpoint(state)
            if not next_cursor:
                return state
        raise TransientError(f"walmart returns: more than {max_pages} pages in one poll; resume from the checkpoint")

    def return_order(self, return_order_id: str) -> dict[str, Any]:
        """One return order as Walmart has it now."""
        orders = self._returns({"returnOrderId": return_order_id}).get("returnOrders") or []
        found = [o for o in orders if isinstance(o, dict) and str(o.get("returnOrderId")) == return_order_id]
        if not found:
            raise BusinessError(f"Walmart has no return order {return_order_id}", owner=Owner.FINANCE,
                                key=f"return:walmart:{return_order_id}")  # fmt: skip
        return found[0]

    def refund_return(self, authorization: ReturnAuthorization, lines: Sequence[ReceivedLine]) -> tuple[str, Decimal]:
        """Refund what the warehouse received of the return; a return already refunded is not refunded
        again. Returns ``walmart:<returnOrderId>`` and the refunded amount (negative)."""
        return_id = authorization.rma_number.partition("-")[2]
        order = self.return_order(return_id)
        refund_id = mapping.refund_id(return_id)
        statuses = {line.get("currentRefundStatus") for line in order.get("returnOrderLines") or []}
        if statuses == {mapping.REFUNDED}:
            return refund_id, -_total(order)
        body = mapping.refund_request(order, [(line.sku, line.quantity) for line in lines])
        if not body["refundLines"]:
            raise BusinessError(f"Walmart return {return_id}: none of the received SKUs is on the return order",
                                owner=Owner.FINANCE, key=f"return:walmart:{authorization.rma_number}")  # fmt: skip
        path = f"{PATH}/{path_segment(return_id, 'returnOrderId')}/refund"
        response = self.client.request("POST", path, json_body=body, headers=self._headers(), operation="issueRefund")
        answer = decode_json("walmart", path, response)
        lines_refunded = [line for line in (answer.get("refundLines") or []) if isinstance(line, dict)]
        refunded = sum((_amount(line.get("refundAmount")) for line in lines_refunded), Decimal(0))
        return refund_id, -(refunded or _total(order))

    def close(self) -> None:
        self.client.close()


def _amount(money: Any) -> Decimal:
    value = money.get("currencyAmount") if isinstance(money, dict) else None
    return abs(Decimal(str(value or 0)))


def _total(order: dict[str, Any]) -> Decimal:
    return _amount(order.get("totalRefundAmount"))


def _polled(order: Any, index: int) -> PolledOrder:
    if (
        not isinstance(order, dict)
        or not order.get("returnOrderId")
        or not isinstance(order.get("returnOrderDate"), str)
    ):
        raise MappingError("Walmart returns page",
                           [(f"returnOrders[{index}]", "needs returnOrderId and returnOrderDate")])  # fmt: skip
    try:
        created = datetime.fromisoformat(order["returnOrderDate"].replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(
            "Walmart returns page", [(f"returnOrders[{index}].returnOrderDate", "is not an ISO-8601 date-time")]
        ) from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return PolledOrder(f"return-{order['returnOrderId']}", created, order)
