"""Shopify-style webhook signatures: base64 of HMAC-SHA256 over the RAW request body, compared in
constant time. Also the freshness check on the triggered-at timestamp."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime

_FRACTION = re.compile(r"(\.\d{6})\d+")


def sign(secret: bytes, body: bytes) -> str:
    """The value of ``X-Shopify-Hmac-Sha256`` for ``body``."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of the raw ``body``; never short-circuits on content."""
    if not header:
        return False
    expected = sign(secret, body).encode("ascii")
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


def matches(digest: bytes, header: str | None) -> bool:
    """True when ``header`` is the base64 of ``digest`` (an HMAC computed while the body streamed in);
    compared in constant time."""
    if not header:
        return False
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(base64.b64encode(digest), given)


def parse_triggered_at(value: str) -> datetime:
    """Parse ``X-Shopify-Triggered-At`` (ISO 8601, ``Z``, up to nanoseconds). Raises ValueError."""
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return parsed
