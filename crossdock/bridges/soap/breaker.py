"""A circuit breaker for the ERP: closed → open after N consecutive transient failures → half-open
after a cool-down, when exactly one probe call goes through; its success closes the circuit, its
failure opens it again. Business faults mean the ERP answered, so they count as successes.

While the circuit is open every refused call, the failure that opened it and a failed probe raise
:class:`CircuitOpenError`, an :class:`~crossdock.errors.UnavailableError`: the error policy then
requeues the message after ``retry_after`` seconds without spending one of its retries, for up to
``outage_window_s`` (an ERP maintenance window; default 12 h). Only the failures before the circuit
opens are ordinary transient errors that spend a retry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

from crossdock.errors import TransientError, UnavailableError


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


DEFAULT_OUTAGE_WINDOW_S = 12 * 3600.0


class CircuitOpenError(UnavailableError):
    """The circuit is open: the ERP was not called (or this call's failure opened it, see ``__cause__``).
    Try again after ``retry_after`` seconds."""

    def __init__(self, name: str, failures: int, retry_after: float, wait_limit_s: float) -> None:
        super().__init__(
            f"{name} circuit is open after {failures} consecutive failures; next probe in {retry_after:.1f}s",
            retry_after=retry_after,
            wait_limit_s=wait_limit_s,
        )


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        *,
        outage_window_s: float = DEFAULT_OUTAGE_WINDOW_S,
        name: str = "ERP",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or cooldown_s < 0 or outage_window_s < 0:
            raise ValueError("failure_threshold must be >= 1, cooldown_s and outage_window_s >= 0")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.outage_window_s = outage_window_s
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
            raise self._open_error(max(self.cooldown_s - waited, 0.0))

    def _open_error(self, retry_after: float) -> CircuitOpenError:
        return CircuitOpenError(self.name, self._failures, retry_after, self.outage_window_s)

    def _record(self, failed: bool) -> CircuitOpenError | None:
        """Record a call's outcome; for a failure while the circuit is (now) open, the error to raise."""
        with self._lock:
            self._probing = False
            if not failed:
                self._failures = 0
                self._state = CircuitState.CLOSED
                return None
            self._failures += 1
            if self._state is CircuitState.HALF_OPEN or self._failures >= self.failure_threshold:
                if self._state is not CircuitState.OPEN:
                    self._opened_at = self._clock()
                self._state = CircuitState.OPEN
            if self._state is not CircuitState.OPEN:
                return None
            return self._open_error(max(self.cooldown_s - (self._clock() - self._opened_at), 0.0))

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Wrap one ERP call: refuse it while open, and record its outcome. A transient failure while
        the circuit is open (or that opens it) is raised as :class:`CircuitOpenError` from it."""
        self._admit()
        try:
            yield
        except TransientError as exc:
            opened = self._record(failed=True)
            if opened is None:
                raise
            raise opened from exc
        except BaseException:
            self._record(failed=False)
            raise
        self._record(failed=False)
