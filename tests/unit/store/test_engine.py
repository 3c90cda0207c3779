"""Engine factory and transaction scopes on SQLite."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from crossdock.errors import ConfigError, TransientError
from crossdock.settings import load_settings
from crossdock.store import (
    AuditAction,
    Database,
    HopStatus,
    JournalEvent,
    NestedWriteError,
    Store,
    StoreUnavailableError,
    database_url,
)
from crossdock.store.models import AuditRow


def test_bare_postgresql_url_gets_psycopg3() -> None:
    url = database_url("postgresql://crossdock:secret@db:5432/crossdock")
    assert url.drivername == "postgresql+psycopg" and url.password == "secret"


@pytest.mark.parametrize("bad", ["mysql://x/y", "not a url", "oracle+cx_oracle://h/db"])
def test_unsupported_or_bad_urls_are_config_errors(bad: str) -> None:
    with pytest.raises(ConfigError):
        database_url(bad)


def test_building_a_store_does_no_io(tmp_path: Path) -> None:
    # Given a database in a folder that does not exist yet
    folder = tmp_path / "not" / "yet"
    store = Store.from_url(f"sqlite:///{folder / 'crossdock.db'}")
    # Building the store touched nothing
    assert not folder.exists()
    # The first use creates the folder and the database
    store.upgrade()
    assert (folder / "crossdock.db").is_file()
    store.close()


def test_settings_default_is_sqlite_under_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={"CROSSDOCK_DATA_DIR": str(tmp_path / "var")})
    store = Store.from_settings(settings)
    try:
        store.upgrade()
        assert (tmp_path / "var" / "crossdock.db").is_file()
    finally:
        store.close()


def test_sqlite_runs_wal_with_busy_timeout_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    event = JournalEvent(message_id="m", correlation_id="c", actor="a", queue="q", status=HopStatus.RECEIVED)
    with pytest.raises(IntegrityError):
        sqlite_store.journal.record(JournalEvent(**{**_fields(event), "raw_payload_id": 999}))


def _fields(event: JournalEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in event.__dataclass_fields__}


def test_in_memory_database_works_for_one_thread() -> None:
    store = Store.from_url("sqlite://")
    try:
        store.upgrade()
        store.audit.record("me", AuditAction.PURGE, "queue:q")
        assert len(store.audit.entries()) == 1
    finally:
        store.close()


def test_write_scopes_commit_and_roll_back(sqlite_store: Store) -> None:
    db = sqlite_store.db
    with pytest.raises(RuntimeError), db.write() as session:
        sqlite_store.audit.record("a", AuditAction.PURGE, "queue:rolled-back", session=session)
        raise RuntimeError("boom")
    with db.write() as session:
        sqlite_store.audit.record("a", AuditAction.PURGE, "queue:kept", session=session)
        sqlite_store.audit.record("b", AuditAction.PURGE, "queue:kept", session=session)
    with db.read() as session:
        assert list(session.scalars(select(AuditRow.who).order_by(AuditRow.id))) == ["a", "b"]


def test_missing_schema_says_to_upgrade(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(ConfigError, match="crossdock db upgrade"):
            store.audit.entries()
    finally:
        store.close()


def test_unreachable_database_is_transient(tmp_path: Path) -> None:
    (tmp_path / "a-folder.db").mkdir()
    store = Store.from_url(f"sqlite:///{tmp_path / 'a-folder.db'}")
    try:
        with pytest.raises(StoreUnavailableError) as caught:
            store.audit.entries()
        assert isinstance(caught.value, TransientError) and caught.value.__cause__ is not None
    finally:
        store.close()


def test_timestamps_are_utc_and_aware(sqlite_store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    started = datetime(2026, 3, 2, 11, 0, tzinfo=plus_two)
    event = JournalEvent(
        message_id="m", correlation_id="c", actor="a", queue="q", status=HopStatus.SUCCEEDED,
        started_at=started, finished_at=started + timedelta(seconds=1.5),
    )  # fmt: skip
    sqlite_store.journal.record(event)
    (hop,) = sqlite_store.journal.hops("m")
    assert hop.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC) and hop.started_at.tzinfo is UTC
    assert hop.duration_ms == pytest.approx(1500.0)


def test_naive_timestamps_are_refused(sqlite_store: Store) -> None:
    event = JournalEvent(
        message_id="m", correlation_id="c", actor="a", queue="q", status=HopStatus.RECEIVED,
        started_at=datetime(2026, 3, 2, 9, 0),  # naive on purpose
    )  # fmt: skip
    with pytest.raises(StatementError, match="naive datetime"):
        sqlite_store.journal.record(event)


def test_database_backend_name(sqlite_store: Store) -> None:
    assert sqlite_store.db.backend == "sqlite"
    with sqlite_store.db.read() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
    assert isinstance(sqlite_store.db, Database)


def test_nested_write_on_sqlite_fails_fast_instead_of_waiting_for_itself(sqlite_store: Store) -> None:
    with sqlite_store.db.write() as session:
        with pytest.raises(NestedWriteError, match="session="):
            sqlite_store.audit.record("a", AuditAction.PURGE, "queue:nested")
        sqlite_store.audit.record("a", AuditAction.PURGE, "queue:joined", session=session)
    # The thread is free again once the transaction ended, even after the refusal
    sqlite_store.audit.record("a", AuditAction.PURGE, "queue:after")
    assert [e.target for e in sqlite_store.audit.entries()] == ["queue:after", "queue:joined"]


def test_another_thread_waits_for_the_write_lock(sqlite_store: Store) -> None:
    done: list[str] = []
    with sqlite_store.db.write() as session:
        sqlite_store.audit.record("a", AuditAction.PURGE, "queue:first", session=session)
        other = threading.Thread(target=lambda: done.append(str(sqlite_store.audit.record("b", "purge", "queue:2"))))
        other.start()
        other.join(timeout=0.3)
        assert other.is_alive() and done == []  # blocked on the lock, not refused
    other.join(timeout=30)
    assert done and [e.target for e in sqlite_store.audit.entries()] == ["queue:2", "queue:first"]


def test_database_errors_do_not_carry_statement_parameters(tmp_path: Path) -> None:
    # Given a statement that fails with a customer's address among its parameters
    db = Database.from_url(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with db.write() as session:
            session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, ship_to TEXT NOT NULL)"))
        with pytest.raises(IntegrityError) as caught, db.write() as session:
            session.execute(text("INSERT INTO t (id, ship_to) VALUES (1, :a), (1, :a)"), {"a": "Jane Buyer, 1 Elm St"})
    finally:
        db.dispose()
    # Then the error (logged, journalled, dead-lettered by the error policy) names the failure, not the data
    assert "UNIQUE constraint failed" in str(caught.value)
    assert "Jane Buyer" not in str(caught.value)
