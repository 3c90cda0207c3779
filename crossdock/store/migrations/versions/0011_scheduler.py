"""Scheduler runs: each scheduled job's slot is claimed once (unique job + slot), with its outcome.

Revision ID: 0011_scheduler
Revises: 0005_raw_unique
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_scheduler"
down_revision: str | None = "0005_raw_unique"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "scheduler_runs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("job", sa.String(length=200), nullable=False),
        sa.Column("slot", TIMESTAMP, nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_runs")),
        sa.UniqueConstraint("job", "slot", name=op.f("uq_scheduler_runs_job_slot")),
    )
    op.create_index(op.f("ix_scheduler_runs_slot"), "scheduler_runs", ["slot"], unique=False)
    op.create_index(op.f("ix_scheduler_runs_outcome"), "scheduler_runs", ["outcome"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scheduler_runs_outcome"), table_name="scheduler_runs")
    op.drop_index(op.f("ix_scheduler_runs_slot"), table_name="scheduler_runs")
    op.drop_table("scheduler_runs")
