"""Persistence with SQLAlchemy 2 and Alembic: journal, idempotency, cross-references, control numbers,
exception work items and the audit log."""
