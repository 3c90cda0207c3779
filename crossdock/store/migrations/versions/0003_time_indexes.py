"""Index the journal's and raw payloads' timestamps (time-range reads and retention).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_journal_started_at"), "journal", ["started_at"], unique=False)
    op.create_index(op.f("ix_raw_payloads_received_at"), "raw_payloads", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_raw_payloads_received_at"), table_name="raw_payloads")
    op.drop_index(op.f("ix_journal_started_at"), table_name="journal")
