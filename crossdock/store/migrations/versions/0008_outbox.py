"""The outbox: every outbound X12 document as it leaves (control numbers, file name, bytes, hash,
business keys), recorded in the step's transaction and delivered after it committed; one delivery
row per document once its file is in place.

Revision ID: 0008_outbox
Revises: 0011_scheduler
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_outbox"
down_revision: str | None = "0011_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("set_id", sa.String(length=8), nullable=False),
        sa.Column("isa_control", sa.BigInteger(), nullable=False),
        sa.Column("gs_control", sa.BigInteger(), nullable=True),
        sa.Column("st_control", sa.BigInteger(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("business_keys", sa.JSON(), nullable=True),
        sa.Column("step", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("swept_at", TIMESTAMP, nullable=True),
        sa.Column("held", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_created_at"), "outbox", ["created_at"], unique=False)
    op.create_index("ix_outbox_partner_interchange", "outbox", ["partner", "isa_control"], unique=False)
    op.create_index("ux_outbox_file_name", "outbox", ["partner", "file_name"], unique=True)
    op.create_table(
        "outbox_deliveries",
        sa.Column("outbox_id", BIG_ID, nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_deliveries_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_deliveries")),
    )


def downgrade() -> None:
    op.drop_table("outbox_deliveries")
    op.drop_index("ux_outbox_file_name", table_name="outbox")
    op.drop_index("ix_outbox_partner_interchange", table_name="outbox")
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox")
    op.drop_table("outbox")
