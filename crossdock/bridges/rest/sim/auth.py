"""Simulated marketplace credentials: Login with Amazon (``POST /auth/o2/token``, refresh-token grant)
and Walmart's token API (``POST /v3/token``, client credentials in HTTP Basic), issuing access tokens
that expire.

By default every channel accepts any non-empty token (tests with static tokens). A channel switched to
``strict`` (``POST /_sim/auth {"channel": "amazon", "strict": true, "ttl_s": 2}``) accepts only tokens
this simulator issued and that have not expired, answering as the marketplace does: SP-API 403
``Unauthorized``, Walmart 401 ``UNAUTHORIZED.GMP_GATEWAY_API``. ``POST /_sim/auth/expire
{"channel": ...}`` expires every token of a channel at once (a revocation).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

LWA_CLIENT_ID = "amzn1.application-oa2-client.crossdocksim"
LWA_CLIENT_SECRET = "sim-lwa-client-secret"  # noqa: S105 - the simulator's own test credential
LWA_REFRESH_TOKEN = "Atzr|sim-refresh-token"  # noqa: S105 - the simulator's own test credential
WALMART_CLIENT_ID = "sim-walmart-client-id"
WALMART_CLIENT_SECRET = "sim-walmart-client-secret"  # noqa: S105 - the simulator's own test credential
DEFAULT_TTL_S = {"amazon": 3600.0, "walmart": 900.0}


@dataclass
class SimAuth:
    strict: set[str] = field(default_factory=set)
    ttl_s: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TTL_S))
    issued: dict[str, tuple[str, float]] = field(default_factory=dict)
    """access token -> (channel, monotonic expiry)."""
    grants: dict[str, int] = field(default_factory=dict)
    """How many tokens each channel issued."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.strict.clear()
            self.ttl_s = dict(DEFAULT_TTL_S)
            self.issued.clear()
            self.grants.clear()

    def issue(self, channel: str) -> tuple[str, float]:
        prefix = "Atza|" if channel == "amazon" else "wm-"
        token = prefix + secrets.token_urlsafe(24)
        with self.lock:
            ttl = self.ttl_s.get(channel, 3600.0)
            self.issued[token] = (channel, time.monotonic() + ttl)
            self.grants[channel] = self.grants.get(channel, 0) + 1
        return token, ttl

    def accepts(self, channel: str, token: str) -> bool:
        with self.lock:
            if channel not in self.strict:
                return True
            issued = self.issued.get(token)
        return issued is not None and issued[0] == channel and time.monotonic() < issued[1]

    def expire(self, channel: str) -> None:
        with self.lock:
            self.issued = {t: v for t, v in self.issued.items() if v[0] != channel}


def refused(channel: str) -> JSONResponse:
    """How the marketplace answers an access token it does not take (expired, revoked, unknown)."""
    if channel == "amazon":
        error = {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided is revoked, malformed or invalid.",
        }
        return JSONResponse({"errors": [error]}, status_code=403)
    if channel == "walmart":
        error = {
            "code": "UNAUTHORIZED.GMP_GATEWAY_API",
            "field": "UNAUTHORIZED",
            "description": "Unauthorized",
            "info": "Unauthorized token or the token has expired",
            "severity": "ERROR",
            "category": "DATA",
        }
        return JSONResponse({"errors": {"error": [error]}}, status_code=401)
    return JSONResponse({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
                        status_code=401)  # fmt: skip


def _oauth_error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


def routes(auth: SimAuth) -> list[Route]:
    async def lwa_token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "refresh_token":
            return _oauth_error(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if form.get("client_id") != LWA_CLIENT_ID or form.get("client_secret") != LWA_CLIENT_SECRET:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("refresh_token") != LWA_REFRESH_TOKEN:
            return _oauth_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
        token, ttl = auth.issue("amazon")
        return JSONResponse({"access_token": token, "refresh_token": LWA_REFRESH_TOKEN, "token_type": "bearer",
                             "expires_in": ttl})  # fmt: skip

    async def walmart_token(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        try:
            client_id, _, secret = base64.b64decode(header.removeprefix("Basic ").encode()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id, secret = "", ""
        if not request.headers.get("wm_svc.name") or not request.headers.get("wm_qos.correlation_id"):
            return _oauth_error(400, "invalid_request", "WM_SVC.NAME and WM_QOS.CORRELATION_ID are required")
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if client_id != WALMART_CLIENT_ID or secret != WALMART_CLIENT_SECRET:
            return _oauth_error(401, "invalid_client", "Invalid client credentials")
        token, ttl = auth.issue("walmart")
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": ttl})

    return [
        Route("/auth/o2/token", lwa_token, methods=["POST"]),
        Route("/v3/token", walmart_token, methods=["POST"]),
    ]
