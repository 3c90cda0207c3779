"""The database schema: one mapped class per table. Repositories (journal.py, raw.py, ...) own the
queries; Alembic migrations under ``migrations/`` must match these models exactly (a test checks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossdock.store.base import Base, BigId, UtcDateTime
from crossdock.store.inventory_rows import (
    InventoryChannelRow,
    InventoryReservationRow,
    InventoryStockRow,
    StockAdjustmentRow,
)
from crossdock.store.invoice_rows import BookedOrderRow
from crossdock.store.order_rows import OrderEventRow, OrderLineStateRow, OrderStateRow

__all__ = [
    "AuditRow",
    "Base",
    "BookedOrderRow",
    "ControlNumberRow",
    "DeadLetterRow",
    "DocumentLinkRow",
    "ExceptionAttemptRow",
    "ExceptionItemRow",
    "ExceptionNoteRow",
    "IdempotencyRow",
    "InventoryChannelRow",
    "InventoryReservationRow",
    "InventoryStockRow",
    "StockAdjustmentRow",
    "JournalRow",
    "MessageKeyRow",
    "OrderEventRow",
    "OrderLineStateRow",
    "OrderStateRow",
    "OutboxDeliveryRow",
    "OutboxRow",
    "RawPayloadRow",
    "SchedulerRunRow",
]

MESSAGE_ID = 64
NAME = 200


class RawPayloadRow(Base):
    """Raw bytes exactly as received or sent: inbound EDI files, webhook bodies, SOAP replies."""

    __tablename__ = "raw_payloads"
    __table_args__ = (
        Index("ix_raw_payloads_source_name_sha256", "source", "name", "sha256"),
        Index("ix_raw_payloads_sender_interchange", "sender", "interchange_control"),
        Index("ux_raw_payloads_file_key", "file_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(NAME))
    name: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(100))
    sender: Mapped[str | None] = mapped_column(String(100))
    interchange_control: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    file_key: Mapped[str | None] = mapped_column(String(64))
    """Set by ``RawStore.put_once`` only: one row per (source, name, sha256), enforced by a unique index."""
    warning: Mapped[str | None] = mapped_column(Text)
    """Something a person should know about this payload that did not stop it (an ISA13 reused)."""


class JournalRow(Base):
    """One row per hop event of one message (received, succeeded, failed, ...). Append-only."""

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID), index=True)
    correlation_id: Mapped[str] = mapped_column(String(MESSAGE_ID), index=True)
    causation_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    idempotency_key: Mapped[str | None] = mapped_column(String(NAME))
    actor: Mapped[str] = mapped_column(String(NAME))
    queue: Mapped[str] = mapped_column(String(NAME))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
    error_class: Mapped[str | None] = mapped_column(String(NAME))
    error_message: Mapped[str | None] = mapped_column(Text)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    raw_payload_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payloads.id"))


class MessageKeyRow(Base):
    """Business keys a message carries (order id, PO number, tracking number, ISA13 ...), indexed
    by value so ``trace(key)`` is a lookup, not a scan."""

    __tablename__ = "message_keys"

    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(NAME), primary_key=True, index=True)
    correlation_id: Mapped[str] = mapped_column(String(MESSAGE_ID), index=True)


class IdempotencyRow(Base):
    """A step's claim on an idempotency key: ``in_progress`` under a lease, then ``done``."""

    __tablename__ = "idempotency_keys"

    step: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    key: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentLinkRow(Base):
    """An undirected link between two business documents (or lines of them). Stored with the smaller
    end first so each link exists once."""

    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("a_type", "a_id", "a_line", "b_type", "b_id", "b_line"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    a_type: Mapped[str] = mapped_column(String(50))
    a_id: Mapped[str] = mapped_column(String(NAME), index=True)
    a_line: Mapped[str] = mapped_column(String(50))
    b_type: Mapped[str] = mapped_column(String(50))
    b_id: Mapped[str] = mapped_column(String(NAME), index=True)
    b_line: Mapped[str] = mapped_column(String(50))
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ControlNumberRow(Base):
    """The last X12 control number handed out per trading partner and kind (isa, gs, st)."""

    __tablename__ = "control_numbers"

    partner: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """One outbound X12 document exactly as it leaves: recorded in the step's transaction with the
    control numbers it holds, delivered from here after that commit (see ``crossdock.store.outbox``)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_partner_interchange", "partner", "isa_control"),
        Index("ux_outbox_file_name", "partner", "file_name", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    partner: Mapped[str] = mapped_column(String(100))
    set_id: Mapped[str] = mapped_column(String(8))
    isa_control: Mapped[int] = mapped_column(BigInteger)
    gs_control: Mapped[int | None] = mapped_column(BigInteger)
    st_control: Mapped[int | None] = mapped_column(BigInteger)
    """The first group's GS06 and its first set's ST02 (``None`` in an interchange holding only a TA1)."""
    file_name: Mapped[str] = mapped_column(String(NAME))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    business_keys: Mapped[dict[str, str] | None] = mapped_column(JSON)
    step: Mapped[str | None] = mapped_column(String(NAME))
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    swept_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the sweeper last sent this row to delivery again (so several sweepers send it once)."""
    held: Mapped[str | None] = mapped_column(Text)
    """Why delivery stopped for a person to look (another file under its name); the sweeper skips it."""


class OutboxDeliveryRow(Base):
    """An outbox document delivered: written once, after the file is in place."""

    __tablename__ = "outbox_deliveries"

    outbox_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id"), primary_key=True)
    delivered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    location: Mapped[str] = mapped_column(String(1000))


class ExceptionItemRow(Base):
    """A business error waiting for a person: open, then resolved or ignored."""

    __tablename__ = "exception_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    business_key: Mapped[str | None] = mapped_column(String(NAME), index=True)
    error_class: Mapped[str] = mapped_column(String(NAME))
    error_message: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID), index=True)
    correlation_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    actor: Mapped[str | None] = mapped_column(String(NAME))
    queue: Mapped[str | None] = mapped_column(String(NAME))
    raw_payload_id: Mapped[int | None] = mapped_column(ForeignKey("raw_payloads.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(NAME))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(NAME), index=True)
    """The parked message's key: a later hop of the same step and key re-parks into (or resolves) this item."""
    code: Mapped[str | None] = mapped_column(String(100), index=True)
    """What went wrong, for filters: the ERP fault code (``ITEM_NOT_FOUND``) or the error class."""
    channel: Mapped[str | None] = mapped_column(String(100), index=True)
    """Where the order came from (``shopify``, ``edi``) or the inbound source's partner."""


class ExceptionAttemptRow(Base):
    """An item's history: each park, replay, reprocess and the hop that finally succeeded. Append-only."""

    __tablename__ = "exception_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("exception_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    who: Mapped[str | None] = mapped_column(String(NAME))
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    detail: Mapped[str | None] = mapped_column(Text)


class DeadLetterRow(Base):
    """A dead letter as the worker journaled it: it outlives the broker's copy (which expires)."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    queue: Mapped[str] = mapped_column(String(NAME))
    actor: Mapped[str | None] = mapped_column(String(NAME))
    reason: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    error_type: Mapped[str | None] = mapped_column(String(NAME))
    retries: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(NAME))
    idempotency_key: Mapped[str | None] = mapped_column(String(NAME))
    correlation_id: Mapped[str | None] = mapped_column(String(MESSAGE_ID))
    raw_payload_id: Mapped[int] = mapped_column(ForeignKey("raw_payloads.id"))
    """The Dramatiq message body as it was dead-lettered (what a replay sends)."""
    dead_lettered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acted_by: Mapped[str | None] = mapped_column(String(NAME))


class ExceptionNoteRow(Base):
    __tablename__ = "exception_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("exception_items.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(NAME))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditRow(Base):
    """Who did what, when: replays, purges, manual resolutions."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    who: Mapped[str] = mapped_column(String(NAME))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str] = mapped_column(String(500), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchedulerRunRow(Base):
    """One run of a scheduled job: its slot (the fire time the schedule gave it) is claimed once, so a
    slot runs once however many ``crossdock scheduler`` processes are alive."""

    __tablename__ = "scheduler_runs"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job: Mapped[str] = mapped_column(String(NAME))
    slot: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    host: Mapped[str] = mapped_column(String(NAME))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
