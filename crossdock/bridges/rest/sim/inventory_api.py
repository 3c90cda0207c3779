"""The simulator's inventory reads and Amazon's listings quantity: what each channel currently shows.

Shopify ``GET inventory_levels.json`` and Walmart ``GET /v3/inventory`` answer with the last quantity a
client set (``inventory_levels/set``, ``PUT /v3/inventory``, recorded by their modules); Amazon
``PATCH /listings/2021-08-01/items/{sellerId}/{sku}`` (a ``fulfillment_availability`` replace patch) is
recorded as ``amazon.listings`` and read back by ``GET`` on the same path. ``POST /_sim/inventory``
``{"channel", "sku" or "inventory_item_id", "quantity"}`` changes a shown quantity behind crossdock's
back (a drift, for tests).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim.guard import endpoint, json_body, marketplace_error
from crossdock.bridges.rest.sim.shopify_api import BASE as SHOPIFY_BASE
from crossdock.bridges.rest.sim.state import SimState

LISTINGS = "/listings/2021-08-01/items/{seller_id}/{sku}"


def shown(state: SimState) -> dict[str, dict[str, int]]:
    """channel -> item (Shopify: inventory item id; others: SKU) -> the quantity shown now."""
    out: dict[str, dict[str, int]] = {"shopify": {}, "walmart": {}, "amazon": {}}
    with state.lock:
        received = {kind: list(entries) for kind, entries in state.received.items()}
    for entry in received.get("shopify.inventory_levels", []):
        out["shopify"][str(entry["body"]["inventory_item_id"])] = entry["body"]["available"]
    for entry in received.get("walmart.inventory", []):
        out["walmart"][entry["sku"]] = entry["body"]["quantity"]["amount"]
    for entry in received.get("amazon.listings", []):
        out["amazon"][entry["sku"]] = entry["quantity"]
    for entry in received.get("sim.inventory", []):
        out[entry["channel"]][entry["item"]] = entry["quantity"]
    return out


def routes(state: SimState) -> list[Route]:
    async def shopify_levels(request: Request) -> Response:
        items = [i for i in request.query_params.get("inventory_item_ids", "").split(",") if i]
        location = request.query_params.get("location_ids", "")
        if not items or not location.isdigit():
            return marketplace_error("shopify", 422, "Unprocessable", "inventory_item_ids and location_ids required")
        now = shown(state)["shopify"]
        levels = [{"inventory_item_id": int(i), "location_id": int(location), "available": now[i]}
                  for i in items if i.isdigit() and i in now]  # fmt: skip
        return JSONResponse({"inventory_levels": levels})

    async def walmart_get(request: Request) -> Response:
        sku = request.query_params.get("sku", "")
        amount = shown(state)["walmart"].get(sku)
        if amount is None:
            return marketplace_error("walmart", 404, "CONTENT_NOT_FOUND", f"no inventory for sku {sku}")
        return JSONResponse({"sku": sku, "quantity": {"unit": "EACH", "amount": amount}})

    async def amazon_patch(request: Request) -> Response:
        sku = request.path_params["sku"]
        body, bad = await json_body(request, "amazon")
        if bad is not None:
            return bad
        quantity = _amazon_quantity(body)
        if quantity is None or not request.query_params.get("marketplaceIds"):
            need = "marketplaceIds and a fulfillment_availability replace patch are required"
            return marketplace_error("amazon", 400, "InvalidInput", need)
        state.record("amazon.listings", {"sku": sku, "quantity": quantity, "body": body})
        return JSONResponse({"sku": sku, "status": "ACCEPTED", "submissionId": f"sim-{sku}", "issues": []})

    async def amazon_get(request: Request) -> Response:
        sku = request.path_params["sku"]
        quantity = shown(state)["amazon"].get(sku)
        if quantity is None:
            return marketplace_error("amazon", 404, "NOT_FOUND", f"no listing for sku {sku}")
        availability = [{"fulfillmentChannelCode": "DEFAULT", "quantity": quantity}]
        return JSONResponse({"sku": sku, "fulfillmentAvailability": availability})

    async def drift(request: Request) -> Response:
        body, bad = await json_body(request, "shopify")
        if bad is not None or not isinstance(body, dict) or body.get("channel") not in ("shopify", "walmart", "amazon"):
            return JSONResponse({"error": "bad_request", "message": "channel, item, quantity required"}, 400)
        state.record("sim.inventory", {"channel": body["channel"], "item": str(body.get("item")),
                                       "quantity": int(body.get("quantity", 0))})  # fmt: skip
        return JSONResponse({"ok": True})

    return [
        Route(SHOPIFY_BASE + "/inventory_levels.json", endpoint(state, "shopify", shopify_levels), methods=["GET"]),
        Route("/v3/inventory", endpoint(state, "walmart", walmart_get), methods=["GET"]),
        Route(LISTINGS, endpoint(state, "amazon", amazon_patch), methods=["PATCH"]),
        Route(LISTINGS, endpoint(state, "amazon", amazon_get), methods=["GET"]),
        Route("/_sim/inventory", drift, methods=["POST"]),
    ]


def _amazon_quantity(body: Any) -> int | None:
    patches = body.get("patches") if isinstance(body, dict) else None
    for patch in patches if isinstance(patches, list) else []:
        if isinstance(patch, dict) and patch.get("path") == "/attributes/fulfillment_availability":
            values = patch.get("value")
            if isinstance(values, list) and values and isinstance(values[0], dict):
                quantity = values[0].get("quantity")
                if isinstance(quantity, int) and quantity >= 0:
                    return quantity
    return None
