"""Order lifecycle: each order's stage, state and current version, its lines' quantities, its timeline.

Revision ID: 0013_order_state
Revises: 0012_inventory
Create Date: 2026-12-07 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_order_state"
down_revision: str | None = "0012_inventory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "order_states",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", TIMESTAMP, nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=True),
        sa.Column("erp_order_no", sa.String(length=200), nullable=True),
        sa.Column("document", sa.JSON(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", name=op.f("pk_order_states")),
    )
    op.create_index(op.f("ix_order_states_state"), "order_states", ["state"], unique=False)
    op.create_table(
        "order_state_lines",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("line_number", sa.String(length=200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("ordered_e4", sa.BigInteger(), nullable=False),
        sa.Column("cancelled_e4", sa.BigInteger(), nullable=False),
        sa.Column("shipped_e4", sa.BigInteger(), nullable=False),
        sa.Column("invoiced_e4", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", "line_number", name=op.f("pk_order_state_lines")),
    )
    op.create_table(
        "order_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index("ix_order_events_order", "order_events", ["channel", "external_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_order_events_order", table_name="order_events")
    op.drop_table("order_events")
    op.drop_table("order_state_lines")
    op.drop_index(op.f("ix_order_states_state"), table_name="order_states")
    op.drop_table("order_states")
