"""The one place httpx errors and marketplace HTTP statuses become crossdock errors.

connect errors, timeouts, 429 and 5xx → :class:`TransientError` (429 as :class:`RateLimitedError` with the
server's ``Retry-After``); other 4xx → :class:`BusinessError` carrying the marketplace's own message.
Messages name the channel, the method and the path, never headers, tokens or bodies with PII.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from crossdock.bridges.rest.backoff import parse_retry_after
from crossdock.errors import BusinessError, TransientError


class RateLimitedError(TransientError):
    """HTTP 429: retry after ``retry_after`` seconds (None: the server did not say)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotSentError(TransientError):
    """The request never reached the server (connect error, connect timeout): safe to retry any method."""


class MarketplaceRejectedError(BusinessError):
    """A 4xx other than 429: the marketplace refused the request; ``status`` and its ``message`` say why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@contextmanager
def http_errors(channel: str, method: str, path: str) -> Iterator[None]:
    """Map httpx transport errors raised inside the block to crossdock errors, ``from exc``."""
    where = f"{channel} {method} {path}"
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise NotSentError(f"{where}: cannot connect ({type(exc).__name__})") from exc
    except httpx.TimeoutException as exc:
        raise TransientError(f"{where}: timed out ({type(exc).__name__})") from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise TransientError(f"{where}: transport error ({type(exc).__name__})") from exc


def check_status(channel: str, method: str, path: str, response: httpx.Response) -> None:
    """Raise the crossdock error for a non-2xx ``response``; return for 2xx."""
    status = response.status_code
    if status < 300:
        return
    where = f"{channel} {method} {path}"
    message = marketplace_message(response)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        raise RateLimitedError(f"{where}: rate limited (429){': ' + message if message else ''}", retry_after)
    if status >= 500 or status == 408:
        raise TransientError(f"{where}: server error {status}{': ' + message if message else ''}")
    raise MarketplaceRejectedError(
        f"{where}: rejected with {status}: {message or response.reason_phrase}", status=status
    )


def marketplace_message(response: httpx.Response) -> str:
    """The human message from Shopify (``errors``), SP-API (``errors[].message``) or Walmart
    (``errors.error[].description``) error bodies; empty when there is none."""
    try:
        data: Any = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(data, dict) or "errors" not in data:
        return ""
    errors = data["errors"]
    if isinstance(errors, dict) and isinstance(errors.get("error"), list):
        errors = errors["error"]
    if isinstance(errors, list):
        parts = []
        for err in errors:
            if isinstance(err, dict):
                text = err.get("message") or err.get("description") or ""
                field = err.get("field") or err.get("details")
                parts.append(f"{err.get('code', '')}: {text}".strip(": ") + (f" ({field})" if field else ""))
            else:
                parts.append(str(err))
        return "; ".join(parts)[:500]
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {value}" for key, value in errors.items())[:500]
    return str(errors)[:500]
