"""Group commit: many hops' idempotency marks and journal rows in one database transaction.

For steps declared ``group_commit=True`` (steps with no database effects of their own), a worker
thread does not open a transaction per hop. After its step succeeded it hands the hop's mark and
journal row to the process's :class:`GroupCommitter` and waits; the committer thread writes every hop
waiting at that moment in ONE transaction (multi-row inserts, one fsync'd commit) and only then wakes
the worker threads, whose messages are acknowledged after that. So no message is acknowledged
before its mark and journal row are durable: a worker killed mid-batch leaves its messages
unacknowledged and unrecorded (RabbitMQ redelivers them), or recorded but unacknowledged (the
redelivery is skipped as a duplicate).

While one batch commits, the next one fills, so batches grow with the load and a lone message waits
for one commit only. If a batch fails, each of its hops is written again in its own transaction, so
one bad row does not fail the others; a hop that still fails is reported to its worker thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field, replace

from crossdock.broker.journal_rows import journal_event, raw_payload
from crossdock.broker.ports import HopRecord, HopStatus
from crossdock.store import Store
from crossdock.store.idempotency import Mark
from crossdock.store.raw import NewPayload

logger = logging.getLogger(__name__)

MAX_BATCH = 500
WAIT_TIMEOUT_S = 60.0


class GroupCommitError(Exception):
    """The hop's batch (and its own retry) could not be committed, or the committer did not answer."""


@dataclass(slots=True)
class Pending:
    """One hop waiting for its batch to commit."""

    mark: Mark
    record: HopRecord | None
    done: threading.Event = field(default_factory=threading.Event)
    duplicate: bool = False
    error: BaseException | None = None


class GroupCommitter:
    """One per worker process (per store); its thread starts on first use. Call :meth:`close` at shutdown."""

    def __init__(self, store: Store, *, max_batch: int = MAX_BATCH, wait_timeout_s: float = WAIT_TIMEOUT_S) -> None:
        self._store = store
        self._max_batch = max_batch
        self._wait_timeout_s = wait_timeout_s
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        """Batches committed so far (for tests and the bench)."""

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

    def close(self, timeout_s: float = 10.0) -> None:
        """Commit what is waiting, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="crossdock-group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[Pending]) -> None:
        try:
            self._write(batch)
            self.batches += 1
        except Exception:
            logger.exception("Group commit of %d hops failed; writing each hop on its own", len(batch))
            for pending in batch:
                try:
                    self._write([pending])
                except Exception as exc:  # reported to the waiting worker thread, which dead-letters
                    pending.error = exc
        for pending in batch:
            pending.done.set()

    def _write(self, batch: list[Pending]) -> None:
        store = self._store
        with store.db.write() as session:
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
