"""The order lifecycle tables: each order's stage, state and current version, its lines' quantities, and
the timeline of its transitions. Imported by :mod:`crossdock.store.models` so the schema (and the
migration check) includes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossdock.store.base import Base, BigId, UtcDateTime

CHANNEL = 64
NAME = 200


class OrderStateRow(Base):
    """One order (channel + its id there: the marketplace order id or the buyer's PO number)."""

    __tablename__ = "order_states"

    channel: Mapped[str] = mapped_column(String(CHANNEL), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The as-of time of the version applied (``Order.updated_at``)."""
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erp_order_no: Mapped[str | None] = mapped_column(String(NAME))
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The order's last whole version (the canonical Order as JSON), what the ERP and the 940 follow."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderLineStateRow(Base):
    """One line's quantities, in ten-thousandths (``*_e4``) like the finance tables."""

    __tablename__ = "order_state_lines"

    channel: Mapped[str] = mapped_column(String(CHANNEL), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    line_number: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(100))
    ordered_e4: Mapped[int] = mapped_column(BigInteger)
    cancelled_e4: Mapped[int] = mapped_column(BigInteger)
    shipped_e4: Mapped[int] = mapped_column(BigInteger)
    invoiced_e4: Mapped[int] = mapped_column(BigInteger)


class OrderEventRow(Base):
    """One entry of an order's timeline: a transition, or an event recorded and not applied."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "channel", "external_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    external_id: Mapped[str] = mapped_column(String(NAME))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    event: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(NAME))
    message_id: Mapped[str | None] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(String(NAME))
    """The document that caused it when it must count once (``shipment:<id>``, ``invoice:<id>``)."""
    note: Mapped[str | None] = mapped_column(Text)
