"""Simulated Shopify Admin REST: orders (since_id, limit), one order (``fields``), an order's fulfillment
orders and fulfillments, creating fulfillments (fulfillment-orders API) and inventory_levels/set. Any API
version in the path is accepted.

Like Shopify, each order has one fulfillment order (FO) whose line items keep what is still fulfillable:
a fulfillment reduces ``fulfillable_quantity``; the FO is ``open`` until something was fulfilled,
``in_progress`` while partly fulfilled and ``closed`` once nothing is left. Asking for more than is
fulfillable, or fulfilling a closed FO, is refused with 422 and nothing is recorded.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.state import SimState

BASE = "/admin/api/{version}"
FO_OFFSET = 7_000_000_000
"""A fulfillment order's id is its order's id plus this; its line items' ids are line item id plus this."""
FULFILLABLE = ("open", "in_progress")
LIVE = "success"
"""The status of a fulfillment that counts (Shopify also has cancelled, error, failure, pending, open)."""


def fulfilled_quantities(fulfillments: Iterable[dict[str, Any]]) -> Counter[int]:
    """Order line item id -> units fulfilled by the order's live fulfillments."""
    done: Counter[int] = Counter()
    for fulfillment in fulfillments:
        if fulfillment.get("status") == LIVE:
            for item in fulfillment["line_items"]:
                done[item["id"]] += item["quantity"]
    return done


def fulfillment_orders(order: dict[str, Any], fulfillments: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    done = fulfilled_quantities(fulfillments)
    lines = [
        {
            "id": item["id"] + FO_OFFSET,
            "line_item_id": item["id"],
            "quantity": item["quantity"],
            "fulfillable_quantity": max(0, item["quantity"] - done[item["id"]]),
        }
        for item in order["line_items"]
    ]
    remaining = any(line["fulfillable_quantity"] for line in lines)
    status = ("in_progress" if done else "open") if remaining else "closed"
    return [{"id": order["id"] + FO_OFFSET, "order_id": order["id"], "status": status, "line_items": lines}]


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

    async def get_order(request: Request) -> Response:
        order = find(request.path_params["order_id"])
        if order is None:
            return marketplace_error("shopify", 404, "NotFound", "Not Found")
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        return JSONResponse({"order": {k: v for k, v in order.items() if not fields or k in fields}})

    async def get_fulfillment_orders(request: Request) -> Response:
        order = find(request.path_params["order_id"])
        if order is None:
            return marketplace_error("shopify", 404, "NotFound", "Not Found")
        with state.lock:
            done = list(state.shopify_fulfillments.get(order["id"], []))
        return JSONResponse({"fulfillment_orders": fulfillment_orders(order, done)})

    async def list_fulfillments(request: Request) -> Response:
        order = find(request.path_params["order_id"])
        if order is None:
            return marketplace_error("shopify", 404, "NotFound", "Not Found")
        with state.lock:
            done = list(state.shopify_fulfillments.get(order["id"], []))
        return JSONResponse({"fulfillments": done})

    async def create_fulfillment(request: Request) -> Response:
        body, bad = await json_body(request, "shopify")
        if bad is not None:
            return bad
        fulfillment = body.get("fulfillment") if isinstance(body, dict) else None
        groups = fulfillment.get("line_items_by_fulfillment_order") if isinstance(fulfillment, dict) else None
        if not isinstance(fulfillment, dict) or not isinstance(groups, list) or not groups:
            return unprocessable("line_items_by_fulfillment_order is required")
        tracking = fulfillment.get("tracking_info") or {}
        if not isinstance(tracking, dict):
            return unprocessable("tracking_info must be an object")
        with state.lock:  # checked and recorded at once: two requests cannot both take the last units
            outcome = _fulfil(state, groups, tracking, next(ids))
        if isinstance(outcome, str):
            return unprocessable(outcome)
        state.record("shopify.fulfillments", {"id": outcome["id"], "body": body})
        return JSONResponse({"fulfillment": outcome}, status_code=201)

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
        Route(BASE + "/orders/{order_id}.json", endpoint(state, "shopify", get_order), methods=["GET"]),
        Route(
            BASE + "/orders/{order_id}/fulfillment_orders.json",
            endpoint(state, "shopify", get_fulfillment_orders),
            methods=["GET"],
        ),
        Route(
            BASE + "/orders/{order_id}/fulfillments.json",
            endpoint(state, "shopify", list_fulfillments),
            methods=["GET"],
        ),
        Route(BASE + "/fulfillments.json", endpoint(state, "shopify", create_fulfillment), methods=["POST"]),
        Route(BASE + "/inventory_levels/set.json", endpoint(state, "shopify", set_inventory), methods=["POST"]),
    ]


