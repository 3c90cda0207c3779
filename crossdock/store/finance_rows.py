"""Tables of the finance flow: settlements and their lines (with lineage: file and line), each
order's expected-against-paid result, journal postings, crossdock's record of order amounts, returns
and the inventory adjustments they cause.

Amounts are stored exactly, as integers of 1/10,000 of the currency unit (``*_e4`` columns), so sums
in SQL are exact on SQLite too (it has no decimal type)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossdock.store.base import Base, BigId, UtcDateTime

CHANNEL = 32
SETTLEMENT_ID = 100
ORDER_ID = 100


class SettlementRow(Base):
    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("channel", "settlement_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    settlement_id: Mapped[str] = mapped_column(String(SETTLEMENT_ID))
    currency: Mapped[str] = mapped_column(String(3))
    total_e4: Mapped[int] = mapped_column(BigInteger)
    """The deposit as the marketplace reports it: the paid net."""
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    deposit_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SettlementLineRow(Base):
    __tablename__ = "settlement_lines"
    __table_args__ = (
        UniqueConstraint("channel", "settlement_id", "line_id"),
        Index("ix_settlement_lines_channel_settlement_id_order_id", "channel", "settlement_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    settlement_id: Mapped[str] = mapped_column(String(SETTLEMENT_ID))
    line_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[str | None] = mapped_column(String(ORDER_ID))
    amount_e4: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    description: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    line_no: Mapped[int] = mapped_column(Integer)
    matched: Mapped[bool] = mapped_column(Boolean)
    """The line's order is one crossdock knows (``channel_order`` cross-reference), or the line is the
    settlement's own (reserve, subscription fee)."""
    posting_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    """The journal entry's reference once posted; ``NULL`` until then."""


class SettlementOrderRow(Base):
    """One order's expected against paid in one settlement (recomputed on each import)."""

    __tablename__ = "settlement_orders"
    __table_args__ = (UniqueConstraint("channel", "settlement_id", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    settlement_id: Mapped[str] = mapped_column(String(SETTLEMENT_ID))
    order_id: Mapped[str] = mapped_column(String(ORDER_ID))
    expected_e4: Mapped[int] = mapped_column(BigInteger)
    paid_e4: Mapped[int] = mapped_column(BigInteger)
    explanation: Mapped[str | None] = mapped_column(Text)


class SettlementPostingRow(Base):
    """A journal entry posted to the ERP for a batch of a settlement's lines; ``reference`` is unique."""

    __tablename__ = "settlement_postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    settlement_id: Mapped[str] = mapped_column(String(SETTLEMENT_ID))
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    document_no: Mapped[str] = mapped_column(String(40))
    net_e4: Mapped[int] = mapped_column(BigInteger)
    line_count: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FinanceOrderRow(Base):
    """crossdock's own record of what an order was worth, written when the order is booked."""

    __tablename__ = "finance_orders"
    __table_args__ = (UniqueConstraint("channel", "order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    order_id: Mapped[str] = mapped_column(String(ORDER_ID))
    currency: Mapped[str] = mapped_column(String(3))
    principal_e4: Mapped[int] = mapped_column(BigInteger)
    shipping_e4: Mapped[int] = mapped_column(BigInteger)
    tax_e4: Mapped[int] = mapped_column(BigInteger)
    units_e4: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReturnRow(Base):
    """One return's state (``crossdock.canonical.finance.returns_flow``), whatever order its events came in."""

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("channel", "rma_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL))
    rma_number: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[str | None] = mapped_column(String(ORDER_ID))
    status: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InventoryAdjustmentRow(Base):
    """Units a return puts back (available) or aside (damaged), for the inventory flow to pick up."""

    __tablename__ = "inventory_adjustments"
    __table_args__ = (UniqueConstraint("source", "sku", "location"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    """What caused it: ``return:<channel>:<rma>``."""
    sku: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(40))
    quantity_e4: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
