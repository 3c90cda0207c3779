"""Raw payloads: a unique file key for ``put_once`` (one row per file under concurrent pollers), and a
warning a person should see (an ISA13 reused with different content).

Existing rows keep ``file_key`` NULL (NULLs never conflict): ``put_once`` still finds them by
(source, name, sha256) before it inserts.

Revision ID: 0005_raw_unique
Revises: 0007_recovery (ids name the work, not the order: see down_revision)
Create Date: 2026-12-07 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_raw_unique"
down_revision: str | None = "0007_recovery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("raw_payloads", sa.Column("file_key", sa.String(length=64), nullable=True))
    op.add_column("raw_payloads", sa.Column("warning", sa.Text(), nullable=True))
    op.create_index("ux_raw_payloads_file_key", "raw_payloads", ["file_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_raw_payloads_file_key", table_name="raw_payloads")
    with op.batch_alter_table("raw_payloads") as batch:
        batch.drop_column("warning")
        batch.drop_column("file_key")
