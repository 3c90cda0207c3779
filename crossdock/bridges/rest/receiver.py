"""The webhook receiver (ASGI, Starlette): verify, store raw, enqueue, answer 2xx quickly.

``POST /webhooks/shopify`` checks, in order: content type (415), declared size (413), signature
header present (401); then reads the body within the size cap (413) and the body deadline (408),
computing its HMAC as it streams in, and compares it (401) before anything looks into the body; then
topic / webhook id / triggered-at headers (400), freshness against ``tolerance_s`` (401), JSON body
(400). A body seen before is acknowledged (200, ``duplicate``) without storing it again: the replay
key is what the signature covers, the raw body, so fresh unsigned headers do not make a replay new.
Over ``max_in_flight`` webhooks being stored, the answer is 503 at once. Every refusal is logged
(status, reason, remote address, topic, delivery id; never the body or the signature) and counted
(:class:`~crossdock.bridges.rest.metrics.ReceiverMetrics`). Nothing else happens in the request: no
ERP, no SFTP, no mapping.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
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

from crossdock.bridges.rest.guard import ReceiverLimits
from crossdock.bridges.rest.metrics import ReceiverMetrics
from crossdock.bridges.rest.openapi import openapi_spec
from crossdock.bridges.rest.signature import matches, parse_triggered_at
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
    """The most recent ``capacity`` replay keys (:func:`replay_key`), to recognise retries and replays."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was already there."""
        with self._lock:
            if key in self._ids:
                self._ids.move_to_end(key)
                return False
            self._ids[key] = None
            if len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
            return True

    def forget(self, key: str) -> None:
        with self._lock:
            self._ids.pop(key, None)


def problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _shown(value: str | None) -> str:
    """A client-sent header value for a log line: at most 80 characters, control characters escaped."""
    if value is None:
        return "-"
    text = value.strip()[:80]
    return text if text.isprintable() else repr(text)


def refused(request: Request, status: int, error: str, message: str) -> JSONResponse:
    """Answer ``status`` and log the refusal: status, reason, remote address, topic and delivery id;
    never the body, the signature or other headers."""
    client = request.client
    headers = request.headers
    log.warning(
        "webhook refused: %d %s; remote %s; topic %s; delivery %s",
        status, error, f"{client.host}:{client.port}" if client else "?", _shown(headers.get("x-shopify-topic")),
        _shown(headers.get("x-shopify-event-id") or headers.get("x-shopify-webhook-id")),
    )  # fmt: skip
    return problem(status, error, message)


def replay_key(raw: bytes) -> str:
    """What the signature covers is the raw body only: a delivery is the same delivery whatever its
    unsigned headers (topic, webhook id, event id, triggered-at) say."""
    return hashlib.sha256(raw).hexdigest()


