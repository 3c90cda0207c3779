"""Idempotency: a step processes each idempotency key at most once.

Before the step runs, the middleware opens a transaction and inserts the mark (step, key) with
insert-or-ignore. If the mark already exists the message is acknowledged and skipped
(``SkipMessage``; the journal records a duplicate). Otherwise the transaction stays open while the
step runs; the step writes its effects through it (``current_hop().claim.connection``), and it is
committed after a success, together with the journal row, or rolled back on any failure. A worker
killed mid-message therefore leaves neither effect nor mark, and the redelivered message runs again.

A store failure raises :class:`StoreUnavailableError` (a ``MiddlewareError``), so Dramatiq does not run the
step; the error policy retries the message.
"""

from __future__ import annotations

import logging
from typing import Any

from dramatiq.broker import Broker, MessageProxy
from dramatiq.middleware import Middleware, SkipMessage

from crossdock.broker import hop as hops
from crossdock.broker.middleware.errors import StoreUnavailableError
from crossdock.broker.ports import HopStatus, MessageStore

logger = logging.getLogger(__name__)


class DuplicateMessage(SkipMessage):
    """The step already processed this idempotency key."""


class Idempotency(Middleware):
    def __init__(self, store: MessageStore) -> None:
        self.store = store

    @property
    def actor_options(self) -> set[str]:
        return {"idempotent"}

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        options = broker.get_actor(message.actor_name).options
        if not options.get("idempotent", True):
            return
        hop = hops.hop_for(message)
        key = hop.envelope.idempotency_key
        try:
            claim = self.store.claim(message.actor_name, key, hop.message_id)
        except Exception as exc:
            raise StoreUnavailableError(f"idempotency store failed for step {message.actor_name}: {exc}") from exc
        if claim is None:
            hop.outcome = HopStatus.DUPLICATE
            raise DuplicateMessage(f"step {message.actor_name} already processed idempotency key {key}")
        hop.claim = claim

    def after_process_message(
        self, broker: Broker, message: MessageProxy, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        hop = hops.peek_hop(message)
        if hop is None or hop.claim is None:
            return
        if exception is not None:
            hop.abort()
            return
        claim, hop.claim = hop.claim, None
        try:
            claim.commit()
        except Exception:
            # The effect is not committed, so acknowledging would lose it: reject to the dead-letter
            # queue instead (RabbitMQ keeps it; `crossdock dlq replay` runs it again).
            logger.exception("Commit of step %s failed; dead-lettering message %s", hop.step, hop.message_id)
            hop.outcome = HopStatus.DEAD_LETTERED
            hop.error = "commit of the step's transaction failed"
            message.fail()
