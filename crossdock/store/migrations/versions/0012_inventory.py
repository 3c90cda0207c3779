"""Inventory: on-hand inputs and reservations with their versions, per channel what was computed and told.

Revision ID: 0012_inventory
Revises: 0010_finance
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_inventory"
down_revision: str | None = "0010_finance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inventory_stock",
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("as_of", TIMESTAMP, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("sku", "location", name=op.f("pk_inventory_stock")),
    )
    op.create_table(
        "inventory_reservations",
        sa.Column("order_ref", sa.String(length=200), nullable=False),
        sa.Column("line", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("shipped", sa.BigInteger(), nullable=False),
        sa.Column("as_of", TIMESTAMP, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("order_ref", "line", name=op.f("pk_inventory_reservations")),
    )
    op.create_index(op.f("ix_inventory_reservations_sku"), "inventory_reservations", ["sku"], unique=False)
    op.create_table(
        "inventory_channels",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("computed", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("told", sa.BigInteger(), nullable=True),
        sa.Column("told_at", TIMESTAMP, nullable=True),
        sa.Column("pushes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "sku", name=op.f("pk_inventory_channels")),
    )
    op.create_index(op.f("ix_inventory_channels_computed_at"), "inventory_channels", ["computed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inventory_channels_computed_at"), table_name="inventory_channels")
    op.drop_table("inventory_channels")
    op.drop_index(op.f("ix_inventory_reservations_sku"), table_name="inventory_reservations")
    op.drop_table("inventory_reservations")
    op.drop_table("inventory_stock")
