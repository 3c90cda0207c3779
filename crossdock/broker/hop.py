"""The context of the message a worker thread is processing now: one *hop*.

Middleware share it (correlation ids, the open idempotency claim, the outcome the error policy
chose, timings); a step reaches it through :func:`current_hop` to write its effect in the claim's
transaction. It lives on the message proxy, and in a context variable while the step runs.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dramatiq.broker import MessageProxy

from crossdock.broker import codec
from crossdock.broker.middleware.errors import MessageRejectedError
from crossdock.broker.ports import Claim, DeferredCommit, HopStatus
from crossdock.canonical.envelope import Envelope

logger = logging.getLogger(__name__)
_ATTRIBUTE = "_crossdock_hop"
_current: ContextVar[Hop | None] = ContextVar("crossdock_hop", default=None)


@dataclass(slots=True)
class Hop:
    dramatiq_id: str
    step: str
    queue: str
    envelope: Envelope
    payload: bytes
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.perf_counter)
    business_keys: tuple[tuple[str, str], ...] = ()
    claim: Claim | None = None
    marked: bool | None = None
    """Whether the consumer's prefetch check found the key already processed (``None``: not checked)."""
    deferred: DeferredCommit | None = None
    """A group-commit hop whose batch is still committing: the consumer acknowledges the message from
    its ``then`` callback (see :class:`~crossdock.broker.rabbitmq.CrossdockRabbitmqBroker`)."""
    outcome: HopStatus | None = None
    error: str | None = None
    after_commit: list[Callable[[], object]] = field(default_factory=list)
    """What the step asked to do once its transaction committed (send the delivery of an outbox
    row): run by the idempotency middleware after the commit, dropped on a rollback."""
    _sha256: str | None = None

    @property
    def message_id(self) -> str:
        """The envelope's message id (crossdock's senders make the Dramatiq message id the same)."""
        return self.envelope.message_id

    @property
    def payload_sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.payload).hexdigest()
        return self._sha256

    @property
    def first_hop(self) -> bool:
        return self.envelope.causation_id is None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def abort(self) -> None:
        """Roll back the claim's transaction, if one is open (the step's effects go with it)."""
        claim, self.claim = self.claim, None
        self.after_commit.clear()
        if claim is not None:
            claim.rollback()


def run_after_commit(hop: Hop) -> None:
    """Run what the step asked to do after its commit; a failure is logged, never raised (the
    commit stands: what was not sent is found again by whoever sweeps for it)."""
    callbacks, hop.after_commit = hop.after_commit, []
    for callback in callbacks:
        try:
            callback()
        except Exception:
            logger.exception("step %s: an action after the commit of message %s failed", hop.step, hop.message_id)


def hop_for(message: MessageProxy) -> Hop:
    """The hop of ``message``, built on first use; raises :class:`MessageRejectedError` for garbage."""
    hop: Hop | None = getattr(message, _ATTRIBUTE, None)
    if hop is not None:
        return hop
    payload: Any = message.args[0] if len(message.args) == 1 and not message.kwargs else None
    if payload is None:
        raise MessageRejectedError(
            f"actor {message.actor_name} got {len(message.args)} positional and {len(message.kwargs)} keyword "
            "arguments; crossdock messages carry exactly one: the envelope+document JSON text"
        )
    try:
        envelope, document = codec.read_envelope(payload)
    except codec.MessageDecodeError as exc:
        raise MessageRejectedError(exc.reason) from exc
    raw = payload.encode() if isinstance(payload, str) else bytes(payload)
    hop = Hop(
        message.message_id,
        message.actor_name,
        message.queue_name,
        envelope,
        raw,
        business_keys=tuple(codec.business_keys(document)),
    )
    object.__setattr__(message, _ATTRIBUTE, hop)
    return hop


def begin(message: MessageProxy) -> Hop:
    """The hop of ``message`` with its clock started now: the worker thread takes it up (the hop may
    have been built earlier, when the consumer checked its key with others')."""
    hop = hop_for(message)
    hop.received_at = datetime.now(UTC)
    hop.started = time.perf_counter()
    return hop


def count_option(options: dict[str, Any], name: str, default: int) -> int:
    """A non-negative integer message option (``retries``, ``max_retries`` ...); a missing or malformed
    one (another producer's garbage) reads as ``default``, so the error policy never fails on it."""
    value = options.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def peek_hop(message: MessageProxy) -> Hop | None:
    """The hop of ``message`` if one was built (a rejected message has none)."""
    return getattr(message, _ATTRIBUTE, None)


def enter(hop: Hop) -> None:
    _current.set(hop)


def leave() -> None:
    _current.set(None)


def current_hop() -> Hop:
    """The hop being processed by this thread; only valid inside a step."""
    hop = _current.get()
    if hop is None:
        raise LookupError("no crossdock message is being processed in this thread")
    return hop


def current_hop_or_none() -> Hop | None:
    return _current.get()
