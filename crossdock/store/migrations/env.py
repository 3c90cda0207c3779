"""Alembic environment: runs against the connection :mod:`crossdock.store.migrate` passes in
``config.attributes["connection"]`` (there is no alembic.ini; use ``crossdock db upgrade``)."""

from __future__ import annotations

from alembic import context

from crossdock.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through crossdock.store.migrate (crossdock db upgrade), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
