"""The marketplace simulator app: Shopify, Amazon SP-API and Walmart endpoints plus ``/_sim`` control.

Control (JSON): ``GET /_sim/state``; ``POST /_sim/reset`` ``{"orders_per_channel": n}``;
``POST /_sim/faults`` ``{"kind": "latency|status|hang|malformed", "channel": "amazon", "path_contains":
"/orders", "status": 503, "latency_ms": 200, "hang_s": 30, "retry_after": 1, "skip": 0, "times": 1}``
(or a list); ``DELETE /_sim/faults``; ``POST /_sim/rate-limit`` ``{"channel", "capacity", "refill_per_s"}``;
``POST /_sim/webhooks`` ``{"url", "secret", "count", "topic", "tamper", "age_s", "webhook_id", "order_id"}``;
``POST /_sim/auth`` ``{"channel", "strict", "ttl_s"}`` and ``POST /_sim/auth/expire`` ``{"channel"}``
(expiring access tokens from ``POST /auth/o2/token`` and ``POST /v3/token``, see ``auth``);
``POST /_sim/orders/change`` ``{"channel", "order_id", "cancel": true}`` or ``{..., "lines": {"<line id>":
quantity}}`` (a cancellation or a line change the marketplace makes, see ``changes``).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.sim import amazon_api, auth, changes, inventory_api, shopify_api, walmart_api
from crossdock.bridges.rest.sim.faults import Fault, TokenBucket
from crossdock.bridges.rest.sim.state import CHANNELS, SimState
from crossdock.bridges.rest.sim.webhooks import WebhookShot, fire


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": "bad_request", "message": message}, status_code=400)


async def _body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def control_routes(state: SimState) -> list[Route]:
    async def get_state(request: Request) -> Response:
        return JSONResponse(state.snapshot())

    async def reset(request: Request) -> Response:
        body = await _body(request) or {}
        count = body.get("orders_per_channel") if isinstance(body, dict) else None
        if count is not None and (not isinstance(count, int) or not 0 <= count <= 10_000):
            return _bad("orders_per_channel must be an integer 0..10000")
        state.reset(count)
        return JSONResponse(state.snapshot())

    async def add_faults(request: Request) -> Response:
        body = await _body(request)
        try:
            faults = [Fault.from_json(item) for item in (body if isinstance(body, list) else [body])]
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        for fault in faults:
            state.faults.add(fault)
        return JSONResponse({"faults": len(faults)})

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        return JSONResponse({"faults": 0})

    async def rate_limit(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or body.get("channel") not in CHANNELS:
            return _bad(f"channel must be one of {', '.join(CHANNELS)}")
        capacity, refill = body.get("capacity", 40), body.get("refill_per_s", 20)
        if not all(isinstance(v, int | float) and 0 < v <= 100_000 for v in (capacity, refill)):
            return _bad("capacity and refill_per_s must be positive numbers")
        with state.lock:
            state.buckets[body["channel"]] = TokenBucket(capacity=float(capacity), refill_per_s=float(refill))
        return JSONResponse({"channel": body["channel"], "capacity": capacity, "refill_per_s": refill})

    async def auth_settings(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or body.get("channel") not in CHANNELS:
            return _bad(f"channel must be one of {', '.join(CHANNELS)}")
        ttl = body.get("ttl_s")
        if ttl is not None and (not isinstance(ttl, int | float) or not 0 < ttl <= 86_400):
            return _bad("ttl_s must be a positive number of seconds")
        channel = body["channel"]
        with state.auth.lock:
            if ttl is not None:
                state.auth.ttl_s[channel] = float(ttl)
            if "strict" in body:
                (state.auth.strict.add if body["strict"] else state.auth.strict.discard)(channel)
        return JSONResponse({"channel": channel, "strict": channel in state.auth.strict,
                             "ttl_s": state.auth.ttl_s.get(channel)})  # fmt: skip

    async def auth_expire(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or body.get("channel") not in CHANNELS:
            return _bad(f"channel must be one of {', '.join(CHANNELS)}")
        state.auth.expire(body["channel"])
        return JSONResponse({"channel": body["channel"], "expired": True})

    async def webhooks(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("url"), str) or not body.get("secret"):
            return _bad("url and secret are required")
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= 1000:
            return _bad("count must be 1..1000")
        try:
            shot = WebhookShot(
                url=body["url"],
                secret=str(body["secret"]).encode(),
                topic=str(body.get("topic", "orders/create")),
                tamper=bool(body.get("tamper", False)),
                age_s=float(body.get("age_s", 0)),
                webhook_id=body.get("webhook_id"),
            )
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        with state.lock:
            orders = [state.shopify[i % len(state.shopify)] for i in range(count)] if state.shopify else []
            if body.get("order_id") is not None:
                orders = [o for o in state.shopify if str(o["id"]) == str(body["order_id"])][:1] * count
        if not orders:
            return _bad("no Shopify orders seeded")
        return JSONResponse({"deliveries": await fire(shot, orders)})

    async def change_order(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or body.get("channel") not in CHANNELS or not body.get("order_id"):
            return _bad(f"channel (one of {', '.join(CHANNELS)}) and order_id are required")
        lines = body.get("lines", {})
        if not isinstance(lines, dict) or not (lines or body.get("cancel")):
            return _bad("cancel: true, or lines: {line id: new quantity}, is required")
        try:
            order = changes.change(state, body["channel"], str(body["order_id"]), cancel=bool(body.get("cancel")),
                                   lines={str(k): v for k, v in lines.items()})  # fmt: skip
        except changes.ChangeRefusedError as exc:
            return _bad(str(exc))
        with state.lock:
            return JSONResponse({"order": order})

    return [
        Route("/_sim/orders/change", change_order, methods=["POST"]),
        Route("/_sim/state", get_state, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
        Route("/_sim/faults", add_faults, methods=["POST"]),
        Route("/_sim/faults", clear_faults, methods=["DELETE"]),
        Route("/_sim/rate-limit", rate_limit, methods=["POST"]),
        Route("/_sim/webhooks", webhooks, methods=["POST"]),
        Route("/_sim/auth", auth_settings, methods=["POST"]),
        Route("/_sim/auth/expire", auth_expire, methods=["POST"]),
    ]


def create_sim_app(state: SimState | None = None) -> Starlette:
    state = state or SimState()
    app = Starlette(
        routes=[
            *shopify_api.routes(state),
            *amazon_api.routes(state),
            *walmart_api.routes(state),
            *auth.routes(state.auth),
            *inventory_api.routes(state),
            *control_routes(state),
        ]
    )
    app.state.sim = state
    return app
