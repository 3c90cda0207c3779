"""Fault injection for the ERP simulator: per operation (or ``*`` for all), add latency, answer a
SOAP fault, answer HTTP 500/503, or hang. Set through ``POST /control`` or ``crossdock erp-sim`` flags."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

ALL = "*"
MAX_HANG_S = 300.0


@dataclass
class Behaviour:
    latency_ms: int = 0
    fault_code: str | None = None  # answer this ErpFault ErrorCode (RECORD_LOCKED is a transient one)
    fault_message: str | None = None
    http_status: int | None = None  # answer this HTTP status with an HTML body (500, 502, 503 ...)
    hang: bool = False  # never answer (up to MAX_HANG_S)
    times: int | None = None  # apply this many times, then drop it; None: until cleared

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Behaviour:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known - {"operation"}
        if unknown:
            raise ValueError(f"unknown behaviour fields: {', '.join(sorted(unknown))}")
        values = {key: data[key] for key in known if key in data}
        behaviour = cls(**values)
        if behaviour.http_status is not None and not 400 <= behaviour.http_status <= 599:
            raise ValueError("http_status must be a 4xx or 5xx status")
        if behaviour.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        return behaviour


@dataclass
class Control:
    """The simulator's current behaviours and a count of calls per operation."""

    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, operation: str, behaviour: Behaviour) -> None:
        with self._lock:
            self.behaviours[operation] = behaviour

    def unset(self, operation: str) -> None:
        """Drop the behaviour of ``operation`` (``*``: the one for all), keeping the call counts."""
        with self._lock:
            self.behaviours.pop(operation, None)

    def clear(self) -> None:
        with self._lock:
            self.behaviours.clear()
            self.calls.clear()

    def take(self, operation: str) -> Behaviour | None:
        """Count one call of ``operation`` and return the behaviour that applies to it, if any."""
        with self._lock:
            self.calls[operation] += 1
            key = operation if operation in self.behaviours else ALL
            behaviour = self.behaviours.get(key)
            if behaviour is not None and behaviour.times is not None:
                behaviour.times -= 1
                if behaviour.times <= 0:
                    del self.behaviours[key]
            return behaviour

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "behaviours": {op: asdict(b) for op, b in self.behaviours.items()},
                "calls": dict(self.calls),
            }
