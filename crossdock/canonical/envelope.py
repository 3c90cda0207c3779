"""The message envelope every canonical document travels in between crossdock's steps."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, NonEmptyStr

SCHEMA_VERSION = 1
"""Bump when a document changes incompatibly; receivers reject envelopes newer than they know."""


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now(UTC)


class Envelope(CanonicalModel):
    """Metadata of one message. ``correlation_id`` stays the same from the first hop to the last;
    ``causation_id`` is the message id of the message that caused this one; ``idempotency_key`` is
    what a step uses to recognise a message it has already processed."""

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    message_id: NonEmptyStr = Field(default_factory=new_id)
    correlation_id: NonEmptyStr = Field(default_factory=new_id)
    causation_id: str | None = None
    idempotency_key: NonEmptyStr
    source: NonEmptyStr = Field(description="Who produced it: shopify, sftp:acme-3pl, erp, ...")
    document_type: NonEmptyStr = Field(description="order, shipment, warehouse_shipping_order, ...")
    created_at: AwareDatetime = Field(default_factory=now)

    def caused(self, *, idempotency_key: str, source: str, document_type: str) -> Envelope:
        """The envelope of a message this one causes: same correlation, this message as the cause."""
        return Envelope(
            correlation_id=self.correlation_id,
            causation_id=self.message_id,
            idempotency_key=idempotency_key,
            source=source,
            document_type=document_type,
        )


def idempotency_key(*parts: str) -> str:
    """A stable key from business identifiers, e.g. ``idempotency_key("shopify", "order", "1001")``."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
