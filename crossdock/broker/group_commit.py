"""Group commit: many hops' idempotency marks and journal rows in one database transaction.

For steps declared ``group_commit=True`` (steps with no database effects of their own), a worker
thread does not open a transaction per hop. After its step succeeded it hands the hop's mark and
journal row to the process's :class:`GroupCommitter` and waits; the committer thread writes every hop
waiting at that moment in ONE transaction (multi-row inserts, one fsync'd commit) and only then wakes
the worker threads, whose messages are acknowledged after that. So no message is acknowledged
before its mark and journal row are durable: a worker killed mid-batch leaves its messages
unacknowledged and unrecorded (RabbitMQ redelivers them), or recorded but unacknowledged (the
redelivery is skipped as a duplicate).

A second thread answers the workers' "was this key processed already?" checks before their steps
run, many in one read, so a worker thread needs no database connection of its own and a check does
not wait behind a commit.

While one batch commits, the next one fills, so batches grow with the load and a lone message waits
for one commit only. If a batch fails, each of its hops is written again in its own transaction, so
one bad row does not fail the others; a hop that still fails is reported to its worker thread.
"""

from __future__ import annotations

import _thread
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy.orm import Session

from crossdock.broker.journal_rows import journal_event, raw_payload
from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.store import Store
from crossdock.store.hop_batch import BatchedHop, HopConnection
from crossdock.store.idempotency import Mark
from crossdock.store.raw import NewPayload

logger = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BATCH = 500
COMMIT_THREADS = 1
WAIT_TIMEOUT_S = 60.0


class Signal:
    """A one-shot wake-up for one waiting thread: a bare lock, cheaper than an ``Event`` (no condition,
    no ``notify_all``). :meth:`set` must be called at most once."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._lock.acquire()

    def set(self) -> None:
        self._lock.release()

    def wait(self, timeout: float) -> bool:
        return self._lock.acquire(timeout=timeout)


class GroupCommitError(Exception):
    """The hop's batch (and its own retry) could not be committed, or the committer did not answer."""


@dataclass(slots=True)
class Check:
    """One worker thread asking whether (step, key) is marked."""

    step: str
    key: str
    done: Signal = field(default_factory=Signal)
    marked: bool = False
    error: BaseException | None = None


_SETTLE = threading.Lock()
"""Guards :attr:`Pending.finished` and :attr:`Pending.callbacks` (registration against completion)."""


@dataclass(slots=True)
class Pending:
    """One hop waiting for its batch to commit. Once ``finished``, ``error`` says whether the batch (or
    the hop's own retry) failed and ``duplicate`` whether another delivery had marked the key first."""

    mark: Mark
    record: HopRecord | None
    done: Signal = field(default_factory=Signal)
    duplicate: bool = False
    error: BaseException | None = None
    finished: bool = False
    callbacks: list[Callable[[Pending], None]] = field(default_factory=list)

    def then(self, callback: Callable[[Pending], None]) -> None:
        """Call ``callback(self)`` once the hop's batch committed or failed: in the committer thread,
        or at once in this thread if that already happened. The callback must not raise or block."""
        with _SETTLE:
            if not self.finished:
                self.callbacks.append(callback)
                return
        callback(self)


