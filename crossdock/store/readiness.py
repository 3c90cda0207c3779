"""Is the database ready for crossdock? It exists, can be reached, and its schema is the newest this
crossdock ships. Asked by every command that reads or writes the store, by ``crossdock worker`` before
it forks and by ``crossdock config check --connect``; creates nothing (``crossdock db upgrade`` does)."""

from __future__ import annotations

from pathlib import Path

from crossdock.errors import ConfigError
from crossdock.store.engine import Database, database_url
from crossdock.store.migrate import current, head


class SchemaNotReadyError(ConfigError):
    """The database has no crossdock schema, or not the newest one: run ``crossdock db upgrade``."""


def where(db: Database) -> str:
    """The database's URL for a message, password hidden."""
    return database_url(db.engine.url).render_as_string(hide_password=True)


def require_schema(db: Database) -> str:
    """The revision the database is at, when it is the newest one; :class:`SchemaNotReadyError`
    otherwise, a ``StoreUnavailableError`` when it cannot be reached. A missing SQLite file is not
    created."""
    url = db.engine.url
    file = url.database if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") else None
    if file is not None and not Path(file).exists():
        raise SchemaNotReadyError(
            f"no database at {file}: run `crossdock db upgrade` to create it "
            "(or set CROSSDOCK_DATABASE_URL / CROSSDOCK_DATA_DIR)"
        )
    revision = current(db)
    newest = head()
    if revision != newest:
        state = "has no crossdock schema" if revision is None else f"is at schema revision {revision}"
        raise SchemaNotReadyError(
            f"the database {where(db)} {state}, this crossdock needs {newest}: run `crossdock db upgrade`"
        )
    return newest
