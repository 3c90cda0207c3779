"""Remove customer PII from a canonical document before it reaches a log line."""

from __future__ import annotations

from typing import Any

PII_FIELDS = frozenset({"name", "contact_name", "phone", "email", "lines", "address"})
"""Field names that hold personal data inside a party. ``lines`` here are address lines."""

REDACTED = "***"


def redact(data: Any, *, _in_party: bool = False) -> Any:
    """A copy of ``data`` (a ``model_dump()`` or any JSON-like value) with party PII replaced.

    A mapping is treated as a party when it has a ``role`` key; its name, contact, phone, email and
    address are replaced by ``***``. Ids (``id_code``) stay: they identify trading partners, not people.
    """
    if isinstance(data, dict):
        is_party = "role" in data and ("name" in data or "address" in data)
        out: dict[str, Any] = {}
        for key, value in data.items():
            if is_party and key in PII_FIELDS and value is not None:
                out[key] = REDACTED
            else:
                out[key] = redact(value)
        return out
    if isinstance(data, list):
        return [redact(item) for item in data]
    return data
