"""Initial schema: journal, message keys, raw payloads, idempotency keys, document links, control numbers,
exception items and notes, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 03:02:39.672332
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision never changes with them.
TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_target"), "audit_log", ["target"], unique=False)

    op.create_table(
        "control_numbers",
        sa.Column("partner", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("partner", "kind", name=op.f("pk_control_numbers")),
    )
    op.create_table(
        "document_links",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("a_type", sa.String(length=50), nullable=False),
        sa.Column("a_id", sa.String(length=200), nullable=False),
        sa.Column("a_line", sa.String(length=50), nullable=False),
        sa.Column("b_type", sa.String(length=50), nullable=False),
        sa.Column("b_id", sa.String(length=200), nullable=False),
        sa.Column("b_line", sa.String(length=50), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_links")),
        sa.UniqueConstraint(
            "a_type",
            "a_id",
            "a_line",
            "b_type",
            "b_id",
            "b_line",
            name=op.f("uq_document_links_a_type_a_id_a_line_b_type_b_id_b_line"),
        ),
    )
    op.create_index(op.f("ix_document_links_a_id"), "document_links", ["a_id"], unique=False)
    op.create_index(op.f("ix_document_links_b_id"), "document_links", ["b_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("step", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("step", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "message_keys",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "kind", "value", name=op.f("pk_message_keys")),
    )
    op.create_index(op.f("ix_message_keys_correlation_id"), "message_keys", ["correlation_id"], unique=False)
    op.create_index(op.f("ix_message_keys_value"), "message_keys", ["value"], unique=False)

    op.create_table(
        "raw_payloads",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("sender", sa.String(length=100), nullable=True),
        sa.Column("interchange_control", sa.String(length=20), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_payloads")),
    )
    op.create_index(
        "ix_raw_payloads_sender_interchange", "raw_payloads", ["sender", "interchange_control"], unique=False
    )
    op.create_index(op.f("ix_raw_payloads_sha256"), "raw_payloads", ["sha256"], unique=False)
    op.create_index("ix_raw_payloads_source_name_sha256", "raw_payloads", ["source", "name", "sha256"], unique=False)

    op.create_table(
        "exception_items",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("error_class", sa.String(length=200), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("queue", sa.String(length=200), nullable=True),
        sa.Column("raw_payload_id", BIG_ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_payload_id"], ["raw_payloads.id"], name=op.f("fk_exception_items_raw_payload_id_raw_payloads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_items")),
    )
    op.create_index(op.f("ix_exception_items_business_key"), "exception_items", ["business_key"], unique=False)
    op.create_index(op.f("ix_exception_items_message_id"), "exception_items", ["message_id"], unique=False)
    op.create_index(op.f("ix_exception_items_owner"), "exception_items", ["owner"], unique=False)
    op.create_index(op.f("ix_exception_items_status"), "exception_items", ["status"], unique=False)

    op.create_table(
        "journal",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=False),
        sa.Column("causation_id", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("queue", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("payload_sha256", sa.String(length=64), nullable=True),
        sa.Column("error_class", sa.String(length=200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("raw_payload_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["raw_payload_id"], ["raw_payloads.id"], name=op.f("fk_journal_raw_payload_id_raw_payloads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
    )
    op.create_index(op.f("ix_journal_correlation_id"), "journal", ["correlation_id"], unique=False)
    op.create_index(op.f("ix_journal_message_id"), "journal", ["message_id"], unique=False)

    op.create_table(
        "exception_notes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("item_id", BIG_ID, nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["exception_items.id"],
            name=op.f("fk_exception_notes_item_id_exception_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exception_notes")),
    )
    op.create_index(op.f("ix_exception_notes_item_id"), "exception_notes", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exception_notes_item_id"), table_name="exception_notes")

    op.drop_table("exception_notes")
    op.drop_index(op.f("ix_journal_message_id"), table_name="journal")
    op.drop_index(op.f("ix_journal_correlation_id"), table_name="journal")

    op.drop_table("journal")
    op.drop_index(op.f("ix_exception_items_status"), table_name="exception_items")
    op.drop_index(op.f("ix_exception_items_owner"), table_name="exception_items")
    op.drop_index(op.f("ix_exception_items_message_id"), table_name="exception_items")
    op.drop_index(op.f("ix_exception_items_business_key"), table_name="exception_items")

    op.drop_table("exception_items")
    op.drop_index("ix_raw_payloads_source_name_sha256", table_name="raw_payloads")
    op.drop_index(op.f("ix_raw_payloads_sha256"), table_name="raw_payloads")
    op.drop_index("ix_raw_payloads_sender_interchange", table_name="raw_payloads")

    op.drop_table("raw_payloads")
    op.drop_index(op.f("ix_message_keys_value"), table_name="message_keys")
    op.drop_index(op.f("ix_message_keys_correlation_id"), table_name="message_keys")

    op.drop_table("message_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_document_links_b_id"), table_name="document_links")
    op.drop_index(op.f("ix_document_links_a_id"), table_name="document_links")

    op.drop_table("document_links")
    op.drop_table("control_numbers")
    op.drop_index(op.f("ix_audit_log_target"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")

    op.drop_table("audit_log")
