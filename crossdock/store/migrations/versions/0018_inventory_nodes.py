"""Inventory: 947 adjustments applied to on hand, one row per adjustment key, SKU and location.

Revision ID: 0018_inventory_nodes
Revises: 0014_invoices
Create Date: 2026-12-07 18:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_inventory_nodes"
down_revision: str | None = "0014_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inventory_stock_adjustments",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", "sku", "location", name=op.f("pk_inventory_stock_adjustments")),
    )


def downgrade() -> None:
    op.drop_table("inventory_stock_adjustments")
