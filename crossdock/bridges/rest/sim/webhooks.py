"""Fire Shopify-style signed webhooks at a receiver URL (loopback only), optionally tampered or stale."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from crossdock.bridges.rest.signature import sign

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class WebhookShot:
    url: str
    secret: bytes
    topic: str = "orders/create"
    shop_domain: str = "crossdock-sim.myshopify.com"
    tamper: bool = False
    age_s: float = 0.0
    webhook_id: str | None = None

    def __post_init__(self) -> None:
        host = urlsplit(self.url).hostname
        if host not in LOOPBACK:
            raise ValueError(f"the simulator only fires webhooks at loopback addresses, not {host!r}")


def signed_request(shot: WebhookShot, order: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(order, separators=(",", ":")).encode()
    signature = sign(shot.secret, body)
    if shot.tamper:
        body = body.replace(b'"currency":"USD"', b'"currency":"EUR"')
    triggered = datetime.now(UTC) - timedelta(seconds=shot.age_s)
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": signature,
        "X-Shopify-Topic": shot.topic,
        "X-Shopify-Shop-Domain": shot.shop_domain,
        "X-Shopify-Webhook-Id": shot.webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": triggered.isoformat().replace("+00:00", "Z"),
        "X-Shopify-API-Version": "2024-01",
    }
    return body, headers


async def fire(shot: WebhookShot, orders: list[dict[str, Any]], timeout: float = 5.0) -> list[dict[str, Any]]:
    """POST one webhook per order; returns each delivery's webhook id and HTTP status (or error)."""
    results = []
    async with httpx.AsyncClient(timeout=timeout) as client:
        for order in orders:
            body, headers = signed_request(shot, order)
            try:
                response = await client.post(shot.url, content=body, headers=headers)
                results.append({"webhook_id": headers["X-Shopify-Webhook-Id"], "status": response.status_code})
            except httpx.HTTPError as exc:
                results.append({"webhook_id": headers["X-Shopify-Webhook-Id"], "error": type(exc).__name__})
    return results
