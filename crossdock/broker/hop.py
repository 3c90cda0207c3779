"""The context of the message a worker thread is processing now: one *hop*.

The correlation middleware builds it (the message parsed once: the envelope validated, the document
kept as JSON data for the step runner; the payload, business keys, timings). The hop lifecycle
(:mod:`crossdock.broker.middleware.lifecycle`) is the only writer of its two mutable fields: ``claim``,
the open transaction the step writes its effects through (the step runner,
:func:`crossdock.actors.steps.run_step`, hands it to the handler in its step context), and ``outcome``,
which the metrics middleware reads after the settle. It lives on the message proxy, and in a context
variable while the step runs: the step runner is the one reader of that variable in the flows.
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
from crossdock.broker.ports import Claim, HopRecord, HopStatus
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
    document: object = None
    """The message's document as JSON data, parsed with the envelope (the step runner validates it as
    its canonical class: the payload is parsed once per hop)."""
    claim: Claim | None = None
    """The open idempotency claim while the step runs (set and cleared by the hop lifecycle)."""
    outcome: HopStatus | None = None
    """What became of the hop (set by the hop lifecycle when it settles)."""
    after_commit: list[Callable[[], object]] = field(default_factory=list)
    """What the step asked to do once its transaction committed (send the delivery of an outbox row):
    run by the hop lifecycle after the commit, dropped when the claim rolls back."""
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

    def record(self, status: HopStatus, retries: int, error: str | None = None, *, raw: bool = False) -> HopRecord:
        """This hop's journal row, finished now; the raw payload goes with a first hop (or with ``raw``)."""
        envelope = self.envelope
        return HopRecord(
            message_id=self.message_id,
            step=self.step,
            queue=self.queue,
            status=status,
            received_at=self.received_at,
            finished_at=datetime.now(UTC),
            correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id,
            idempotency_key=envelope.idempotency_key,
            document_type=envelope.document_type,
            source=envelope.source,
            payload_sha256=self.payload_sha256,
            raw_payload=self.payload if raw or self.first_hop else None,
            retries=retries,
            error=error,
            business_keys=self.business_keys,
        )


def run_after_commit(hop: Hop) -> None:
    """Run what the step asked to do after its commit; a failure is logged, never raised (the commit
    stands: what was not sent is found again by whoever sweeps for it)."""
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
        document=document,
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
