"""``INSERT ... ON CONFLICT DO NOTHING`` on both backends, telling whether the row went in.

SQLite and PostgreSQL both accept ``ON CONFLICT DO NOTHING`` (SQLite's ``INSERT OR IGNORE``); built
with the dialect's own ``insert()`` so SQLAlchemy renders it correctly for each, with ``RETURNING``
to count the rows that went in. On PostgreSQL a
concurrent insert of the same key waits for the other transaction and then does nothing (or inserts,
if that one rolled back), so exactly one caller wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crossdock.store.base import Base


def insert_ignore(session: Session, model: type[Base], values: Mapping[str, Any]) -> bool:
    """Insert one row unless it conflicts with a unique constraint; ``True`` when it was inserted."""
    return insert_ignore_many(session, model, [values]) == 1


def insert_ignore_many(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert the rows that do not conflict; returns how many went in. The rows must share keys."""
    if not rows:
        return 0
    table = model.__table__
    assert isinstance(table, Table)
    # Values go in as parameters, not into the statement, so its compiled form is cached.
    stmt = _statement(session.get_bind().dialect.name, table)
    params = [dict(row) for row in rows]
    return len(session.execute(stmt, params[0] if len(params) == 1 else params).all())


def _statement(dialect: str, table: Table) -> Any:
    # RETURNING, not rowcount: psycopg 3 reports rowcount -1 for INSERT ... ON CONFLICT DO NOTHING.
    first_key = next(iter(table.primary_key.columns))
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing().returning(first_key)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing().returning(first_key)
    raise NotImplementedError(dialect)  # pragma: no cover - database_url() refuses other backends
