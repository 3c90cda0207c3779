"""Named locks that hold across processes and hosts: one poller per mailbox.

:meth:`NamedLocks.hold` is a *try* lock: it yields ``True`` to the caller that got the name and
``False`` at once to any other, which skips its turn (a second poller is a hot standby, never a
second reader of the same mailbox).

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own,
  held for the ``with`` block. Every host that shares the database shares the lock; a holder that
  dies (kill -9, lost host) loses its connection and with it the lock.
* SQLite (one host by nature): ``flock`` on ``<database>.locks/<key>.lock`` next to the database
  file; an in-memory database (one process) uses a lock of the process.

The key is a hash of the name, so any name fits (a mailbox URL, a folder path).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from crossdock.file_lock import try_flock
from crossdock.store.engine import Database, translate_errors

_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def advisory_key(name: str) -> int:
    """A signed 64-bit key for ``pg_try_advisory_lock``, from the name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class NamedLocks:
    def __init__(self, db: Database) -> None:
        self._db = db

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        """``True`` while this caller holds ``name``; ``False`` when another process, host or thread
        holds it (nothing waits)."""
        if self._db.backend == "postgresql":
            with self._advisory(name) as held:
                yield held
            return
        database = self._db.engine.url.database
        if database in (None, "", ":memory:"):
            with _process_lock(name) as held:
                yield held
            return
        digest = hashlib.sha256(name.encode()).hexdigest()[:32]
        with try_flock(Path(f"{database}.locks") / f"{digest}.lock") as held:
            yield held

    @contextmanager
    def lease(self, name: str) -> Iterator[Lease | None]:
        """Like :meth:`hold`, for a holder that keeps the name for a long time (the scheduler's
        leader): yields a :class:`Lease` whose :meth:`Lease.alive` tells whether the lock is still
        held (on PostgreSQL the lock lives with its connection: a dropped or terminated connection
        has lost it, however alive this process is), or ``None`` when another holder has the name."""
        if self._db.backend != "postgresql":
            with self.hold(name) as held:
                yield Lease(None) if held else None
            return
        key = advisory_key(name)
        with translate_errors(), self._db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            lease = Lease(conn, key) if held else None
            try:
                yield lease
            finally:
                if lease is not None and lease.alive():
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    @contextmanager
    def _advisory(self, name: str) -> Iterator[bool]:
        key = advisory_key(name)
        with translate_errors(), self._db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


class Lease:
    """A held named lock. On PostgreSQL :meth:`alive` asks the lock's own connection whether it still
    answers (the session-level lock ends only with it, or an unlock); once lost, it stays lost. A file
    or process lock cannot be lost while its holder lives."""

    def __init__(self, conn: Connection | None, key: int = 0) -> None:
        self._conn = conn
        self._key = key
        self._lost = False

    def alive(self) -> bool:
        if self._conn is None:
            return True
        if self._lost:
            return False
        try:  # a session-level advisory lock lives as long as its connection: a live one still holds it
            held = self._conn.execute(text("SELECT 1")).scalar() == 1
        except DBAPIError:
            held = False
        self._lost = not held
        return not self._lost


@contextmanager
def _process_lock(name: str) -> Iterator[bool]:
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.setdefault(name, threading.Lock())
    got = lock.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            lock.release()
