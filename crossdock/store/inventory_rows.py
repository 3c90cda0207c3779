"""The inventory tables: the inputs of availability (with their versions), reservations, and per channel
and SKU what was computed and what the channel was last told. Imported by :mod:`crossdock.store.models`
so the schema (and the migration check) includes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crossdock.store.base import Base, UtcDateTime

SKU = 100
NAME = 200


class InventoryStockRow(Base):
    """On hand per SKU and location, as of ``as_of`` / ``sequence`` (the newest version applied)."""

    __tablename__ = "inventory_stock"

    sku: Mapped[str] = mapped_column(String(SKU), primary_key=True)
    location: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(NAME))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InventoryReservationRow(Base):
    """Units held for one order line (0 once released) and units of it shipped, as of ``as_of`` /
    ``sequence``."""

    __tablename__ = "inventory_reservations"

    order_ref: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    line: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    sku: Mapped[str] = mapped_column(String(SKU), index=True)
    location: Mapped[str] = mapped_column(String(NAME))
    quantity: Mapped[int] = mapped_column(BigInteger)
    shipped: Mapped[int] = mapped_column(BigInteger, default=0)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)
    sequence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StockAdjustmentRow(Base):
    """A 947 adjustment line applied to on hand, once per ``key`` (``947:<partner>:<interchange>:<set>``),
    SKU and location: a replay finds its row and changes nothing. ``on_hand`` is the figure it made."""

    __tablename__ = "inventory_stock_adjustments"

    key: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    sku: Mapped[str] = mapped_column(String(SKU), primary_key=True)
    location: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    delta: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(8))
    on_hand: Mapped[int] = mapped_column(BigInteger)
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)


class InventoryChannelRow(Base):
    """Per channel and SKU: the quantity last computed (and when its input changed), and the quantity
    the channel was last told (and when). ``computed != told`` is a push still owed."""

    __tablename__ = "inventory_channels"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(SKU), primary_key=True)
    computed: Mapped[int] = mapped_column(BigInteger)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    told: Mapped[int | None] = mapped_column(BigInteger)
    told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pushes: Mapped[int] = mapped_column(Integer, default=0)
