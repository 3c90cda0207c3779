"""Simulated SP-API Orders v0: getOrders (CreatedAfter or LastUpdatedAfter, MaxResultsPerPage,
NextToken), getOrderItems, confirmShipment."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.changes import amazon_touch
from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.state import SimState

BASE = "/orders/v0/orders"


def _token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _untoken(token: str) -> dict[str, Any]:
    data = json.loads(base64.urlsafe_b64decode(token.encode()))
    if not isinstance(data, dict):
        raise ValueError("not a token")
    return data


def _when(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("no offset")
    return parsed


def routes(state: SimState) -> list[Route]:
    def invalid(message: str) -> JSONResponse:
        return marketplace_error("amazon", 400, "InvalidInput", message)

    async def get_orders(request: Request) -> Response:
        q = request.query_params
        if not q.get("MarketplaceIds"):
            return invalid("MarketplaceIds is required")
        if q.get("CreatedAfter") and q.get("LastUpdatedAfter"):
            return invalid("Only one of CreatedAfter and LastUpdatedAfter may be specified")
        try:
            if q.get("NextToken"):
                cursor = _untoken(q["NextToken"])
                after, offset, size = _when(cursor["after"]), int(cursor["offset"]), int(cursor["size"])
                field = str(cursor.get("field", "PurchaseDate"))
            elif q.get("CreatedAfter") or q.get("LastUpdatedAfter"):
                field = "PurchaseDate" if q.get("CreatedAfter") else "LastUpdateDate"
                after, offset = _when(q.get("CreatedAfter") or q["LastUpdatedAfter"]), 0
                size = int(q.get("MaxResultsPerPage", "100"))
            else:
                return invalid("CreatedAfter, LastUpdatedAfter or NextToken is required")
        except (ValueError, KeyError, TypeError):
            return invalid("Invalid NextToken or date-time parameter")
        if not 1 <= size <= 100 or field not in ("PurchaseDate", "LastUpdateDate"):
            return invalid("MaxResultsPerPage must be between 1 and 100")
        with state.lock:
            matching = [o for o in state.amazon if _when(o[field]) >= after]
            matching.sort(key=lambda o: (_when(o[field]), o["AmazonOrderId"]))
            page = [{k: v for k, v in o.items() if k != "OrderItems"} for o in matching[offset : offset + size]]
        payload: dict[str, Any] = {"Orders": page}
        if offset + size < len(matching):
            cursor = {"after": after.isoformat(), "offset": offset + size, "size": size, "field": field}
            payload["NextToken"] = _token(cursor)
        return JSONResponse({"payload": payload})

    def find(order_id: str) -> dict[str, Any] | None:
        with state.lock:
            return next((o for o in state.amazon if o["AmazonOrderId"] == order_id), None)

    async def get_items(request: Request) -> Response:
        order = find(request.path_params["order_id"])
        if order is None:
            return marketplace_error("amazon", 404, "NotFound", "Invalid AmazonOrderId")
        with state.lock:
            items = json.loads(json.dumps(order["OrderItems"]))
        return JSONResponse({"payload": {"AmazonOrderId": order["AmazonOrderId"], "OrderItems": items}})

    async def confirm(request: Request) -> Response:
        order_id = request.path_params["order_id"]
        order = find(order_id)
        if order is None:
            return marketplace_error("amazon", 404, "NotFound", "Invalid AmazonOrderId")
        body, bad = await json_body(request, "amazon")
        if bad is not None:
            return bad
        detail = body.get("packageDetail") if isinstance(body, dict) else None
        if not isinstance(detail, dict) or not body.get("marketplaceId"):
            return invalid("marketplaceId and packageDetail are required")
        for key in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if not detail.get(key):
                return invalid(f"packageDetail.{key} is required")
        known = {item["OrderItemId"] for item in order["OrderItems"]}
        for item in detail["orderItems"]:
            if not isinstance(item, dict) or item.get("orderItemId") not in known:
                return invalid(
                    f"orderItemId {item.get('orderItemId') if isinstance(item, dict) else item} is not in the order"
                )
        reference = str(detail.get("packageReferenceId") or "")
        if not reference.isdigit() or int(reference) <= 0:
            return invalid("packageDetail.packageReferenceId must be a positive number")
        with state.lock:
            packages = state.amazon_packages.setdefault(order_id, {})
            # a packageReferenceId the order has is an edit of that package, not another package
            others = {ref: p for ref, p in packages.items() if ref != reference}
            shipped: dict[str, int] = {}
            for package in [*others.values(), detail]:
                for item in package["orderItems"]:
                    shipped[item["orderItemId"]] = shipped.get(item["orderItemId"], 0) + int(item.get("quantity", 0))
            too_many = [i["OrderItemId"] for i in order["OrderItems"] if shipped.get(i["OrderItemId"], 0) >
                        i["QuantityOrdered"]]  # fmt: skip
            if not too_many:
                packages[reference] = detail
                for item in order["OrderItems"]:
                    item["QuantityShipped"] = shipped.get(item["OrderItemId"], 0)
                done = all(i["QuantityShipped"] >= i["QuantityOrdered"] for i in order["OrderItems"])
                order["OrderStatus"] = "Shipped" if done else "PartiallyShipped"
                amazon_touch(order)
        if too_many:
            return invalid(f"orderItemId {too_many[0]}: more shipped than ordered")
        state.record("amazon.shipment_confirmations", {"order_id": order_id, "body": body})
        return Response(status_code=204)

    return [
        Route(BASE, endpoint(state, "amazon", get_orders), methods=["GET"]),
        Route(BASE + "/{order_id}/orderItems", endpoint(state, "amazon", get_items), methods=["GET"]),
        Route(BASE + "/{order_id}/shipmentConfirmation", endpoint(state, "amazon", confirm), methods=["POST"]),
    ]
