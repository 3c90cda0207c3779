"""Queue and lane names, in one place.

Each flow has its own lane: a RabbitMQ queue consumed independently of the others, so a backlog in
one (a month of settlement lines) never delays another (inventory or shipment updates). Dramatiq
adds ``<queue>.DQ`` (delayed retries) and ``<queue>.XQ`` (dead letters) next to each queue.
"""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    """The crossdock queues. The value is the RabbitMQ queue name."""

    ORDERS = "orders"
    SHIPMENTS = "shipments"
    INVENTORY = "inventory"
    SETTLEMENTS = "settlements"
    RETURNS = "returns"
    EDI_INBOUND = "edi.inbound"
    EDI_OUTBOUND = "edi.outbound"
    ERP = "erp"


LANES: tuple[str, ...] = tuple(lane.value for lane in Lane)

PRIORITY: dict[Lane, int] = {
    Lane.INVENTORY: 0,
    Lane.SHIPMENTS: 0,
    Lane.ORDERS: 10,
    Lane.ERP: 10,
    Lane.EDI_INBOUND: 10,
    Lane.EDI_OUTBOUND: 10,
    Lane.RETURNS: 20,
    Lane.SETTLEMENTS: 100,
}
"""Dramatiq actor priority per lane (lower runs first). A worker process that consumes several lanes
shares its threads between them; priority makes a waiting inventory or shipment message overtake
settlement messages already fetched. Lanes that must never share threads run in separate workers
(``crossdock worker --queues settlements``)."""

DELAY_SUFFIX = ".DQ"
DEAD_LETTER_SUFFIX = ".XQ"


def delay_queue(queue: str) -> str:
    return canonical_queue(queue) + DELAY_SUFFIX


def dead_letter_queue(queue: str) -> str:
    """``orders`` -> ``orders.XQ`` (also for ``orders.DQ``): where a queue's dead letters wait."""
    return canonical_queue(queue) + DEAD_LETTER_SUFFIX


def canonical_queue(queue: str) -> str:
    """The lane queue a delay or dead-letter queue belongs to."""
    if queue.endswith((DELAY_SUFFIX, DEAD_LETTER_SUFFIX)):
        return queue[: -len(DELAY_SUFFIX)]
    return queue
