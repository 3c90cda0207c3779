"""Raw payloads: keep non-secret headers, and when a payload was accepted for processing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("raw_payloads", sa.Column("headers", sa.JSON(), nullable=True))
    op.add_column("raw_payloads", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("raw_payloads") as batch:
        batch.drop_column("accepted_at")
        batch.drop_column("headers")
