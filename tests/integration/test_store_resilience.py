"""The store when PostgreSQL goes away: clear transient errors, and the pool reconnects on its own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crossdock.errors import TransientError
from crossdock.store import AuditAction, Database, Store, StoreUnavailableError
from tests.conftest import free_port
from tests.fixtures.database import PG_ADMIN_URL

pytestmark = pytest.mark.integration


def _kill_connections(url: str) -> int:
    admin = Store.from_url(PG_ADMIN_URL)
    try:
        with admin.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": make_url(url).database},
                ).all()
            )
    finally:
        admin.close()


def test_unreachable_server_is_a_transient_error() -> None:
    store = Store.from_url(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    try:
        with pytest.raises(StoreUnavailableError, match="database unavailable") as caught:
            store.audit.entries()
        assert isinstance(caught.value, TransientError)
    finally:
        store.close()


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_pool_reconnects_after_server_side_disconnect(store: Store, migrated_db_url: str) -> None:
    # Given a store with pooled connections
    store.audit.record("ops", AuditAction.PURGE, "queue:a")
    # When the server drops every connection (restart, failover, idle killer)
    assert _kill_connections(migrated_db_url) >= 1
    # Then the next call reconnects by itself (pool_pre_ping) and works
    store.audit.record("ops", AuditAction.PURGE, "queue:b")
    assert [e.target for e in store.audit.entries()] == ["queue:b", "queue:a"]


@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_connection_lost_mid_transaction_is_transient_and_nothing_half_done(store: Store, migrated_db_url: str) -> None:
    with pytest.raises(StoreUnavailableError), store.db.write() as session:
        store.audit.record("ops", AuditAction.PURGE, "queue:lost", session=session)
        _kill_connections(migrated_db_url)
        store.audit.record("ops", AuditAction.PURGE, "queue:lost-2", session=session)
    # The retry finds nothing of the lost transaction
    assert store.audit.entries(target="queue:lost") == []
    with store.idempotency.once("after", "k") as run:
        assert run.should_run


def test_waiting_behind_another_workers_open_claim_is_bounded(migrated_db_url: str) -> None:
    # Given worker A inside a step: its atomic claim on key K is still open
    store = Store(Database.from_url(migrated_db_url, lock_timeout_s=0.5))
    try:
        with store.idempotency.once("step", "K", message_id="a") as run_a:
            assert run_a.should_run
            # When worker B (another thread) tries the same key
            errors: list[BaseException] = []

            def worker_b() -> None:
                try:
                    with store.idempotency.once("step", "K", message_id="b"):
                        pass
                except BaseException as exc:  # asserted below
                    errors.append(exc)

            thread = threading.Thread(target=worker_b)
            thread.start()
            thread.join(timeout=30)
            # Then B gives up after the lock timeout with a retryable error instead of hanging
            assert not thread.is_alive()
            assert len(errors) == 1 and isinstance(errors[0], StoreUnavailableError), errors
        # And once A committed, B's retry sees the key done
        with store.idempotency.once("step", "K", message_id="b") as run_b:
            assert not run_b.should_run
    finally:
        store.close()