class GroupCommitter:
    """One per worker process (per store); its two threads start on first use. Call :meth:`close` at shutdown."""

    def __init__(
        self,
        store: Store,
        *,
        max_batch: int = MAX_BATCH,
        wait_timeout_s: float = WAIT_TIMEOUT_S,
        commit_threads: int | None = None,
    ) -> None:
        self._store = store
        # More than one commit thread (PostgreSQL only; SQLite has one writer at a time) writes a batch
        # while another waits for its fsync; the marks go in sorted, so concurrent batches cannot
        # deadlock. It measured no faster on the 2-core bench machine, hence one by default.
        self._commit_threads = commit_threads or COMMIT_THREADS if store.db.backend == "postgresql" else 1
        self._max_batch = max_batch
        self._wait_timeout_s = wait_timeout_s
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._checks: queue.SimpleQueue[Check | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.batches = 0
        """Batches committed so far (for tests and the bench)."""

    def is_marked(self, step: str, key: str) -> bool:
        """Whether (step, key) was processed already (checked with other threads' keys in one read).
        Raises :class:`GroupCommitError` when the store cannot answer."""
        check = Check(step, key)
        self._ensure_thread()
        self._checks.put(check)
        if not check.done.wait(self._wait_timeout_s):
            raise GroupCommitError(f"no answer within {self._wait_timeout_s:.0f} s for key {key} of step {step}")
        if check.error is not None:
            raise GroupCommitError(f"cannot check key {key} of step {step}: {check.error}") from check.error
        return check.marked

    def marked_many(self, pairs: list[tuple[str, str]], *, timeout_s: float | None = None) -> set[tuple[str, str]]:
        """Which of these (step, key) pairs were processed already, in one wait of at most
        ``timeout_s`` (the consumer's prefetch check). Raises :class:`GroupCommitError` when the store
        cannot answer in time."""
        timeout = self._wait_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout
        checks = [Check(step, key) for step, key in pairs]
        self._ensure_thread()
        for check in checks:
            self._checks.put(check)
        for check in checks:
            if not check.done.wait(max(0.0, deadline - time.monotonic())):
                raise GroupCommitError(f"no answer within {timeout:.0f} s for {len(pairs)} keys")
            if check.error is not None:
                raise GroupCommitError(f"cannot check keys: {check.error}") from check.error
        return {(c.step, c.key) for c in checks if c.marked}

    def commit(self, mark: Mark, record: HopRecord | None) -> bool:
        """Block until the hop's mark and journal row are committed. ``False`` when another delivery
        marked the key first (the hop was journaled ``duplicate``). Raises :class:`GroupCommitError`."""
        pending = Pending(mark, record)
        self._ensure_thread()
        self._queue.put(pending)
        if not pending.done.wait(self._wait_timeout_s):
            raise GroupCommitError(f"no commit within {self._wait_timeout_s:.0f} s for message {mark.message_id}")
        if pending.error is not None:
            raise GroupCommitError(f"commit failed for message {mark.message_id}: {pending.error}") from pending.error
        return not pending.duplicate

    def submit(self, mark: Mark, record: HopRecord | None) -> Pending:
        """Queue the hop's mark and journal row for the next batch and return at once; the caller
        acknowledges the message only from :meth:`Pending.then`, once the batch committed."""
        pending = Pending(mark, record)
        self._ensure_thread()
        self._queue.put(pending)
        return pending

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit what is waiting, then stop the threads."""
        with self._lock:
            threads, self._threads = self._threads, []
        if threads:
            for _ in range(self._commit_threads):
                self._queue.put(None)  # each commit thread takes exactly one and stops
            self._checks.put(None)
            for thread in threads:
                thread.join(timeout_s)

    def _ensure_thread(self) -> None:
        if self._threads:
            return
        with self._lock:
            if not self._threads:
                commits = (self._queue, self._commit)
                checks = (self._checks, self._check)
                self._threads = [
                    threading.Thread(target=self._run, args=commits, name=f"crossdock-group-commit-{n}", daemon=True)
                    for n in range(self._commit_threads)
                ]
                self._threads.append(
                    threading.Thread(target=self._run, args=checks, name="crossdock-group-check", daemon=True)
                )
                for thread in self._threads:
                    thread.start()

    def _run(
        self, source: queue.SimpleQueue[T | None], handle: Callable[[list[T], HopConnection | None], None]
    ) -> None:
        """Take every item waiting (up to the batch size) and handle them together, until ``None``.
        On PostgreSQL the thread keeps its own connection (:class:`HopConnection`)."""
        conn = HopConnection(self._store.db) if self._store.db.backend == "postgresql" else None
        try:
            stop = False
            while not stop:
                first = source.get()
                if first is None:
                    return
                items = [first]
                while len(items) < self._max_batch:
                    try:
                        item = source.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    items.append(item)
                handle(items, conn)
        finally:
            if conn is not None:
                conn.close()

    def _check(self, checks: list[Check], conn: HopConnection | None) -> None:
        pairs = [(c.step, c.key) for c in checks]
        try:
            marked = conn.marked(pairs) if conn is not None else self._store.idempotency.marked_many(pairs)
        except Exception as exc:  # reported to each waiting worker thread, which retries its message
            for check in checks:
                check.error = exc
        else:
            for check in checks:
                check.marked = (check.step, check.key) in marked
        for check in checks:
            check.done.set()

    def _commit(self, batch: list[Pending], conn: HopConnection | None) -> None:
        try:
            self._write(batch, conn)
            with self._lock:
                self.batches += 1
        except Exception:
            logger.exception("Group commit of %d hops failed; writing each hop on its own", len(batch))
            for pending in batch:
                try:
                    self._write([pending], conn)
                except Exception as exc:  # reported to the waiting worker thread, which dead-letters
                    pending.error = exc
        with _SETTLE:
            for pending in batch:
                pending.finished = True
        for pending in batch:
            pending.done.set()
            for callback in pending.callbacks:
                try:
                    callback(pending)
                except Exception:
                    logger.exception("Callback after the group commit of message %s failed", pending.mark.message_id)

    def _write(self, batch: list[Pending], conn: HopConnection | None) -> None:
        """Commit the batch: on PostgreSQL in one statement on the thread's connection, on SQLite
        through the repositories in one transaction."""
        if conn is None:
            with self._store.db.write() as session:
                self._write_in(batch, session)
            return
        hops = [
            BatchedHop(p.mark)
            if p.record is None
            else BatchedHop(p.mark, journal_event(p.record, None), raw_payload(p.record))
            for p in batch
        ]
        for pending, won in zip(batch, conn.write(hops), strict=True):
            pending.duplicate = not won

    def _write_in(self, batch: list[Pending], session: Session) -> None:
        """The batch's marks, first-hop raw payloads, journal rows and keys, in ``session``."""
        store = self._store
        inserted = store.idempotency.mark_done_many([p.mark for p in batch], session=session)
        won: set[tuple[str, str]] = set()
        for pending in batch:
            key = (pending.mark.step, pending.mark.key)
            pending.duplicate = key not in inserted or key in won
            won.add(key)
        firsts: list[tuple[Pending, NewPayload]] = []
        for pending in batch:
            payload = None if pending.duplicate or pending.record is None else raw_payload(pending.record)
            if payload is not None:
                firsts.append((pending, payload))
        raw_ids = store.raw.keep_many([payload for _, payload in firsts], session=session)
        raw_by_pending = {id(p): raw_id for (p, _), raw_id in zip(firsts, raw_ids, strict=True)}
        events = []
        for pending in batch:
            if pending.record is None:
                continue
            hop = pending.record
            if pending.duplicate:
                hop = replace(hop, status=HopStatus.DUPLICATE, raw_payload=None)
            events.append(journal_event(hop, raw_by_pending.get(id(pending))))
        store.journal.record_many(events, session=session)
