"""What every simulated marketplace endpoint does before and after its own work: check the access
token header, apply injected faults, enforce the channel's token bucket, add rate-limit headers."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crossdock.bridges.rest.sim.auth import refused
from crossdock.bridges.rest.sim.state import SimState

Handler = Callable[[Request], Awaitable[Response]]

TOKEN_HEADERS = {"shopify": "x-shopify-access-token", "amazon": "x-amz-access-token", "walmart": "wm_sec.access_token"}


def error_body(channel: str, status: int, code: str, message: str) -> dict[str, Any]:
    """An error in the shape the marketplace uses."""
    if channel == "amazon":
        return {"errors": [{"code": code, "message": message}]}
    if channel == "walmart":
        return {
            "errors": {
                "error": [
                    {"code": f"{code}.GMP_ORDER_API", "description": message, "severity": "ERROR", "category": "DATA"}
                ]
            }
        }
    return {"errors": message if status != 422 else {"base": [message]}}


def marketplace_error(channel: str, status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(error_body(channel, status, code, message), status_code=status, headers=headers or None)


def _rate_headers(state: SimState, channel: str) -> dict[str, str]:
    bucket = state.buckets[channel]
    if channel == "amazon":
        return {"x-amzn-RateLimit-Limit": f"{bucket.refill_per_s:g}"}
    if channel == "shopify":
        return {"X-Shopify-Shop-Api-Call-Limit": f"{bucket.used}/{int(bucket.capacity)}"}
    return {"x-current-token-count": str(int(bucket.capacity - bucket.used))}


def endpoint(state: SimState, channel: str, handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        with state.lock:
            state.requests[channel] += 1
        token = request.headers.get(TOKEN_HEADERS[channel], "").strip()
        if not token:
            return marketplace_error(channel, 401, "Unauthorized", "Access to requested resource is denied.")
        if not state.auth.accepts(channel, token):
            return refused(channel)
        fault = state.faults.take(channel, request.url.path)
        if fault is not None:
            if fault.kind == "latency":
                await asyncio.sleep(fault.latency_ms / 1000)
            elif fault.kind == "hang":
                await asyncio.sleep(fault.hang_s)
                return marketplace_error(channel, 504, "GatewayTimeout", "simulated hang ended")
            elif fault.kind == "status":
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                return marketplace_error(channel, fault.status, "InjectedFault", "simulated failure", **extra)
        wait = state.buckets[channel].take()
        if wait > 0:
            headers = {"Retry-After": str(max(1, math.ceil(wait))), **_rate_headers(state, channel)}
            return marketplace_error(
                channel, 429, "QuotaExceeded", "You exceeded your quota for the requested resource.", **headers
            )
        response = await handler(request)
        if fault is not None and fault.kind == "malformed":
            response = Response(b'{"payload": {"Orders": [', media_type="application/json")
        response.headers.update(_rate_headers(state, channel))
        return response

    return guarded


async def json_body(request: Request, channel: str) -> tuple[Any, Response | None]:
    """The parsed JSON body, or the marketplace's 400 when it is not JSON."""
    try:
        return await request.json(), None
    except ValueError:
        return None, marketplace_error(channel, 400, "InvalidInput", "request body is not valid JSON")
