"""Simulated Walmart Marketplace v3: GET /v3/orders (createdStartDate or lastModifiedStartDate, limit,
nextCursor; 404 when no order matches, as Walmart does), GET /v3/orders/{purchaseOrderId}, POST
/v3/orders/{purchaseOrderId}/acknowledge (400 when no line is left in Created status),
POST /v3/orders/{purchaseOrderId}/shipping, PUT /v3/inventory. Acknowledging, shipping and cancelling
a line stamp its ``statusDate``, which ``lastModifiedStartDate`` filters on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.changes import now_millis, walmart_modified
from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.state import SimState


def _millis(text: str) -> int:
    if text.isdigit():
        return int(text)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def routes(state: SimState) -> list[Route]:
    def invalid(message: str, status: int = 400, code: str = "INVALID_REQUEST_CONTENT") -> JSONResponse:
        return marketplace_error("walmart", status, code, message)

    async def list_orders(request: Request) -> Response:
        q = request.query_params
        by_modified = "lastModifiedStartDate" in q
        param = "lastModifiedStartDate" if by_modified else "createdStartDate"
        try:
            start = _millis(q.get(param, "0"))
            limit = int(q.get("limit", "100"))
            offset = int(q.get("soIndex", "0"))
        except ValueError:
            return invalid(f"{param}, limit or cursor is malformed")
        if not 1 <= limit <= 200 or offset < 0:
            return invalid("limit must be 1..200")

        def when(order: dict[str, Any]) -> int:
            return walmart_modified(order) if by_modified else int(order["orderDate"])

        with state.lock:
            matching = sorted((o for o in state.walmart if when(o) >= start), key=when)
            page = json.loads(json.dumps(matching[offset : offset + limit]))
        if not matching:
            return invalid("No Orders found for the given search criteria", 404, "CONTENT_NOT_FOUND")
        meta: dict[str, Any] = {"totalCount": len(matching), "limit": limit}
        if offset + limit < len(matching):
            cursor = {"limit": limit, "hasMoreElements": "true", "soIndex": offset + limit, param: q.get(param, "0")}
            meta["nextCursor"] = "?" + urlencode(cursor)
        return JSONResponse({"list": {"meta": meta, "elements": {"order": page}}})

    async def acknowledge(request: Request) -> Response:
        po_id = request.path_params["po_id"]
        order = find(po_id)
        if order is None:
            return invalid(f"purchaseOrderId {po_id} not found", 404, "CONTENT_NOT_FOUND")
        with state.lock:
            created = [
                status
                for line in order["orderLines"]["orderLine"]
                for status in line["orderLineStatuses"]["orderLineStatus"]
                if status.get("status") == "Created"
            ]
            stamp = max(now_millis(), walmart_modified(order) + 1)
            for status in created:
                status["status"] = "Acknowledged"
            for line in order["orderLines"]["orderLine"] if created else []:
                line["statusDate"] = stamp
            answer = json.loads(json.dumps(order))
        if not created:
            return invalid(f"purchaseOrderId {po_id}: no order line is in Created status", 400)
        state.record("walmart.acknowledgements", {"purchase_order_id": po_id})
        return JSONResponse({"order": answer})

    def find(po_id: str) -> dict[str, Any] | None:
        with state.lock:
            return next((o for o in state.walmart if o["purchaseOrderId"] == po_id), None)

    async def ship(request: Request) -> Response:
        po_id = request.path_params["po_id"]
        order = find(po_id)
        if order is None:
            return invalid(f"purchaseOrderId {po_id} not found", 404, "CONTENT_NOT_FOUND")
        body, bad = await json_body(request, "walmart")
        if bad is not None:
            return bad
        try:
            lines = body["orderShipment"]["orderLines"]["orderLine"]
            if not isinstance(lines, list) or not lines:
                raise TypeError
        except (KeyError, TypeError):
            return invalid("orderShipment.orderLines.orderLine is required")
        known = {line["lineNumber"] for line in order["orderLines"]["orderLine"]}
        for line in lines:
            if not isinstance(line, dict) or line.get("lineNumber") not in known:
                return invalid(f"lineNumber {line.get('lineNumber') if isinstance(line, dict) else line} not found")
            try:
                status = line["orderLineStatuses"]["orderLineStatus"][0]
                tracking = status["trackingInfo"]
                missing = [
                    k for k in ("shipDateTime", "carrierName", "methodCode", "trackingNumber") if not tracking.get(k)
                ]
            except (KeyError, TypeError, IndexError):
                return invalid(f"lineNumber {line['lineNumber']}: orderLineStatuses with trackingInfo is required")
            if status.get("status") != "Shipped" or missing:
                return invalid(f"lineNumber {line['lineNumber']}: status Shipped and {', '.join(missing)} required")
        with state.lock:
            by_number = {line["lineNumber"]: line for line in order["orderLines"]["orderLine"]}
            for line in lines:
                own = by_number[line["lineNumber"]]
                ordered = int(own["orderLineQuantity"]["amount"])
                statuses = own["orderLineStatuses"]["orderLineStatus"]
                shipped = sum(int(s["statusQuantity"]["amount"]) for s in statuses if s.get("status") == "Shipped")
                adding = int(line["orderLineStatuses"]["orderLineStatus"][0]["statusQuantity"]["amount"])
                if shipped + adding > ordered:
                    return invalid(f"lineNumber {line['lineNumber']}: {shipped + adding} shipped of {ordered} ordered")
            stamp = max(now_millis(), walmart_modified(order) + 1)
            for line in lines:
                statuses = by_number[line["lineNumber"]]["orderLineStatuses"]["orderLineStatus"]
                statuses.append(line["orderLineStatuses"]["orderLineStatus"][0])
                by_number[line["lineNumber"]]["statusDate"] = stamp
        state.record("walmart.shipping_updates", {"purchase_order_id": po_id, "body": body})
        return JSONResponse({"order": {"purchaseOrderId": po_id, "orderLines": {"orderLine": lines}}})

    async def get_order(request: Request) -> Response:
        order = find(request.path_params["po_id"])
        if order is None:
            return invalid(f"purchaseOrderId {request.path_params['po_id']} not found", 404, "CONTENT_NOT_FOUND")
        with state.lock:
            return JSONResponse({"order": json.loads(json.dumps(order))})

    async def inventory(request: Request) -> Response:
        sku = request.query_params.get("sku")
        if not sku:
            return invalid("sku query parameter is required")
        body, bad = await json_body(request, "walmart")
        if bad is not None:
            return bad
        quantity = body.get("quantity") if isinstance(body, dict) else None
        if not isinstance(quantity, dict) or not isinstance(quantity.get("amount"), int) or quantity["amount"] < 0:
            return invalid("quantity.amount must be a non-negative integer")
        if body.get("sku") != sku:
            return invalid("sku in the body must match the sku parameter")
        state.record("walmart.inventory", {"sku": sku, "body": body})
        return JSONResponse(body)

    return [
        Route("/v3/orders", endpoint(state, "walmart", list_orders), methods=["GET"]),
        Route("/v3/orders/{po_id}", endpoint(state, "walmart", get_order), methods=["GET"]),
        Route("/v3/orders/{po_id}/acknowledge", endpoint(state, "walmart", acknowledge), methods=["POST"]),
        Route("/v3/orders/{po_id}/shipping", endpoint(state, "walmart", ship), methods=["POST"]),
        Route("/v3/inventory", endpoint(state, "walmart", inventory), methods=["PUT"]),
    ]
