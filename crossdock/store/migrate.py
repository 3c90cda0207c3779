"""Schema migrations through Alembic's API; the migration scripts live in ``migrations/`` inside
this package, so an installed crossdock can upgrade its own database.

Concurrent upgrades (several workers booting at once) are serialised: on PostgreSQL by a
transaction-level advisory lock, on SQLite by the write lock; the late one finds nothing to do.
SQLite can still answer "database is locked" to a connection that arrives while a brand-new file is
switched to WAL mode, so a run that hits a lock error is tried again, at most ``ATTEMPTS`` times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from crossdock.store.engine import WRITE_LOCK, Database, StoreUnavailableError, translate_errors

SCRIPT_LOCATION = "crossdock.store:migrations"
_PG_LOCK_KEY = 0x63726F7373  # "cross"
ATTEMPTS = 3


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head() -> str:
    """The newest revision this crossdock ships."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(db: Database) -> str | None:
    """The revision the database is at; ``None`` for an empty or missing database (a missing SQLite
    file is not created)."""
    url = db.engine.url
    file = url.database if url.get_backend_name() == "sqlite" and url.database not in ("", ":memory:") else None
    if file is not None and not Path(file).exists():
        return None
    with translate_errors(), db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> str | None:
    """Apply migrations up to ``revision``; returns the revision the database is at afterwards."""
    _run(db, lambda config: command.upgrade(config, revision))
    return current(db)


def downgrade(db: Database, revision: str) -> str | None:
    _run(db, lambda config: command.downgrade(config, revision))
    return current(db)


def _run(db: Database, step: Callable[[Config], None]) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _run_once(db, step)
            return
        except StoreUnavailableError:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.5 * attempt)


def _run_once(db: Database, step: Callable[[Config], None]) -> None:
    config = alembic_config()
    engine = db.engine.execution_options(**{WRITE_LOCK: True})
    with translate_errors(), engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        config.attributes["connection"] = conn
        step(config)
