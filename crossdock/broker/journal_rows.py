"""How a :class:`~crossdock.broker.ports.HopRecord` becomes the store's journal event and raw payload."""

from __future__ import annotations

import json

from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.store import JournalEvent
from crossdock.store.raw import NewPayload


def raw_payload(hop: HopRecord) -> NewPayload | None:
    """The first hop's bytes as the raw store keeps them (named by message id), or ``None``."""
    if hop.raw_payload is None:
        return None
    return NewPayload(
        hop.raw_payload,
        source=hop.source or "broker",
        name=hop.message_id,
        content_type="application/json",
        sha256=hop.payload_sha256,
    )


def journal_event(hop: HopRecord, raw_id: int | None) -> JournalEvent:
    error_class, _, error_message = (hop.error or "").partition(": ")
    if hop.status is HopStatus.PARKED:
        error_message = f"parked as an exception work item: {error_message}"
    return JournalEvent(
        message_id=hop.message_id,
        correlation_id=hop.correlation_id or hop.message_id,
        actor=hop.step,
        queue=hop.queue,
        status=hop.status,
        causation_id=hop.causation_id,
        idempotency_key=hop.idempotency_key,
        started_at=hop.received_at,
        finished_at=hop.finished_at,
        payload_sha256=hop.payload_sha256,
        error_class=error_class or None,
        error_message=error_message or None,
        retries=hop.retries,
        raw_payload_id=raw_id,
        business_keys=dict(hop.business_keys),
    )


def channel_of(payload: bytes | None) -> str | None:
    """Where a parked message's order came from, for ``exceptions list --channel``: an order's
    ``channel`` (``shopify``, ``edi``), or the partner of an inbound payload's source (``webhook:shopify``
    → ``shopify``, ``sftp:acme-retail`` → ``acme-retail``). Best effort: ``None`` when unknown."""
    try:
        document = json.loads(payload or b"null").get("document")
    except (ValueError, AttributeError):
        return None
    if not isinstance(document, dict):
        return None
    channel, source = document.get("channel"), document.get("source")
    if isinstance(channel, str) and channel:
        return channel[:100]
    if isinstance(source, str) and ":" in source:
        return source.partition(":")[2][:100] or None
    return None
