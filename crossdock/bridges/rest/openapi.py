"""The receiver's OpenAPI 3.0 document, hand-written (served at ``/openapi.json``)."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _PROBLEM}}}


def _header(name: str, description: str, required: bool = True, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "description": description, "schema": schema}


def openapi_spec(max_body_bytes: int) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "crossdock webhook receiver",
            "version": "1",
            "description": "Receives marketplace webhooks, verifies them, stores the raw body and enqueues it.",
        },
        "paths": {
            "/webhooks/shopify": {
                "post": {
                    "operationId": "receiveShopifyWebhook",
                    "summary": "A Shopify webhook (orders/create, orders/updated, ...)",
                    "parameters": [
                        _header("X-Shopify-Hmac-Sha256", "base64 HMAC-SHA256 of the raw body", type="string"),
                        _header("X-Shopify-Topic", "webhook topic, e.g. orders/create", type="string"),
                        _header("X-Shopify-Shop-Domain", "the shop, e.g. example.myshopify.com", type="string"),
                        _header("X-Shopify-Webhook-Id", "unique id of this delivery", type="string"),
                        _header("X-Shopify-Triggered-At", "when Shopify fired it", type="string", format="date-time"),
                        _header("X-Shopify-Event-Id", "the event; repeated on duplicates", False, type="string"),
                    ],
                    "requestBody": {
                        "required": True,
                        "description": f"The resource as JSON, at most {max_body_bytes} bytes.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Stored and enqueued, or a duplicate delivery acknowledged.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}},
                        },
                        "400": _problem("A required header is missing, the timestamp or the JSON is malformed."),
                        "401": _problem("Unsigned, bad signature, or stale (outside the tolerance)."),
                        "413": _problem("Body too large."),
                        "415": _problem("Content-Type is not application/json."),
                        "503": _problem("Could not store the webhook; the sender should retry."),
                    },
                }
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "responses": {"200": {"description": "The receiver is up."}},
                }
            },
        },
        "components": {
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "Accepted": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": ["accepted", "duplicate"]},
                        "ref": {"type": "string"},
                        "webhook_id": {"type": "string"},
                    },
                },
            }
        },
    }
