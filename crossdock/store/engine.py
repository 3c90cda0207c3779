"""Engine and transactions: one :class:`Database` per process, built from settings at the composition
root. Creating it opens nothing; the first query connects.

SQLite (the embedded default) runs in WAL mode with a 30 s busy timeout and foreign keys on; write
transactions start with ``BEGIN IMMEDIATE`` so concurrent writers queue on the database lock instead
of failing on a read-to-write upgrade. PostgreSQL goes through psycopg 3 with ``pool_pre_ping`` and a
30 s ``lock_timeout``. Both hide statement parameters from error messages and echo: they carry payloads
(customer names and addresses) that must not reach logs, journal rows or dead letters.

Database errors that a retry can cure (connection lost, lock timeout, server gone) are raised as
:class:`StoreUnavailableError`, a :class:`~crossdock.errors.TransientError`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from crossdock.errors import ConfigError, TransientError
from crossdock.settings import Settings

LOCK_TIMEOUT_S = 30.0
PG_CONNECT_TIMEOUT_S = 10
PG_POOL_SIZE = 30
PG_MAX_OVERFLOW = 0
WRITE_LOCK = "crossdock_write"
"""Execution option: start the transaction with the database write lock (SQLite `BEGIN IMMEDIATE`)."""


class StoreUnavailableError(TransientError):
    """The database cannot be reached or is locked right now; retry later."""


def database_url(url: str | URL) -> URL:
    """Parse ``url``; a bare ``postgresql://`` URL gets the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError and ValueError for bad URLs
        raise ConfigError(f"invalid database URL: {exc}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql+psycopg")
    return parsed


def create_engine_for(
    url: str | URL,
    *,
    echo: bool = False,
    pool_size: int = PG_POOL_SIZE,
    max_overflow: int = PG_MAX_OVERFLOW,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    pre_ping: bool = True,
) -> Engine:
    """An engine for ``url`` configured for crossdock (see the module docstring). No connection yet.

    The PostgreSQL pool allows ``pool_size + max_overflow`` connections per process: a worker thread
    may hold one for its step's open transaction and briefly need a second for a journal row. They
    are all ``pool_size`` by default, kept once opened: an overflow connection is closed at check-in,
    so with more busy worker threads than ``pool_size`` a good third of the hops opened a new
    PostgreSQL connection (measured: 705 connects for 2,000 hops at 32 threads).
    ``lock_timeout_s`` bounds every wait for a lock (PostgreSQL ``lock_timeout``, SQLite
    ``busy_timeout``): a step blocked behind another worker's open transaction on the same key gets
    :class:`StoreUnavailableError` and is retried later instead of hanging. ``pre_ping=False`` (the
    hop transactions' own pool) saves a round trip per checkout; a dead connection then fails its first
    statement (a transient error) and is replaced."""
    lock_ms = max(1, int(lock_timeout_s * 1000))
    parsed = database_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            echo=echo,
            hide_parameters=True,
            pool_pre_ping=pre_ping,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "options": f"-c lock_timeout={lock_ms}"},
        )
    in_memory = parsed.database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": lock_ms / 1000}}
    if in_memory:
        options["poolclass"] = StaticPool
    engine = create_engine(parsed, echo=echo, hide_parameters=True, **options)
    _configure_sqlite(engine, None if in_memory else Path(str(parsed.database)), lock_ms)
    return engine


def _configure_sqlite(engine: Engine, path: Path | None, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "do_connect")
    def _make_folder(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_LOCK, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class NestedWriteError(RuntimeError):
    """On SQLite, a thread that holds a write transaction opened a second one: it would wait for its
    own lock until the busy timeout. Pass ``session=`` to join the open transaction instead."""


class Database:
    """An engine plus transaction scopes. Repositories take one of these."""

    def __init__(self, engine: Engine, *, engine_options: dict[str, Any] | None = None) -> None:
        self.engine = engine
        self._engine_options = engine_options or {}
        self._hop_engine: Engine | None = None
        self._reads = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(engine.execution_options(**{WRITE_LOCK: True}), expire_on_commit=False)
        self._single_writer = engine.dialect.name == "sqlite"
        self._writing: set[int] = set()  # threads holding a write transaction (SQLite only)
        self._writing_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str | URL, **engine_options: Any) -> Database:
        return cls(create_engine_for(url, **engine_options), engine_options=engine_options)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls.from_url(settings.effective_database_url)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self, session: Session | None = None) -> Iterator[Session]:
        """A write transaction, committed on success. Given ``session``, join it instead (the caller
        commits): that is how several store calls become one atomic unit."""
        if session is not None:
            yield session
            return
        if not self._single_writer:
            with translate_errors(), self._writes() as new, new.begin():
                yield new
            return
        thread = threading.get_ident()
        with self._writing_lock:
            if thread in self._writing:
                raise NestedWriteError(
                    "this thread already holds a write transaction on this SQLite database; "
                    "pass session= to join it (a second one would wait for the first until the busy timeout)"
                )
            self._writing.add(thread)
        try:
            with translate_errors(), self._writes() as new, new.begin():
                yield new
        finally:
            with self._writing_lock:
                self._writing.discard(thread)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with translate_errors(), self._reads() as new, new.begin():
            yield new

    def hop_engine(self) -> Engine:
        """The engine of the broker's hop transactions (PostgreSQL): this database's URL and options,
        a pool of its own without pre-ping (:mod:`crossdock.store.hop_record`). Created on first use,
        closed by :meth:`dispose`."""
        with self._writing_lock:
            if self._hop_engine is None:
                options = {**self._engine_options, "pre_ping": False}
                self._hop_engine = create_engine_for(self.engine.url, **options)
            return self._hop_engine

    def dispose(self) -> None:
        self.engine.dispose()
        with self._writing_lock:
            hop_engine, self._hop_engine = self._hop_engine, None
        if hop_engine is not None:
            hop_engine.dispose()


@contextmanager
def translate_errors() -> Iterator[None]:
    """Map SQLAlchemy's 'try again later' errors to :class:`StoreUnavailableError`, once, here."""
    try:
        yield
    except PoolTimeout as exc:
        raise StoreUnavailableError(f"database connection pool exhausted: {exc}") from exc
    except OperationalError as exc:
        if "no such table" in str(exc.orig) or "no such column" in str(exc.orig):
            raise ConfigError(f"database schema is missing or old ({exc.orig}): run `crossdock db upgrade`") from exc
        raise StoreUnavailableError(f"database unavailable: {exc.orig}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailableError(f"database connection lost: {exc.orig}") from exc
        raise
