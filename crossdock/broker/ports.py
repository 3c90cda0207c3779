"""What the middleware needs from the message store, as Protocols.

The SQL implementation adapts :mod:`crossdock.store` (see :mod:`crossdock.broker.sql_store`); unit
tests use an in-memory fake with the same interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

# The journal's statuses are the middleware's: one enum, re-exported here.
from crossdock.store.journal import HopStatus as HopStatus


@dataclass(frozen=True, slots=True)
class HopRecord:
    """One journal row: what happened to one message at one step."""

    message_id: str
    step: str
    queue: str
    status: HopStatus
    received_at: datetime
    finished_at: datetime | None
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None
    document_type: str | None = None
    source: str | None = None
    payload_sha256: str | None = None
    raw_payload: bytes | None = None
    """Only for the first hop (no causation id): the bytes as they entered crossdock."""
    retries: int = 0
    error: str | None = None
    business_keys: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DeadLetterRecord:
    """A dead-lettered message as the store journals it (it outlives the broker's copy)."""

    message_id: str
    queue: str
    actor: str | None
    reason: str
    body: bytes
    """The Dramatiq message as it went to the dead-letter queue: what a replay sends."""
    error: str | None = None
    error_type: str | None = None
    retries: int = 0
    business_key: str | None = None
    idempotency_key: str | None = None
    correlation_id: str | None = None
    dead_lettered_at: datetime | None = None


class Claim(Protocol):
    """An open database transaction that holds the idempotency mark of one (step, key).

    The step writes its own effects through :attr:`connection`, so the effect and the mark commit
    together or not at all (a worker killed mid-message leaves neither).
    """

    @property
    def connection(self) -> Any: ...

    def record(self, hop: HopRecord) -> None:
        """Add a journal row inside this transaction."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class MessageStore(Protocol):
    def claim(self, step: str, key: str, message_id: str) -> Claim | None:
        """Open a transaction and insert-or-ignore the mark; ``None`` when (step, key) is already processed."""

    def record(self, hop: HopRecord) -> None:
        """Write one journal row in its own transaction."""

    def open_exception(
        self, hop: HopRecord, *, owner: str, reason: str, key: str | None, code: str | None = None
    ) -> int | None:
        """Open an exception work item for a person, or add the attempt to the one open for the same
        step and idempotency key (and journal the hop as parked); the item's id when known."""

    def record_dead_letter(self, letter: DeadLetterRecord) -> None:
        """Journal a dead letter in the store (``crossdock dlq`` reads it after the broker's copy expired)."""

