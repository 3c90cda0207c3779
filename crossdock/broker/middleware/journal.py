"""Journal: one row per hop with its outcome (succeeded, retried, dead_lettered, duplicate, failed),
received and finished timestamps, the payload's SHA-256, and the raw payload on the first hop.

A success is written inside the idempotency claim's transaction, so the mark, the step's effects and
the journal row commit together (one transaction per hop). Other outcomes are written in their own
transaction after the claim was rolled back. Parked hops (business errors) are journaled by the store
together with their exception work item. A journal failure never loses the message: on success it
fails the commit (see :mod:`.idempotency`), otherwise it is logged.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware

from crossdock.broker import hop as hops
from crossdock.broker.ports import HopRecord, HopStatus, MessageStore

logger = logging.getLogger(__name__)


def _record(message: MessageProxy, status: HopStatus, hop: hops.Hop | None) -> HopRecord:
    finished = datetime.now(UTC)
    retries = hops.count_option(message.options, "retries", 0)
    if hop is None:  # rejected before its envelope could be read
        raw = message.args[0] if message.args and isinstance(message.args[0], str) else repr(message.args)
        return HopRecord(
            message_id=message.message_id,
            step=message.actor_name,
            queue=message.queue_name,
            status=status,
            received_at=finished,
            finished_at=finished,
            correlation_id=message.options.get("correlation_id"),
            payload_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            raw_payload=raw.encode(),
            retries=retries,
            error=(message.options.get("dead_letter") or {}).get("error"),
        )
    envelope = hop.envelope
    return HopRecord(
        message_id=hop.message_id,
        step=hop.step,
        queue=hop.queue,
        status=status,
        received_at=hop.received_at,
        finished_at=finished,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.causation_id,
        idempotency_key=envelope.idempotency_key,
        document_type=envelope.document_type,
        source=envelope.source,
        payload_sha256=hop.payload_sha256,
        raw_payload=hop.payload if hop.first_hop else None,
        retries=retries,
        error=hop.error,
        business_keys=hop.business_keys,
    )


class Journal(Middleware):
    def __init__(self, store: MessageStore) -> None:
        self.store = store

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        hop = hops.peek_hop(message)
        if exception is None and hop is not None:
            hop.outcome = HopStatus.SUCCEEDED
            if hop.claim is not None:
                try:
                    hop.claim.record(_record(message, HopStatus.SUCCEEDED, hop))
                except Exception:
                    logger.exception("Journal write failed for %s; the hop will not be committed", hop.message_id)
                    hop.abort()
                    hop.outcome = HopStatus.DEAD_LETTERED
                    message.fail()
                return
            self._write(_record(message, HopStatus.SUCCEEDED, hop))
            return
        status = (hop.outcome if hop else None) or (
            HopStatus.DEAD_LETTERED if message.options.get("dead_letter") else HopStatus.FAILED
        )
        if status is HopStatus.PARKED:
            return
        self._write(_record(message, status, hop))

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        hop = hops.peek_hop(message)
        if hop is not None and hop.outcome is HopStatus.DUPLICATE:
            self._write(_record(message, HopStatus.DUPLICATE, hop))

    def _write(self, record: HopRecord) -> None:
        try:
            self.store.record(record)
        except Exception:
            logger.exception("Journal write failed for message %s (%s)", record.message_id, record.status)
