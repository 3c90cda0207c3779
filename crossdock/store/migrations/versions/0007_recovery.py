"""Recovery: exception items keep their step's idempotency key, a code and a channel, and a history of
attempts; dead letters are journaled in the store (they outlive the broker's copy).

Revision ID: 0007_recovery
Revises: 0003
Create Date: 2026-12-07 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_recovery"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("exception_items") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("code", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=100), nullable=True))
    op.create_index(op.f("ix_exception_items_idempotency_key"), "exception_items", ["idempotency_key"], unique=False)
    op.create_index(op.f("ix_exception_items_code"), "exception_items", ["code"], unique=False)
    op.create_index(op.f("ix_exception_items_channel"), "exception_items", ["channel"], unique=False)
    # Items parked before this revision: their key is on the parked hop's journal row.
    op.execute(
        "UPDATE exception_items SET idempotency_key = (SELECT MAX(j.idempotency_key) FROM journal j "
        "WHERE j.message_id = exception_items.message_id AND j.actor = exception_items.actor), "
        "code = error_class WHERE message_id IS NOT NULL"
    )

    op.create_table(
        "exception_attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["exception_items.id"],
            name=op.f("fk_exception_attempts_item_id_exception_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_attempts")),
    )
    op.create_index(op.f("ix_exception_attempts_item_id"), "exception_attempts", ["item_id"], unique=False)

    op.create_table(
        "dead_letters",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_type", sa.String(length=200), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("raw_payload_id", BIG_ID, nullable=False),
        sa.Column("dead_lettered_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("acted_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_payload_id"], ["raw_payloads.id"], name=op.f("fk_dead_letters_raw_payload_id_raw_payloads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("message_id", name=op.f("uq_dead_letters_message_id")),
    )
    op.create_index(op.f("ix_dead_letters_status"), "dead_letters", ["status"], unique=False)
    op.create_index(op.f("ix_dead_letters_dead_lettered_at"), "dead_letters", ["dead_lettered_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dead_letters_dead_lettered_at"), table_name="dead_letters")
    op.drop_index(op.f("ix_dead_letters_status"), table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_index(op.f("ix_exception_attempts_item_id"), table_name="exception_attempts")
    op.drop_table("exception_attempts")
    op.drop_index(op.f("ix_exception_items_channel"), table_name="exception_items")
    op.drop_index(op.f("ix_exception_items_code"), table_name="exception_items")
    op.drop_index(op.f("ix_exception_items_idempotency_key"), table_name="exception_items")
    with op.batch_alter_table("exception_items") as batch:
        batch.drop_column("channel")
        batch.drop_column("code")
        batch.drop_column("idempotency_key")
