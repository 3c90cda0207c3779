"""Simulated Walmart returns: ``GET /v3/returns`` (``returnCreationStartDate``, ``returnOrderId``,
``limit``, a ``nextCursor`` query), ``POST /v3/returns/{returnOrderId}/refund`` (lines must be on the
return and not refunded yet: a second refund of a line is refused, as Walmart does).

Return orders are seeded for every fifth Walmart order (:func:`~crossdock.bridges.rest.sim.seed.walmart_returns`)
and can be replaced through ``POST /_sim/walmart-returns`` (a list of return orders)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.state import SimState

REFUNDED = "REFUND_COMPLETED"


def routes(state: SimState) -> list[Route]:
    def invalid(message: str, status: int = 400, code: str = "INVALID_REQUEST_CONTENT") -> JSONResponse:
        return marketplace_error("walmart", status, code, message)

    async def list_returns(request: Request) -> Response:
        q = request.query_params
        try:
            limit = int(q.get("limit", "100"))
            offset = int(q.get("offset", "0"))
            since = q.get("returnCreationStartDate", "1970-01-01T00:00:00Z")
            start = datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            return invalid("returnCreationStartDate, limit or cursor is malformed")
        if not 1 <= limit <= 200 or offset < 0:
            return invalid("limit must be 1..200")
        wanted = q.get("returnOrderId")
        with state.lock:
            matching = [
                order for order in state.walmart_returns
                if (wanted is None or order["returnOrderId"] == wanted)
                and datetime.fromisoformat(order["returnOrderDate"].replace("Z", "+00:00")) >= start
            ]  # fmt: skip
            matching.sort(key=lambda order: order["returnOrderDate"])
            page = [dict(order) for order in matching[offset : offset + limit]]
        meta: dict[str, Any] = {"totalCount": len(matching), "limit": limit, "nextCursor": None}
        if offset + limit < len(matching):
            query = {k: v for k, v in q.items() if k != "offset"}
            meta["nextCursor"] = "?" + urlencode({**query, "limit": limit, "offset": offset + limit})
        return JSONResponse({"meta": meta, "returnOrders": page})

    async def refund(request: Request) -> Response:
        return_id = request.path_params["return_id"]
        body, bad = await json_body(request, "walmart")
        if bad is not None:
            return bad
        lines = body.get("refundLines") if isinstance(body, dict) else None
        if not isinstance(lines, list) or not lines or not body.get("customerOrderId"):
            return invalid("customerOrderId and refundLines are required")
        with state.lock:
            order = next((o for o in state.walmart_returns if o["returnOrderId"] == return_id), None)
            if order is None:
                return invalid(f"returnOrderId {return_id} not found", 404, "CONTENT_NOT_FOUND")
            if body["customerOrderId"] != order["customerOrderId"]:
                return invalid(f"customerOrderId {body['customerOrderId']} is not the return's")
            by_number = {line["returnOrderLineNumber"]: line for line in order["returnOrderLines"]}
            answered = []
            for line in lines:
                own = by_number.get(line.get("returnOrderLineNumber")) if isinstance(line, dict) else None
                if own is None:
                    return invalid(f"returnOrderLineNumber {line} is not on return {return_id}")
                if own["currentRefundStatus"] == REFUNDED:
                    return invalid(f"returnOrderLineNumber {own['returnOrderLineNumber']} is already refunded")
                unit = Decimal(str(own["unitPrice"]["currencyAmount"]))
                full = unit * Decimal(str(own["quantity"]["measurementValue"]))
                partial = (line.get("refundAmount") or {}).get("currencyAmount")
                amount = full if line.get("isFullRefund") else abs(Decimal(str(partial or 0)))
                money = {"currencyAmount": float(-amount), "currencyUnit": "USD"}
                answered.append({"returnOrderLineNumber": own["returnOrderLineNumber"], "refundAmount": money})
            for line in answered:
                own = by_number[line["returnOrderLineNumber"]]
                own["currentRefundStatus"] = REFUNDED
                own["status"] = "COMPLETED"
        state.record("walmart.refunds", {"return_order_id": return_id, "body": body})
        return JSONResponse({"returnOrderId": return_id, "customerOrderId": body["customerOrderId"],
                             "refundLines": answered})  # fmt: skip

    async def replace_returns(request: Request) -> Response:
        body, bad = await json_body(request, "walmart")
        if bad is not None:
            return bad
        if not isinstance(body, list) or not all(isinstance(o, dict) and o.get("returnOrderId") for o in body):
            return invalid("a list of return orders, each with its returnOrderId")
        with state.lock:
            state.walmart_returns = body
        return JSONResponse({"returns": len(body)})

    return [
        Route("/v3/returns", endpoint(state, "walmart", list_returns), methods=["GET"]),
        Route("/v3/returns/{return_id}/refund", endpoint(state, "walmart", refund), methods=["POST"]),
        Route("/_sim/walmart-returns", replace_returns, methods=["POST"]),
    ]
