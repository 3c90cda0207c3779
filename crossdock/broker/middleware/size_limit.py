"""Message size limit, checked at enqueue so the producer gets the error, not a worker."""

from __future__ import annotations

from typing import Any

from dramatiq.broker import Broker
from dramatiq.message import Message
from dramatiq.middleware import Middleware

from crossdock.broker.middleware.errors import MessageTooLargeError


class SizeLimit(Middleware):
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int | None) -> None:
        size = len(message.encode())
        if size > self.max_bytes:
            raise MessageTooLargeError(
                f"message {message.message_id} for actor {message.actor_name} on queue {message.queue_name} "
                f"is {size} bytes; the limit is {self.max_bytes} bytes (setting max_message_bytes)"
            )
