"""The webhook receiver (ASGI, Starlette): verify, store raw, enqueue, answer 2xx quickly.

``POST /webhooks/shopify`` checks, in order: content type (415), size (413), signature present and
valid over the raw body (401), topic / webhook id / triggered-at headers (400), freshness against
``tolerance_s`` (401), JSON body (400). A delivery seen before (same topic and ``X-Shopify-Event-Id``,
or webhook id when there is no event id) is acknowledged (200, ``duplicate``) without storing it
again. Nothing else happens in the request: no ERP, no SFTP, no mapping.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crossdock.bridges.rest.openapi import openapi_spec
from crossdock.bridges.rest.signature import parse_triggered_at, verify
from crossdock.bridges.rest.sink import RawSink
from crossdock.errors import ConfigError, TransientError
from crossdock.settings import Settings

log = logging.getLogger(__name__)

KEPT_HEADERS = (
    "x-shopify-topic",
    "x-shopify-shop-domain",
    "x-shopify-webhook-id",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-shopify-api-version",
)
"""Headers stored with the payload. The signature is not kept: it is proof, checked once, not data."""


class SeenIds:
    """The most recent ``capacity`` webhook ids, to recognise Shopify's retries and replays."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, webhook_id: str) -> bool:
        """Remember ``webhook_id``; False when it was already there."""
        with self._lock:
            if webhook_id in self._ids:
                self._ids.move_to_end(webhook_id)
                return False
            self._ids[webhook_id] = None
            if len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
            return True

    def forget(self, webhook_id: str) -> None:
        with self._lock:
            self._ids.pop(webhook_id, None)


def problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def create_receiver(
    sink: RawSink,
    secret: bytes,
    *,
    tolerance_s: float = 300.0,
    max_body_bytes: int = 1_048_576,
    clock: Callable[[], float] = time.time,
    seen: SeenIds | None = None,
) -> Starlette:
    """The receiver app. ``secret`` is the shop's webhook signing secret (never logged)."""
    if not secret:
        raise ValueError("a webhook secret is required: the receiver never accepts unsigned webhooks")
    seen_ids = seen or SeenIds()
    blocking = getattr(sink, "blocking", True)

    async def shopify(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return problem(415, "unsupported_media_type", "Content-Type must be application/json")
        declared = request.headers.get("content-length")
        if declared is not None and not declared.isdigit():
            return problem(400, "bad_content_length", "Content-Length must be a non-negative integer")
        if declared is not None and int(declared) > max_body_bytes:
            return problem(413, "too_large", f"body larger than {max_body_bytes} bytes")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_body_bytes:
                    return problem(413, "too_large", f"body larger than {max_body_bytes} bytes")
        except ClientDisconnect:
            return problem(400, "incomplete", "client disconnected before the body was complete")
        raw = bytes(body)
        signature = request.headers.get("x-shopify-hmac-sha256")
        if not signature:
            return problem(401, "unsigned", "X-Shopify-Hmac-Sha256 header is required")
        if not verify(secret, raw, signature):
            return problem(401, "bad_signature", "X-Shopify-Hmac-Sha256 does not match the body")
        for header in ("x-shopify-topic", "x-shopify-webhook-id", "x-shopify-triggered-at"):
            if not request.headers.get(header, "").strip():
                return problem(400, "missing_header", f"{header} header is required")
        triggered = request.headers["x-shopify-triggered-at"]
        try:
            age = clock() - parse_triggered_at(triggered).timestamp()
        except (ValueError, OverflowError):
            return problem(400, "bad_timestamp", "X-Shopify-Triggered-At must be an ISO-8601 date-time with offset")
        if abs(age) > tolerance_s:
            side = "old" if age > 0 else "far in the future"
            return problem(401, "stale", f"webhook triggered {abs(age):.0f}s {side}; tolerance is {tolerance_s:.0f}s")
        try:
            json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting too deep
            return problem(400, "bad_json", "body is not valid JSON")
        webhook_id = request.headers["x-shopify-webhook-id"].strip()
        # Shopify: the same X-Shopify-Event-Id on two deliveries means a duplicate; older senders only
        # have the webhook id, which stays the same across retries of one delivery.
        event = request.headers.get("x-shopify-event-id", "").strip() or webhook_id
        replay_key = f"{request.headers['x-shopify-topic'].strip()}|{event}"
        if not seen_ids.add(replay_key):
            return JSONResponse({"status": "duplicate", "webhook_id": webhook_id})
        headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
        try:
            if blocking:
                ref = await run_in_threadpool(_hand_over, sink, raw, headers)
            else:
                ref = _hand_over(sink, raw, headers)
        except TransientError as exc:
            seen_ids.forget(replay_key)
            log.warning("webhook %s not stored: %s", webhook_id, exc)
            return problem(503, "unavailable", "could not store the webhook; retry later")
        except BaseException:
            seen_ids.forget(replay_key)  # not stored: Shopify's retry must not be taken for a duplicate
            raise
        return JSONResponse({"status": "accepted", "ref": ref}, status_code=200)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    spec = openapi_spec(max_body_bytes)

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        message = exc.detail if isinstance(exc, HTTPException) else "bad request"
        return problem(
            status, "not_found" if status == 404 else "http_error", f"{message}: {request.method} {request.url.path}"
        )

    return Starlette(
        exception_handlers={HTTPException: http_error},
        routes=[
            Route("/webhooks/shopify", shopify, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
    )


def receiver_from_settings(settings: Settings, sink: RawSink) -> Starlette:
    """The receiver with the secret from ``settings.webhook_secret`` (``CROSSDOCK_WEBHOOK_SECRET``) and
    the broker's message size as the body limit; the composition root passes the real sink."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise ConfigError("webhook_secret is not set (CROSSDOCK_WEBHOOK_SECRET): unsigned webhooks are never accepted")
    secret = settings.webhook_secret.get_secret_value().encode()
    return create_receiver(sink, secret, max_body_bytes=settings.max_message_bytes)


def _hand_over(sink: RawSink, raw: bytes, headers: dict[str, str]) -> str:
    ref = sink.store_raw("shopify", raw, headers)
    sink.enqueue(ref)
    return ref
