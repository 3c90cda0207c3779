"""The pace of ERP calls: at most ``rate`` calls per second from one worker process.

A token bucket (as GCRA: one "theoretical arrival time" instead of a token count), shared by every
thread of the process that calls through the same :class:`~crossdock.bridges.soap.ErpGateway`. A caller
that comes too early reserves the next free slot and sleeps until it; up to ``burst`` calls may go at
once after a quiet spell. So a backlog that waited through an ERP outage drains at ``rate`` calls/s
per worker process (N processes: N times ``rate``), not as fast as the threads can send it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_MAX_CALLS_PER_S = 50.0


class CallPacer:
    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = clock()  # the theoretical arrival time of the next call

    def reserve(self) -> float:
        """Take the next slot; the seconds the caller must wait for it (0: go now)."""
        with self._lock:
            now = self._clock()
            slot = max(self._next, now)
            self._next = slot + self._interval
            return max(slot - now - (self.burst - 1) * self._interval, 0.0)

    def wait(self) -> None:
        """Block until this caller may make its call."""
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
