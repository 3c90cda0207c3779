"""A worker app for the group-commit crash test: ``python -m dramatiq tests.group_commit_app:boot``.

One actor, ``probe.batched`` (queue ``inventory``, ``group_commit=True``), that does nothing. Its
committer holds every batch open (rows written, not committed) for ``BATCH_HOLD_S`` and, the first
time a batch of several hops is open, writes this process's PID to ``$PROBE_MARKERS/batch-open``, so
the test can ``kill -9`` the worker in the middle of a batch.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import dramatiq
from dramatiq.broker import Broker

from crossdock.broker.group_commit import GroupCommitter, Pending
from crossdock.broker.middleware.correlation import install_log_filter
from crossdock.broker.setup import build_broker
from crossdock.broker.sql_store import SqlMessageStore
from crossdock.settings import load_settings
from crossdock.store import Store
from crossdock.store.hop_batch import HopConnection
from tests.reliability_app import write_marker

BATCH_HOLD_S = 0.3


class SlowCommitter(GroupCommitter):
    """A committer on a slow disk: each batch stays open a while before its commit."""

    def __init__(self, store: Store, markers: Path) -> None:
        super().__init__(store)
        self._markers = markers

    def _write(self, batch: list[Pending], conn: HopConnection | None) -> None:
        if conn is None:  # SQLite
            with self._store.db.write() as session:
                self._write_in(batch, session)
                self._hold(batch)
            return
        with conn.connection.transaction():  # the batch's statement runs inside, uncommitted
            super()._write(batch, conn)
            self._hold(batch)

    def _hold(self, batch: list[Pending]) -> None:
        marker = self._markers / "batch-open"
        if len(batch) > 1 and not marker.exists():
            write_marker(marker, str(os.getpid()))
        time.sleep(BATCH_HOLD_S)


def noop(payload: str) -> None:
    """No database effects of its own: declared group_commit=True."""


def boot() -> Broker:
    install_log_filter()
    settings = load_settings()
    store = Store.from_settings(settings)
    adapter = SqlMessageStore(store)
    adapter.committer = SlowCommitter(store, Path(os.environ.get("PROBE_MARKERS", "/nonexistent")))
    broker = build_broker(settings, store=adapter)
    dramatiq.actor(noop, broker=broker, actor_name="probe.batched", queue_name="inventory", group_commit=True)
    return broker
