"""Simulated Shopify Admin REST: orders (since_id, limit), an order's fulfillment orders, fulfillments
(fulfillment-orders API) and inventory_levels/set. Any API version in the path is accepted."""

from __future__ import annotations

import itertools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.state import SimState

BASE = "/admin/api/{version}"
FO_OFFSET = 7_000_000_000
"""A fulfillment order's id is its order's id plus this; its line items' ids are line item id plus this."""


def fulfillment_orders(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": order["id"] + FO_OFFSET,
            "order_id": order["id"],
            "status": "open",
            "line_items": [
                {
                    "id": item["id"] + FO_OFFSET,
                    "line_item_id": item["id"],
                    "quantity": item["quantity"],
                    "fulfillable_quantity": item["quantity"],
                }
                for item in order["line_items"]
            ],
        }
    ]


def routes(state: SimState) -> list[Route]:
    ids = itertools.count(1)

    def unprocessable(message: str) -> JSONResponse:
        return marketplace_error("shopify", 422, "Unprocessable", message)

    async def list_orders(request: Request) -> Response:
        q = request.query_params
        try:
            since = int(q.get("since_id", "0"))
            limit = int(q.get("limit", "50"))
        except ValueError:
            return marketplace_error("shopify", 400, "BadRequest", "since_id and limit must be integers")
        if not 1 <= limit <= 250:
            return marketplace_error("shopify", 400, "BadRequest", "limit must be 1..250")
        with state.lock:
            page = sorted((o for o in state.shopify if o["id"] > since), key=lambda o: o["id"])[:limit]
        return JSONResponse({"orders": page})

    def find(order_id: str) -> dict[str, Any] | None:
        with state.lock:
            return next((o for o in state.shopify if str(o["id"]) == order_id), None)

    async def get_fulfillment_orders(request: Request) -> Response:
        order = find(request.path_params["order_id"])
        if order is None:
            return marketplace_error("shopify", 404, "NotFound", "Not Found")
        return JSONResponse({"fulfillment_orders": fulfillment_orders(order)})

    async def create_fulfillment(request: Request) -> Response:
        body, bad = await json_body(request, "shopify")
        if bad is not None:
            return bad
        fulfillment = body.get("fulfillment") if isinstance(body, dict) else None
        groups = fulfillment.get("line_items_by_fulfillment_order") if isinstance(fulfillment, dict) else None
        if not isinstance(groups, list) or not groups:
            return unprocessable("line_items_by_fulfillment_order is required")
        with state.lock:
            by_fo = {fo["id"]: fo for order in state.shopify for fo in fulfillment_orders(order)}
        for group in groups:
            fo = by_fo.get(group.get("fulfillment_order_id")) if isinstance(group, dict) else None
            if fo is None:
                return unprocessable("fulfillment_order_id does not exist")
            lines = {line["id"]: line for line in fo["line_items"]}
            for item in group.get("fulfillment_order_line_items") or []:
                line = lines.get(item.get("id")) if isinstance(item, dict) else None
                if line is None:
                    return unprocessable(f"fulfillment order line item {item} is not in fulfillment order {fo['id']}")
                if not isinstance(item.get("quantity"), int) or not 0 < item["quantity"] <= line["quantity"]:
                    return unprocessable(f"quantity for line item {line['id']} must be 1..{line['quantity']}")
        fulfillment_id = next(ids)
        state.record("shopify.fulfillments", {"id": fulfillment_id, "body": body})
        tracking = (fulfillment or {}).get("tracking_info") or {}
        return JSONResponse(
            {"fulfillment": {"id": fulfillment_id, "status": "success", "tracking_number": tracking.get("number")}},
            status_code=201,
        )

    async def set_inventory(request: Request) -> Response:
        body, bad = await json_body(request, "shopify")
        if bad is not None:
            return bad
        if not isinstance(body, dict):
            return unprocessable("body must be an object")
        for key in ("location_id", "inventory_item_id", "available"):
            if not isinstance(body.get(key), int):
                return unprocessable(f"{key} is required and must be an integer")
        state.record("shopify.inventory_levels", {"body": body})
        return JSONResponse({"inventory_level": {**body, "updated_at": "2024-01-01T00:00:00Z"}})

    return [
        Route(BASE + "/orders.json", endpoint(state, "shopify", list_orders), methods=["GET"]),
        Route(
            BASE + "/orders/{order_id}/fulfillment_orders.json",
            endpoint(state, "shopify", get_fulfillment_orders),
            methods=["GET"],
        ),
        Route(BASE + "/fulfillments.json", endpoint(state, "shopify", create_fulfillment), methods=["POST"]),
        Route(BASE + "/inventory_levels/set.json", endpoint(state, "shopify", set_inventory), methods=["POST"]),
    ]
