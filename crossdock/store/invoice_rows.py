"""The invoicing table: each order as it was booked in the ERP, what its invoices are priced from.
Imported by :mod:`crossdock.store.models` so the schema (and the migration check) includes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossdock.store.base import Base, UtcDateTime

NAME = 200


class BookedOrderRow(Base):
    """The canonical order (JSON) booked as ERP sales order ``erp_order_no``; ``updated_at`` moves when a
    change to the order is booked."""

    __tablename__ = "booked_orders"

    erp_order_no: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    order_ref: Mapped[str] = mapped_column(String(NAME), index=True)
    document: Mapped[str] = mapped_column(Text)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
