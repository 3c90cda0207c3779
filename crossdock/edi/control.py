"""Control numbers (ISA13, GS06, ST02): the allocator port and its in-memory implementation.

The store (``crossdock.store``) provides the persistent, gap-free, concurrency-safe allocator that
implements the same Protocol.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Protocol

__all__ = [
    "MAX_CONTROL_NUMBER",
    "ControlKind",
    "ControlNumberAllocator",
    "InMemoryControlNumbers",
]


class ControlKind(StrEnum):
    INTERCHANGE = "isa"  # ISA13, 9 digits
    GROUP = "gs"  # GS06, up to 9 digits
    SET = "st"  # ST02, 4 to 9 characters


MAX_CONTROL_NUMBER = 999_999_999


class ControlNumberAllocator(Protocol):
    def next(self, partner: str, kind: ControlKind) -> int:
        """The next control number of ``kind`` for trading partner ``partner``, starting at 1."""
        ...


class InMemoryControlNumbers:
    """Thread-safe, process-local: for tests, the CLI's one-off renders and the embedded demo."""

    def __init__(self, start: int = 1) -> None:
        self._lock = threading.Lock()
        self._next: dict[tuple[str, ControlKind], int] = {}
        self._start = start

    def next(self, partner: str, kind: ControlKind) -> int:
        with self._lock:
            value = self._next.get((partner, kind), self._start)
            self._next[(partner, kind)] = 1 if value >= MAX_CONTROL_NUMBER else value + 1
            return value
