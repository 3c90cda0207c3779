"""An httpx client for one marketplace: timeouts on every call, advertised-rate pacing, bounded
retries (``Retry-After`` or exponential backoff with jitter) and errors mapped once in ``boundary``.

Retries: a 429 or a request that never left (connect error) is retried for any method; other
transient failures (5xx, read timeout) only for idempotent methods (GET, PUT, DELETE), because a
POST may already have taken effect. After ``max_attempts`` the last TransientError propagates and
the broker's retry policy takes over.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from crossdock.bridges.rest.backoff import Backoff
from crossdock.bridges.rest.boundary import (
    NotSentError,
    RateLimitedError,
    check_status,
    http_errors,
    marketplace_message,
)
from crossdock.bridges.rest.pacing import Pacer
from crossdock.bridges.rest.tokens import TokenSource
from crossdock.errors import MappingError, TransientError

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})


class MarketplaceClient:
    """Calls to one marketplace base URL. ``auth_headers`` hold static tokens; ``token`` (with the
    ``token_header`` it goes in) is asked for a token on every call and told when the marketplace
    refused one, so an expired token is renewed and the call tried once more. Tokens are sent, never
    logged."""

    def __init__(
        self,
        channel: str,
        base_url: str,
        *,
        auth_headers: Mapping[str, str] | None = None,
        token: TokenSource | None = None,
        token_header: str | None = None,
        timeout: httpx.Timeout | float = 30.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.channel = channel
        if (token is None) != (token_header is None):
            raise ValueError("token and token_header go together")
        self.token = token
        self.token_header = token_header
        self.backoff = backoff or Backoff()
        self.pacers: dict[str, Pacer] = {}
        self._sleep = sleep
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        if transport is None:
            # h11 writes headers and body separately: without TCP_NODELAY, Nagle + delayed ACK stall a POST.
            transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        self._http = httpx.Client(
            base_url=base_url,
            headers=dict(auth_headers or {}),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MarketplaceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
    ) -> httpx.Response:
        """Send one call with pacing and bounded retries; return the 2xx response or raise.

        ``operation`` names the rate-limited operation (SP-API limits each one separately, e.g.
        ``getOrders``, ``getOrderItems``); calls of one operation share a pacer. Default: the path."""
        method = method.upper()
        pacer = self.pacer(operation or f"{method} {path}")
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            pacer.wait()
            try:
                sent_headers = dict(headers or {})
                token = self.token.token() if self.token is not None else None
                if token is not None and self.token_header is not None:
                    sent_headers[self.token_header] = token
                with http_errors(self.channel, method, path):
                    response = self._http.request(method, path, params=params, json=json_body, headers=sent_headers)
                pacer.observe(response.headers)
                if token is not None and not renewed and self._token_refused(response):
                    assert self.token is not None
                    if self.token.refused(token):  # an expired or revoked token: one more try with a new one
                        renewed = True
                        attempt -= 1
                        log.info("%s %s %s: access token refused (%d); fetching a new one",
                                 self.channel, method, path, response.status_code)  # fmt: skip
                        continue
                check_status(self.channel, method, path, response)
                log.debug("%s %s %s -> %s", self.channel, method, path, response.status_code)
                return response
            except TransientError as exc:
                retryable = isinstance(exc, RateLimitedError | NotSentError) or method in IDEMPOTENT
                if not retryable or attempt >= self.backoff.max_attempts:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
                delay = self.backoff.delay(attempt, retry_after)
                log.info("%s; retry %d/%d in %.2fs", exc, attempt, self.backoff.max_attempts - 1, delay)
                self._sleep(delay)

    def _token_refused(self, response: httpx.Response) -> bool:
        """401 everywhere; SP-API answers an expired or revoked access token with 403 ``Unauthorized``."""
        if response.status_code == 401:
            return True
        return response.status_code == 403 and self.channel == "amazon" and "Unauthorized" in marketplace_message(
            response
        )

    def pacer(self, operation: str) -> Pacer:
        """The pacer of one rate-limited operation (created on first use)."""
        if operation not in self.pacers:
            self.pacers[operation] = Pacer(sleep=self._sleep)
        return self.pacers[operation]

    def get_json(
        self, path: str, params: Mapping[str, str | int] | None = None, *, operation: str | None = None
    ) -> Any:
        return decode_json(self.channel, path, self.request("GET", path, params=params, operation=operation))

    def send_json(
        self,
        method: str,
        path: str,
        body: Any,
        params: Mapping[str, str | int] | None = None,
        *,
        operation: str | None = None,
    ) -> Any:
        response = self.request(method, path, params=params, json_body=body, operation=operation)
        return decode_json(self.channel, path, response) if response.content else None


def decode_json(channel: str, path: str, response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        # A 2xx whose body is not JSON: usually a proxy or a half-written reply; retry later.
        raise TransientError(f"{channel} {path}: response is not JSON ({exc.__class__.__name__})") from exc


def path_segment(value: str, what: str) -> str:
    """``value`` (an order id from a document or a marketplace reply) as ONE URL path segment: encoded,
    so it can never climb to another endpoint (``../``) or add a query (``?``) to an authenticated call."""
    if value in ("", ".", ".."):
        raise MappingError(f"{what} {value!r} cannot be used in a URL path", [(what, "is not a usable id")])
    return quote(value, safe="")


__all__ = ["MarketplaceClient", "decode_json", "path_segment"]
