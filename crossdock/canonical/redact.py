"""The one redaction rule for what comes from a partner: a value from a partner payload reaches a log
line, an error message or an exception item as its field path plus type and length (:func:`describe`),
never its text; a document is logged by its keys only (:func:`keys_only`); a document that must be
shown whole has its party PII replaced (:func:`redact`).

Why: a mapping error used to quote the value (``'Jane Victimson 42 Secret Lane' is not a number``), and
errors reach logs, journal rows, dead letters and exception items. The path says where to look; the
stored payload (kept with the exception item) holds the value for the person who fixes it.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def describe(value: object) -> str:
    """``value`` as its type and size, never its text: ``a str of 28 characters``, ``an int``."""
    if value is None:
        return "null"
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiou" else "a"
    if isinstance(value, str | bytes):
        unit = "characters" if isinstance(value, str) else "bytes"
        return f"{article} {kind} of {len(value)} {unit}"
    if isinstance(value, Mapping | list | tuple):
        return f"{article} {kind} of {len(value)} items"
    return f"{article} {kind}"


KEY_FIELDS = ("external_id", "order_id", "po_number", "shipment_id", "document_no", "channel", "control_number")
"""The fields that identify a document in a log line (what ``crossdock trace`` takes)."""


def keys_only(document: Mapping[str, Any]) -> dict[str, Any]:
    """The identifying fields of a document (a ``model_dump()``), for a log line: never its lines,
    parties or addresses."""
    return {key: document[key] for key in KEY_FIELDS if key in document and document[key] is not None}
