"""The simulator's misbehaviour: a token bucket per channel (→ 429) and injected faults
(latency, an HTTP status, a hang, a malformed JSON body), each for a bounded number of requests."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["latency", "status", "hang", "malformed"]
KINDS = ("latency", "status", "hang", "malformed")


@dataclass
class TokenBucket:
    capacity: float = 20.0
    refill_per_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    tokens: float = -1.0
    _at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> float:
        """Take a token: 0.0 when allowed, otherwise the seconds until one is available."""
        with self._lock:
            now = self.clock()
            if self.tokens < 0:
                self.tokens, self._at = self.capacity, now
            self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.refill_per_s)
            self._at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.refill_per_s if self.refill_per_s > 0 else math.inf

    @property
    def used(self) -> int:
        return max(0, math.ceil(self.capacity - max(self.tokens, 0))) if self.tokens >= 0 else 0


@dataclass
class Fault:
    kind: FaultKind
    channel: str = "*"
    path_contains: str = ""
    status: int = 503
    latency_ms: int = 0
    hang_s: float = 30.0
    retry_after: int | None = None
    skip: int = 0
    times: int = 1

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise ValueError(f"a fault needs kind in {', '.join(KINDS)}")
        allowed = set(cls.__dataclass_fields__)
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        fault = cls(**data)
        if not (0 <= fault.times <= 10_000 and 0 <= fault.skip <= 10_000 and 0 <= fault.hang_s <= 600):
            raise ValueError("times and skip must be 0..10000, hang_s 0..600")
        if not 100 <= fault.status <= 599:
            raise ValueError("status must be an HTTP status code")
        return fault

    def matches(self, channel: str, path: str) -> bool:
        return self.channel in ("*", channel) and self.path_contains in path


@dataclass
class Faults:
    items: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.items.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.items.clear()

    def take(self, channel: str, path: str) -> Fault | None:
        """The first matching fault due for this request (consumes one use), or None."""
        with self._lock:
            for fault in self.items:
                if fault.times > 0 and fault.matches(channel, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    return fault
            return None
