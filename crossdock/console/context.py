"""What the console's handlers are given: the store, settings, console config, the deadlines of the
expected documents (flows.yaml ``sla:``), a clock, and the broker operations (queue depths, dead
letters on RabbitMQ) behind one small seam."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdock.broker.dlq import DeadLetter, DeadLetterQueues
from crossdock.broker.lanes import LANES
from crossdock.broker.queue_stats import QueueReport, queue_report
from crossdock.console.config import ConsoleConfig
from crossdock.settings import Settings
from crossdock.store import Store
from crossdock.store.sla import DEFAULT, Deadlines

PAGE_TIMEOUT_S = 5.0
"""The longest a page waits for RabbitMQ (actions use the settings' network timeout)."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BrokerView:
    """RabbitMQ as the console reads it; ``None`` results (with a reason) when there is no broker."""

    url: str | None
    management_url: str | None
    timeout_s: float

    def queues(self) -> tuple[QueueReport | None, str | None]:
        if self.url is None:
            return None, "no broker URL (CROSSDOCK_BROKER_URL): the embedded broker has no queues to show"
        timeout = min(self.timeout_s, PAGE_TIMEOUT_S)  # a page that refreshes itself must not hang on RabbitMQ
        try:
            return queue_report(self.url, LANES, management_url=self.management_url, timeout_s=timeout), None
        except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
            return None, f"cannot read queues from RabbitMQ: {type(exc).__name__}"

    def dead_letters(self, queues: list[str]) -> tuple[list[DeadLetter], str | None]:
        if self.url is None:
            return [], "no broker URL: showing the dead letters journaled in the store"
        try:
            return DeadLetterQueues(self.url, queues, timeout_s=min(self.timeout_s, PAGE_TIMEOUT_S)).letters(), None
        except Exception as exc:  # pika raises many unrelated classes for "cannot connect"
            return [], f"cannot read the dead-letter queues on RabbitMQ ({type(exc).__name__}): showing the store's"


@dataclass(frozen=True, slots=True)
class ConsoleContext:
    store: Store
    settings: Settings
    config: ConsoleConfig
    clock: Callable[[], datetime] = field(default=_now)
    deadlines: Deadlines = DEFAULT

    @property
    def broker(self) -> BrokerView:
        s = self.settings
        return BrokerView(s.broker_url, s.rabbitmq_management_url, s.network_timeout_s)
