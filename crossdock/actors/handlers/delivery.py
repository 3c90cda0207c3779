"""``outbox.deliver``: put one outbox row's document where its partner picks it up, and record that.

The step that recorded the row sends this message once its transaction committed; the outbox sweeper
(:mod:`crossdock.actors.outbox_sweeper`) and ``crossdock outbox deliver`` send or do the same for rows
left pending (a worker killed between the commit and the send, a delivery dead-lettered while the
partner's server was down). Delivery is idempotent on the row: a delivered row is not written again;
the file goes under the name recorded with the row, with the bytes recorded (never rendered again), and
a file already there with those bytes is the same delivery. The step holds no database transaction
while it writes the file: it reads the row, writes, then records the delivery in a short transaction
of its own. A different file under the name is an :class:`OutboundConflictError` for the integration
owner (parked as an exception work item, keyed ``outbox:<id>``); the row is held (the sweeper leaves
it alone) until ``crossdock outbox deliver ID`` after the other file was moved away.
"""

from __future__ import annotations

import logging

from crossdock.actors.context import StepContext
from crossdock.actors.handlers.outbound import OutboundConflictError
from crossdock.actors.handlers.ports import FlowPorts
from crossdock.actors.steps import Outgoing
from crossdock.canonical.inbound import OutboxDelivery
from crossdock.store import OutboxEntry

log = logging.getLogger(__name__)


def deliver(ports: FlowPorts, outbox_id: int) -> OutboxEntry | None:
    """Deliver outbox row ``outbox_id`` unless it was delivered; returns the row as it is now, or
    ``None`` when there is no such row."""
    entry = ports.store.outbox.get(outbox_id)
    if entry is None:
        log.warning("outbox row %s does not exist: nothing to deliver", outbox_id)
        return None
    if entry.delivered_at is not None:
        return entry
    content = ports.store.outbox.content(outbox_id)
    assert content is not None  # the row exists and the column is NOT NULL
    partner = ports.partner(entry.partner)
    try:
        where = partner.outbound.put(entry.file_name, content)
    except OutboundConflictError as exc:
        ports.store.outbox.hold(outbox_id, str(exc))
        raise OutboundConflictError(exc.where, key=f"outbox:{outbox_id}") from None
    ports.store.outbox.mark_delivered(outbox_id, where)
    log.info("outbox %s delivered: %s %s ISA13 %09d to %s", outbox_id, entry.partner, entry.set_id,
             entry.isa_control, where)  # fmt: skip
    return ports.store.outbox.get(outbox_id)


def handle(ports: FlowPorts, ctx: StepContext, document: OutboxDelivery) -> list[Outgoing]:
    deliver(ports, document.outbox_id)
    return []
