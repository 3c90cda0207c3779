"""Waiting out a dependency's outage: what the error policy does with an
:class:`~crossdock.errors.UnavailableError` (an open ERP circuit breaker).

The message is requeued with a delay and its retry count is left alone. The delay is the breaker's
``retry_after``, or as long as the message has already waited when that is longer (at most
:data:`MAX_WAIT_S`: a long maintenance window costs a message one requeue, and one journal row, every
5 minutes rather than every cool-down), never under :data:`MIN_WAIT_S`, plus up to :data:`JITTER` of
it so a backlog does not come back all at once.

The first wait stamps ``options["waiting_since"]`` (epoch seconds); once the message has waited longer
than the error's ``wait_limit_s`` (the ERP's ``outage_window_s``, default 12 h) the failure
counts as an ordinary transient one: retried with backoff up to ``max_retries``, then dead-lettered.
The stamp stays on the message for good, so a message can never wait longer than the window in all.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from crossdock.errors import UnavailableError

WAITING_SINCE = "waiting_since"
MIN_WAIT_S = 1.0
MAX_WAIT_S = 300.0
JITTER = 0.2


def waited_s(options: Mapping[str, Any], now: float) -> float:
    """How long the message has been waiting for the dependency (0 when it never waited)."""
    since = options.get(WAITING_SINCE)
    return max(now - float(since), 0.0) if isinstance(since, int | float) else 0.0


def may_wait(exception: BaseException, waited: float) -> bool:
    """Pure: whether a message that failed with ``exception`` after ``waited`` seconds of waiting waits again."""
    return isinstance(exception, UnavailableError) and waited + exception.retry_after <= exception.wait_limit_s


def start_waiting(options: MutableMapping[str, Any], now: float) -> None:
    options.setdefault(WAITING_SINCE, now)


def delay_ms(exception: UnavailableError, waited: float = 0.0, rng: Callable[[], float] = random.random) -> int:
    """The requeue delay of a message that has waited ``waited`` seconds so far (see the module's doc)."""
    base = max(exception.retry_after, MIN_WAIT_S, min(waited, MAX_WAIT_S))
    return int(base * (1 + JITTER * rng()) * 1000)
