"""Invoicing: each order as it was booked in the ERP, what its invoices are priced from.

Revision ID: 0014_invoices
Revises: 0013_order_state
Create Date: 2026-12-07 17:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_invoices"
down_revision: str | None = "0013_order_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "booked_orders",
        sa.Column("erp_order_no", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("order_ref", sa.String(length=200), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("booked_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("erp_order_no", name=op.f("pk_booked_orders")),
    )
    op.create_index(op.f("ix_booked_orders_order_ref"), "booked_orders", ["order_ref"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_booked_orders_order_ref"), table_name="booked_orders")
    op.drop_table("booked_orders")
