"""Where inbound files go: the :class:`InboundSink` port, and an in-memory implementation.

The poller calls, for every complete remote file, in this order and only in this order:

1. ``find_duplicate(item)``: a reason string when this file was already delivered (same partner and
   name and SHA-256, or same ISA sender, ISA13 control number and SHA-256), else ``None``.
   Duplicate → ``record_duplicate(item, reason)``, then the remote file is archived. The same ISA13
   with other content is NOT a duplicate: partners reset and wrap their counters, so it is a new
   interchange (a sink may keep a warning with it).
2. Not X12 or unreadable → ``record_rejected(item, data, reason)`` (keep the bytes for a person),
   then the remote file goes to the error folder with a ``<name>.reason.txt``.
3. Otherwise ``ref = store_raw(item, data)`` (must be durable when it returns), then
   ``enqueue(ref, item)``; ONLY THEN is the remote file moved to the archive.

If any sink call raises, the remote file stays in the inbound folder and is tried again next poll, so a
sink must make ``store_raw`` idempotent (same bytes → same ref) and report a file as a duplicate only
once ``enqueue`` returned for it. The in-memory sink below follows these rules;
``crossdock.actors.intake.StoreInboundSink`` puts the store's raw payload table and the broker behind
the same Protocol.

:class:`MailboxLock` is the per-mailbox lock a poller holds for one poll, so two pollers on one
mailbox (two hosts, a restart overlap) never read it at the same time: the one that does not get it
skips that poll and says so. The composition provides it (the store-backed sink holds it in the
database, across hosts; :class:`~crossdock.bridges.sftp.folder_sink.FolderSink` in its folder).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class IsaKey:
    """What identifies an interchange: ISA05/ISA06 (sender qualifier and id) and ISA13."""

    sender_qualifier: str
    sender_id: str
    control_number: str

    def __str__(self) -> str:
        return f"{self.sender_qualifier}:{self.sender_id}#{self.control_number}"


@dataclass(frozen=True)
class InboundFile:
    partner: str
    name: str
    size: int
    sha256: str
    isa: IsaKey | None = None


class InboundSink(Protocol):
    def find_duplicate(self, item: InboundFile) -> str | None: ...

    def record_duplicate(self, item: InboundFile, reason: str) -> None: ...

    def record_rejected(self, item: InboundFile, data: bytes, reason: str) -> None: ...

    def store_raw(self, item: InboundFile, data: bytes) -> str: ...

    def enqueue(self, ref: str, item: InboundFile) -> None: ...


class MailboxLock(Protocol):
    def hold(self, mailbox: str) -> AbstractContextManager[bool]:
        """Enter: ``True`` when this poller now holds ``mailbox`` (until exit), ``False`` at once when
        another poller holds it."""
        ...


@dataclass
class MemorySink:
    """An in-process :class:`InboundSink` for tests and the demo (a real implementation, not a mock)."""

    stored: dict[str, bytes] = field(default_factory=dict)
    queue: list[tuple[str, InboundFile]] = field(default_factory=list)
    duplicates: list[tuple[InboundFile, str]] = field(default_factory=list)
    rejected: list[tuple[InboundFile, bytes, str]] = field(default_factory=list)
    _by_content: set[tuple[str, str, str]] = field(default_factory=set)
    _by_isa: set[tuple[str, IsaKey, str]] = field(default_factory=set)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)

    @contextmanager
    def hold(self, mailbox: str) -> Iterator[bool]:
        """A :class:`MailboxLock` within this process."""
        lock = self._locks.setdefault(mailbox, threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield held
        finally:
            if held:
                lock.release()

    def find_duplicate(self, item: InboundFile) -> str | None:
        if (item.partner, item.name, item.sha256) in self._by_content:
            return f"already received {item.name} with the same content (sha256 {item.sha256[:12]})"
        if item.isa is not None and (item.partner, item.isa, item.sha256) in self._by_isa:
            return f"already received interchange {item.isa} with the same content from this sender"
        return None

    def record_duplicate(self, item: InboundFile, reason: str) -> None:
        self.duplicates.append((item, reason))

    def record_rejected(self, item: InboundFile, data: bytes, reason: str) -> None:
        self.rejected.append((item, data, reason))

    def store_raw(self, item: InboundFile, data: bytes) -> str:
        ref = "sha256:" + hashlib.sha256(data).hexdigest()
        self.stored[ref] = data
        return ref

    def enqueue(self, ref: str, item: InboundFile) -> None:
        if ref not in self.stored:
            raise KeyError(f"enqueue of {ref} before it was stored")
        self.queue.append((ref, item))
        self._by_content.add((item.partner, item.name, item.sha256))
        if item.isa is not None:
            self._by_isa.add((item.partner, item.isa, item.sha256))