def _fulfil(state: SimState, groups: list[Any], tracking: dict[str, Any], fulfillment_id: int) -> dict[str, Any] | str:
    """Create one fulfillment of one order from ``line_items_by_fulfillment_order`` (the caller holds
    ``state.lock``); the fulfillment as Shopify returns it, or why it is refused."""
    by_fo = {
        fo["id"]: (order, fo)
        for order in state.shopify
        for fo in fulfillment_orders(order, state.shopify_fulfillments.get(order["id"], []))
    }
    wanted: Counter[int] = Counter()  # order line item id -> units asked for
    left: dict[int, int] = {}  # order line item id -> units still fulfillable
    order: dict[str, Any] | None = None
    for group in groups:
        found = by_fo.get(group.get("fulfillment_order_id")) if isinstance(group, dict) else None
        if found is None:
            return "fulfillment_order_id does not exist"
        owner, fo = found
        if order is not None and owner["id"] != order["id"]:
            return "every fulfillment order of a fulfillment must belong to the same order"
        order = owner
        if fo["status"] not in FULFILLABLE:
            return f"fulfillment order {fo['id']} has an unfulfillable status= {fo['status']}"
        lines = {line["id"]: line for line in fo["line_items"]}
        left.update({line["line_item_id"]: line["fulfillable_quantity"] for line in lines.values()})
        items = group.get("fulfillment_order_line_items")
        if items is None:  # the whole fulfillment order: everything still fulfillable
            wanted.update({line["line_item_id"]: line["fulfillable_quantity"] for line in lines.values()})
            continue
        for item in items if isinstance(items, list) else [items]:
            line = lines.get(item.get("id")) if isinstance(item, dict) else None
            if line is None:
                return f"fulfillment order line item {item} is not in fulfillment order {fo['id']}"
            quantity = item.get("quantity")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                return f"quantity for line item {line['id']} must be a positive integer"
            wanted[line["line_item_id"]] += quantity
    assert order is not None  # groups is not empty
    for line_item_id, quantity in wanted.items():
        if quantity > left[line_item_id]:
            fo_line = line_item_id + FO_OFFSET
            if not left[line_item_id]:
                return f"fulfillment order line item {fo_line} has nothing left to fulfill (asked for {quantity})"
            return f"quantity for line item {fo_line} must be 1..{left[line_item_id]}, got {quantity}"
    items = {item["id"]: item for item in order["line_items"]}
    done = state.shopify_fulfillments.setdefault(order["id"], [])
    number, url = tracking.get("number"), tracking.get("url")
    created = {
        "id": fulfillment_id,
        "order_id": order["id"],
        "name": f"{order['name']}.{len(done) + 1}",
        "status": LIVE,
        "tracking_company": tracking.get("company"),
        "tracking_number": number,
        "tracking_numbers": [number] if number else [],
        "tracking_url": url,
        "tracking_urls": [url] if url else [],
        "line_items": [
            {"id": line_id, "sku": items[line_id].get("sku"), "title": items[line_id].get("title"), "quantity": qty}
            for line_id, qty in wanted.items()
            if qty
        ],
    }
    done.append(created)
    return created