def create_receiver(
    sink: RawSink,
    secret: bytes,
    *,
    tolerance_s: float = 300.0,
    max_body_bytes: int = 1_048_576,
    clock: Callable[[], float] = time.time,
    seen: SeenIds | None = None,
    limits: ReceiverLimits | None = None,
    metrics: ReceiverMetrics | None = None,
) -> Starlette:
    """The receiver app. ``secret`` is the shop's webhook signing secret (never logged). ``limits``
    gives the body deadline and the in-flight cap (the connection limits are the server's: serve it
    with :func:`crossdock.bridges.rest.guard.guarded_protocol`). ``metrics`` counts refusals by status and
    reason, and the webhooks answered 200 (:class:`~crossdock.bridges.rest.metrics.ReceiverMetrics`)."""
    if not secret:
        raise ValueError("a webhook secret is required: the receiver never accepts unsigned webhooks")
    seen_ids = seen or SeenIds()
    blocking = getattr(sink, "blocking", True)
    bounds = limits or ReceiverLimits()
    in_flight = 0
    counters = metrics or ReceiverMetrics()

    def refuse(request: Request, status: int, error: str, message: str) -> JSONResponse:
        counters.refuse(status, error)
        return refused(request, status, error, message)

    async def read_signed_body(request: Request) -> tuple[bytes, bytes] | Response:
        """The raw body and its HMAC-SHA256, computed as it streams in, within the size cap and the body
        deadline; or the refusal."""
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        body = bytearray()
        try:
            async with asyncio.timeout(bounds.body_timeout_s):
                async for chunk in request.stream():
                    if len(body) + len(chunk) > max_body_bytes:
                        return refuse(request, 413, "too_large", f"body larger than {max_body_bytes} bytes")
                    mac.update(chunk)
                    body += chunk
        except TimeoutError:
            return refuse(request, 408, "body_timeout", f"body not complete within {bounds.body_timeout_s:g}s")
        except ClientDisconnect:
            return refuse(request, 400, "incomplete", "client disconnected before the body was complete")
        return bytes(body), mac.digest()

    async def shopify(request: Request) -> Response:
        nonlocal in_flight
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return refuse(request, 415, "unsupported_media_type", "Content-Type must be application/json")
        declared = request.headers.get("content-length")
        if declared is not None and not declared.isdigit():
            return refuse(request, 400, "bad_content_length", "Content-Length must be a non-negative integer")
        if declared is not None and int(declared) > max_body_bytes:
            return refuse(request, 413, "too_large", f"body larger than {max_body_bytes} bytes")
        signature = request.headers.get("x-shopify-hmac-sha256")
        if not signature:
            return refuse(request, 401, "unsigned", "X-Shopify-Hmac-Sha256 header is required")
        read = await read_signed_body(request)
        if isinstance(read, Response):
            return read
        raw, digest = read
        if not matches(digest, signature):  # nothing below looks into the body before this
            return refuse(request, 401, "bad_signature", "X-Shopify-Hmac-Sha256 does not match the body")
        for header in ("x-shopify-topic", "x-shopify-webhook-id", "x-shopify-triggered-at"):
            if not request.headers.get(header, "").strip():
                return refuse(request, 400, "missing_header", f"{header} header is required")
        triggered = request.headers["x-shopify-triggered-at"]
        try:
            age = clock() - parse_triggered_at(triggered).timestamp()
        except (ValueError, OverflowError):
            return refuse(
                request, 400, "bad_timestamp", "X-Shopify-Triggered-At must be an ISO-8601 date-time with offset"
            )
        if abs(age) > tolerance_s:
            side = "old" if age > 0 else "far in the future"
            message = f"webhook triggered {abs(age):.0f}s {side}; tolerance is {tolerance_s:.0f}s"
            return refuse(request, 401, "stale", message)
        try:
            json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting too deep
            return refuse(request, 400, "bad_json", "body is not valid JSON")
        webhook_id = request.headers["x-shopify-webhook-id"].strip()
        key = replay_key(raw)
        if not seen_ids.add(key):
            counters.answer("duplicate")
            return JSONResponse({"status": "duplicate", "webhook_id": webhook_id})
        if in_flight >= bounds.max_in_flight:
            seen_ids.forget(key)
            busy = refuse(request, 503, "busy", f"{bounds.max_in_flight} webhooks being stored; retry later")
            busy.headers["retry-after"] = "1"
            return busy
        headers = {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}
        in_flight += 1
        try:
            if blocking:
                ref = await run_in_threadpool(_hand_over, sink, raw, headers)
            else:
                ref = _hand_over(sink, raw, headers)
        except TransientError as exc:
            seen_ids.forget(key)
            log.warning("webhook %s not stored: %s", _shown(webhook_id), exc)
            return refuse(request, 503, "unavailable", "could not store the webhook; retry later")
        except BaseException:
            seen_ids.forget(key)  # not stored: Shopify's retry must not be taken for a duplicate
            raise
        finally:
            in_flight -= 1
        counters.answer("accepted")
        return JSONResponse({"status": "accepted", "ref": ref}, status_code=200)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    spec = openapi_spec(max_body_bytes)

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 400
        message = exc.detail if isinstance(exc, HTTPException) else "bad request"
        return refuse(
            request, status, "not_found" if status == 404 else "http_error",
            f"{message}: {request.method} {request.url.path}",
        )  # fmt: skip

    return Starlette(
        exception_handlers={HTTPException: http_error},
        routes=[
            Route("/webhooks/shopify", shopify, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
    )


def receiver_from_settings(
    settings: Settings, sink: RawSink, limits: ReceiverLimits | None = None, metrics: ReceiverMetrics | None = None
) -> Starlette:
    """The receiver with the secret from ``settings.webhook_secret`` (``CROSSDOCK_WEBHOOK_SECRET``) and
    the broker's message size as the body limit; the composition root passes the real sink."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise ConfigError("webhook_secret is not set (CROSSDOCK_WEBHOOK_SECRET): unsigned webhooks are never accepted")
    secret = settings.webhook_secret.get_secret_value().encode()
    return create_receiver(sink, secret, max_body_bytes=settings.max_message_bytes, limits=limits, metrics=metrics)


def _hand_over(sink: RawSink, raw: bytes, headers: dict[str, str]) -> str:
    ref = sink.store_raw("shopify", raw, headers)
    sink.enqueue(ref)
    return ref
