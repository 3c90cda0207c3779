"""An in-memory MessageStore with the real interface (crossdock.broker.ports), for unit tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from crossdock.broker.ports import DeadLetterRecord, HopRecord, HopStatus


@dataclass
class MemoryClaim:
    store: MemoryStore
    step: str
    key: str
    effects: list[Any] = field(default_factory=list)
    records: list[HopRecord] = field(default_factory=list)
    closed: bool = False

    @property
    def connection(self) -> list[Any]:
        return self.effects

    def record(self, hop: HopRecord) -> None:
        self.records.append(hop)

    def commit(self) -> None:
        assert not self.closed
        self.closed = True
        if self.store.fail_commits:
            with self.store.lock:
                self.store.in_flight.discard((self.step, self.key))
            raise ConnectionError("the database went away during the commit")
        with self.store.lock:
            self.store.done.add((self.step, self.key))
            self.store.in_flight.discard((self.step, self.key))
            self.store.effects.extend(self.effects)
            self.store.hops.extend(self.records)

    def rollback(self) -> None:
        assert not self.closed
        self.closed = True
        with self.store.lock:
            self.store.in_flight.discard((self.step, self.key))
            self.store.rollbacks += 1


@dataclass
class MemoryStore:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: set[tuple[str, str]] = field(default_factory=set)
    in_flight: set[tuple[str, str]] = field(default_factory=set)
    effects: list[Any] = field(default_factory=list)
    hops: list[HopRecord] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    dead_letters: list[DeadLetterRecord] = field(default_factory=list)
    rollbacks: int = 0
    fail_claims: bool = False
    fail_commits: bool = False

    def claim(self, step: str, key: str, message_id: str) -> MemoryClaim | None:
        if self.fail_claims:
            raise ConnectionError("database is down")
        with self.lock:
            if (step, key) in self.done or (step, key) in self.in_flight:
                return None
            self.in_flight.add((step, key))
        return MemoryClaim(self, step, key)

    def record(self, hop: HopRecord) -> None:
        with self.lock:
            self.hops.append(hop)

    def open_exception(
        self, hop: HopRecord, *, owner: str, reason: str, key: str | None, code: str | None = None
    ) -> int | None:
        with self.lock:
            self.exceptions.append(
                {"owner": owner, "reason": reason, "key": key, "message_id": hop.message_id, "code": code}
            )
            self.hops.append(hop)
            return len(self.exceptions)

    def record_dead_letter(self, letter: DeadLetterRecord) -> None:
        with self.lock:
            self.dead_letters.append(letter)

    def statuses(self, step: str | None = None) -> list[HopStatus]:
        with self.lock:
            return [h.status for h in self.hops if step is None or h.step == step]


@dataclass
class FailingClaimStore(MemoryStore):
    """A store whose claims fail at ``record`` or at ``commit`` (a journal or database failure after the step)."""

    fail_at: str = "commit"

    def claim(self, step: str, key: str, message_id: str) -> MemoryClaim | None:
        claim = super().claim(step, key, message_id)
        return None if claim is None else FailingClaim(self, step, key, fail_at=self.fail_at)


@dataclass
class FailingClaim(MemoryClaim):
    fail_at: str = "commit"

    def record(self, hop: HopRecord) -> None:
        if self.fail_at == "record":
            raise ConnectionError("journal insert failed")
        super().record(hop)

    def commit(self) -> None:
        if self.fail_at == "commit":
            raise ConnectionError("server closed the connection during COMMIT")
        super().commit()

    def rollback(self) -> None:
        if not self.closed:
            super().rollback()
