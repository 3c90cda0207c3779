"""A circuit breaker for the ERP: closed → open after N consecutive transient failures → half-open
after a cool-down, when exactly one probe call goes through; its success closes the circuit, its
failure opens it again. Business faults mean the ERP answered, so they count as successes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

from crossdock.errors import TransientError


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(TransientError):
    """The circuit is open: the ERP was not called. Retry after ``retry_after`` seconds."""

    def __init__(self, name: str, failures: int, retry_after: float) -> None:
        super().__init__(
            f"{name} circuit is open after {failures} consecutive failures; next probe in {retry_after:.1f}s"
        )
        self.retry_after = retry_after


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        *,
        name: str = "ERP",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown_s < 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown_s >= 0")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at = 0.0
        self._state = CircuitState.CLOSED
        self._probing = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.cooldown_s:
                return CircuitState.HALF_OPEN
            return self._state

    def _admit(self) -> None:
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return
            waited = self._clock() - self._opened_at
            if self._state is CircuitState.OPEN and waited >= self.cooldown_s:
                self._state = CircuitState.HALF_OPEN
            if self._state is CircuitState.HALF_OPEN and not self._probing:
                self._probing = True
                return
            raise CircuitOpenError(self.name, self._failures, max(self.cooldown_s - waited, 0.0))

    def _record(self, failed: bool) -> None:
        with self._lock:
            self._probing = False
            if not failed:
                self._failures = 0
                self._state = CircuitState.CLOSED
                return
            self._failures += 1
            if self._state is CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = CircuitState.OPEN
                self._opened_at = self._clock()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Wrap one ERP call: refuse it while open, and record its outcome."""
        self._admit()
        try:
            yield
        except TransientError:
            self._record(failed=True)
            raise
        except BaseException:
            self._record(failed=False)
            raise
        self._record(failed=False)
