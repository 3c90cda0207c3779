"""Finance: settlements, their lines with lineage, per-order results, journal postings, order amounts,
returns and the inventory adjustments they cause.

Revision ID: 0010_finance
Revises: 0008_outbox
Create Date: 2026-12-07 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_finance"
down_revision: str | None = "0008_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "settlements",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("settlement_id", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_e4", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("deposit_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("imported_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
        sa.UniqueConstraint("channel", "settlement_id", name=op.f("uq_settlements_channel_settlement_id")),
    )
    op.create_table(
        "settlement_lines",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("settlement_id", sa.String(length=100), nullable=False),
        sa.Column("line_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("amount_e4", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("posted_at", TIMESTAMP, nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("posting_ref", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_lines")),
        sa.UniqueConstraint(
            "channel", "settlement_id", "line_id", name=op.f("uq_settlement_lines_channel_settlement_id_line_id")
        ),
    )
    op.create_index(
        "ix_settlement_lines_channel_settlement_id_order_id",
        "settlement_lines",
        ["channel", "settlement_id", "order_id"],
        unique=False,
    )
    op.create_index(op.f("ix_settlement_lines_posting_ref"), "settlement_lines", ["posting_ref"], unique=False)
    op.create_table(
        "settlement_orders",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("settlement_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("expected_e4", sa.BigInteger(), nullable=False),
        sa.Column("paid_e4", sa.BigInteger(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_orders")),
        sa.UniqueConstraint(
            "channel", "settlement_id", "order_id", name=op.f("uq_settlement_orders_channel_settlement_id_order_id")
        ),
    )
    op.create_table(
        "settlement_postings",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("settlement_id", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("document_no", sa.String(length=40), nullable=False),
        sa.Column("net_e4", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("posted_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_postings")),
        sa.UniqueConstraint("reference", name=op.f("uq_settlement_postings_reference")),
    )
    op.create_table(
        "finance_orders",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("principal_e4", sa.BigInteger(), nullable=False),
        sa.Column("shipping_e4", sa.BigInteger(), nullable=False),
        sa.Column("tax_e4", sa.BigInteger(), nullable=False),
        sa.Column("units_e4", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_orders")),
        sa.UniqueConstraint("channel", "order_id", name=op.f("uq_finance_orders_channel_order_id")),
    )
    op.create_table(
        "returns",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("rma_number", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("channel", "rma_number", name=op.f("uq_returns_channel_rma_number")),
    )
    op.create_index(op.f("ix_returns_status"), "returns", ["status"], unique=False)
    op.create_table(
        "inventory_adjustments",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("quantity_e4", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_adjustments")),
        sa.UniqueConstraint("source", "sku", "location", name=op.f("uq_inventory_adjustments_source_sku_location")),
    )


def downgrade() -> None:
    op.drop_table("inventory_adjustments")
    op.drop_index(op.f("ix_returns_status"), table_name="returns")
    op.drop_table("returns")
    op.drop_table("finance_orders")
    op.drop_table("settlement_postings")
    op.drop_table("settlement_orders")
    op.drop_index(op.f("ix_settlement_lines_posting_ref"), table_name="settlement_lines")
    op.drop_index("ix_settlement_lines_channel_settlement_id_order_id", table_name="settlement_lines")
    op.drop_table("settlement_lines")
    op.drop_table("settlements")
