"""Where the REST bridges hand raw payloads: a port the composition root
(``crossdock.actors.intake.StoreWebhookSink``) backs with the store and the broker.

A bridge calls ``store_raw`` (durable, returns a reference) and then ``enqueue(ref)``; it never imports
the store or the broker. ``blocking = False`` tells the ASGI receiver it may call the sink on the event
loop; a sink doing real IO leaves it True and is called in a worker thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class RawSink(Protocol):
    def store_raw(self, channel: str, body: bytes, headers: Mapping[str, str]) -> str:
        """Keep ``body`` durably with the (non-secret) headers that matter; return a reference to it."""
        ...

    def enqueue(self, ref: str) -> None:
        """Ask for the stored payload ``ref`` to be processed."""
        ...


@dataclass
class StoredPayload:
    ref: str
    channel: str
    body: bytes
    headers: dict[str, str]


@dataclass
class InMemorySink:
    """A real, thread-safe in-memory sink for tests and the demo (not durable)."""

    blocking = False
    stored: dict[str, StoredPayload] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store_raw(self, channel: str, body: bytes, headers: Mapping[str, str]) -> str:
        with self._lock:
            ref = f"{channel}-{next(self._ids)}"
            self.stored[ref] = StoredPayload(ref, channel, bytes(body), dict(headers))
        return ref

    def enqueue(self, ref: str) -> None:
        with self._lock:
            if ref not in self.stored:
                raise KeyError(f"unknown payload reference {ref!r}")
            self.queue.append(ref)

    def bodies(self, channel: str | None = None) -> list[bytes]:
        with self._lock:
            return [self.stored[ref].body for ref in self.queue if channel in (None, self.stored[ref].channel)]
