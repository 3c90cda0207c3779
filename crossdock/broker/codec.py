"""The message codec: a canonical :class:`Envelope` plus its canonical document, as JSON text.

On the wire each crossdock actor takes ONE argument, the text
``{"envelope": {...}, "document": {...}}``. Text (rather than a JSON object inside Dramatiq's own
JSON) keeps pydantic's exact serialisation of decimals and dates, and lets a receiver report bad JSON
precisely. Decoding checks the schema version before anything else, so a message from a newer
producer is refused with a clear reason instead of being half-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crossdock.canonical.base import CanonicalModel
from crossdock.canonical.envelope import SCHEMA_VERSION, Envelope
from crossdock.canonical.registry import document_class
from crossdock.errors import PermanentError

SUPPORTED_SCHEMA_VERSIONS = frozenset({SCHEMA_VERSION})


class MessageDecodeError(PermanentError):
    """A message that is not a crossdock message: dead-lettered with ``reason``, never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Decoded:
    envelope: Envelope
    document: CanonicalModel


def encode(envelope: Envelope, document: CanonicalModel) -> str:
    """The wire text of one message; refuses a document that does not match ``envelope.document_type``."""
    expected = document_class(envelope.document_type)
    if not isinstance(document, expected):
        raise TypeError(
            f"envelope says document_type={envelope.document_type!r} ({expected.__name__}) "
            f"but the document is a {type(document).__name__}"
        )
    return '{"envelope":' + envelope.model_dump_json() + ',"document":' + document.model_dump_json() + "}"


def _parse(payload: object) -> dict[str, Any]:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="replace")
    if not isinstance(payload, str):
        raise MessageDecodeError(
            f"message argument is a {type(payload).__name__}, expected crossdock's envelope+document JSON text"
        )
    try:
        data = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise MessageDecodeError(f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:  # an integer past Python's digit limit, nesting too deep
        raise MessageDecodeError(f"bad JSON: {str(exc).split(';')[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("envelope"), dict) or "document" not in data:
        raise MessageDecodeError('message JSON must be an object with "envelope" (an object) and "document"')
    return data


def _validation_summary(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()[:5]]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _envelope(data: dict[str, Any]) -> Envelope:
    version = data["envelope"].get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in sorted(SUPPORTED_SCHEMA_VERSIONS))
        raise MessageDecodeError(f"envelope schema_version {version!r} is not supported (this worker reads {known})")
    try:
        return Envelope.model_validate(data["envelope"])
    except ValidationError as exc:
        raise MessageDecodeError(f"invalid envelope: {_validation_summary(exc)}") from exc


def decode_envelope(payload: object) -> Envelope:
    """Only the envelope (what middleware needs); the document is left to the step."""
    return _envelope(_parse(payload))


def read_envelope(payload: object) -> tuple[Envelope, object]:
    """The validated envelope and the document as plain JSON data (not validated)."""
    data = _parse(payload)
    return _envelope(data), data["document"]


def decode(payload: object) -> Decoded:
    """Envelope and document, both validated."""
    data = _parse(payload)
    envelope = _envelope(data)
    return Decoded(envelope, decode_document(envelope, data["document"]))


def decode_document(envelope: Envelope, data: object) -> CanonicalModel:
    """The document of a message whose envelope :func:`read_envelope` already read (its JSON data),
    validated as the class of ``envelope.document_type``: the JSON text is not parsed again."""
    try:
        cls = document_class(envelope.document_type)
    except KeyError as exc:
        raise MessageDecodeError(str(exc.args[0])) from exc
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise MessageDecodeError(f"invalid {envelope.document_type} document: {_validation_summary(exc)}") from exc


KEY_FIELDS = (
    "external_id",
    "po_number",
    "order_external_id",
    "shipment_id",
    "tracking_number",
    "pro_number",
    "settlement_id",
    "rma_number",
    "erp_order_number",
    "interchange_control_number",
    "sku",
)


def business_keys(document: object) -> list[tuple[str, str]]:
    """Business keys found at the top level of a document's JSON (order id, PO number ...), for
    trace and for operators. Best effort: never raises."""
    if not isinstance(document, dict):
        return []
    found = []
    for field in KEY_FIELDS:
        value = document.get(field)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            found.append((field, str(value)))
    return found


def business_key(payload: object) -> str | None:
    """The first business key of a wire message as ``field=value``, or ``None``."""
    try:
        keys = business_keys(_parse(payload)["document"])
    except MessageDecodeError:
        return None
    return f"{keys[0][0]}={keys[0][1]}" if keys else None
