"""Errors raised from middleware hooks.

Dramatiq's ``Broker.emit_before`` logs and *continues* on any exception that is not a
``MiddlewareError``, so every hook that must stop a message raises one of these. Each is also a
crossdock error class, so the error policy treats it by what the caller must do.
"""

from __future__ import annotations

from dramatiq.middleware import MiddlewareError

from crossdock.errors import PermanentError, TransientError


class MessageRejectedError(MiddlewareError, PermanentError):
    """The message cannot be read as a crossdock message (bad JSON, wrong schema version ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreUnavailableError(MiddlewareError, TransientError):
    """The journal or idempotency store failed; the step did not run and the message is retried."""


class MessageTooLargeError(MiddlewareError, PermanentError):
    """A message bigger than ``max_message_bytes`` was refused at enqueue."""
