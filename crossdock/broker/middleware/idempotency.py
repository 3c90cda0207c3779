"""Idempotency: a step processes each idempotency key at most once.

Before the step runs, the middleware opens a transaction and inserts the mark (step, key) with
insert-or-ignore. If the mark already exists the message is acknowledged and skipped
(``SkipMessage``; the journal records a duplicate). Otherwise the transaction stays open while the
step runs; the step writes its effects through it (``current_hop().claim.connection``), and it is
committed after a success, together with the journal row, or rolled back on any failure. A worker
killed mid-message therefore leaves neither effect nor mark, and the redelivered message runs again.

A step without database effects of its own may be declared ``group_commit=True``: its mark and journal
row are then committed with other hops' in one transaction after the step (see
:mod:`crossdock.broker.group_commit`), still before the message is acknowledged. Such a step has no
claim transaction to write through (``claim.connection`` raises). On RabbitMQ the worker thread does
not wait for that commit: the consumer acknowledges the message once its batch committed (see
:class:`~crossdock.broker.rabbitmq.CrossdockRabbitmqBroker`); on a broker without that, it waits.

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
        return {"idempotent", "group_commit"}

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        options = broker.get_actor(message.actor_name).options
        if not options.get("idempotent", True):
            return
        hop = hops.hop_for(message)
        key = hop.envelope.idempotency_key
        claim_batched = getattr(self.store, "claim_batched", None) if options.get("group_commit", False) else None
        try:
            if claim_batched is not None:
                claim = claim_batched(message.actor_name, key, hop.message_id, marked=hop.marked)
            else:
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
        commit_later = getattr(claim, "commit_later", None) if getattr(broker, "acks_after_commit", False) else None
        if commit_later is not None:
            # The broker's consumer acknowledges the message once the batch committed (or dead-letters
            # it if the commit fails); this worker thread goes on with its next message meanwhile.
            hop.deferred = commit_later()
            return
        try:
            claim.commit()
            if getattr(claim, "duplicate", False):  # a batched claim lost to a concurrent delivery
                hop.outcome = HopStatus.DUPLICATE
                hop.after_commit.clear()
        except Exception:
            hop.after_commit.clear()
            # The effect is not committed, so acknowledging would lose it: reject to the dead-letter
            # queue instead (RabbitMQ keeps it; `crossdock dlq replay` runs it again).
            logger.exception("Commit of step %s failed; dead-lettering message %s", hop.step, hop.message_id)
            hop.outcome = HopStatus.DEAD_LETTERED
            hop.error = "commit of the step's transaction failed"
            message.fail()
            return
        hops.run_after_commit(hop)
