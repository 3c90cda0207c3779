"""What the store holds, counted: the figures a run of the flows is checked against (the lifecycle demo's
summary, tests). Every figure is a query of what the steps recorded (outbox, links, journal, exception
items), never a count kept beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all

from crossdock.store.journal import HopStatus
from crossdock.store.links import DocType
from crossdock.store.models import (
    DocumentLinkRow,
    ExceptionItemRow,
    JournalRow,
    OutboxDeliveryRow,
    OutboxRow,
)
from crossdock.store.store import Store
from crossdock.store.work_items import ItemStatus

OPEN = ItemStatus.OPEN.value


@dataclass(frozen=True, slots=True)
class Census:
    sent: dict[str, int]
    """Outbound X12 documents delivered, by set (``940``, ``997``, ``856`` ...)."""
    recorded_not_delivered: int
    """Outbox documents recorded but not (yet) delivered."""
    acks_reconciled: int
    """Our outbound groups a partner's 997 was linked to."""
    duplicates: int
    """Messages the steps skipped as already processed (journal ``duplicate``)."""
    open_items: dict[str, int] = field(default_factory=dict)
    """Open exception items by owner."""


def _linked(doc_type: str, other: str) -> object:
    """Distinct ``doc_type`` documents linked to at least one ``other`` (links are stored either way round)."""
    a = select(DocumentLinkRow.a_id.label("id")).where(DocumentLinkRow.a_type == doc_type,
                                                      DocumentLinkRow.b_type == other)  # fmt: skip
    b = select(DocumentLinkRow.b_id.label("id")).where(DocumentLinkRow.b_type == doc_type,
                                                      DocumentLinkRow.a_type == other)  # fmt: skip
    both = union_all(a, b).subquery()
    return select(func.count(func.distinct(both.c.id)))


def take(store: Store) -> Census:
    with store.db.read() as s:
        delivered = s.execute(
            select(OutboxRow.set_id, func.count())
            .join(OutboxDeliveryRow, OutboxDeliveryRow.outbox_id == OutboxRow.id)
            .group_by(OutboxRow.set_id)
        ).all()
        total = s.scalar(select(func.count()).select_from(OutboxRow)) or 0
        acks = s.scalar(_linked(DocType.GROUP, DocType.ACKNOWLEDGMENT)) or 0  # type: ignore[call-overload]
        duplicates = s.scalar(
            select(func.count()).select_from(JournalRow).where(JournalRow.status == HopStatus.DUPLICATE.value)
        ) or 0
        owners = s.execute(
            select(ExceptionItemRow.owner, func.count())
            .where(ExceptionItemRow.status == OPEN)
            .group_by(ExceptionItemRow.owner)
        ).all()
    sent = {str(set_id): int(n) for set_id, n in delivered}
    return Census(
        sent=sent,
        recorded_not_delivered=int(total) - sum(sent.values()),
        acks_reconciled=int(acks),
        duplicates=int(duplicates),
        open_items={str(owner): int(n) for owner, n in owners},
    )


def open_item_keys(store: Store) -> set[str]:
    """The business keys of the open exception items (what an operator sees as waiting)."""
    with store.db.read() as s:
        keys: Iterable[str | None] = s.scalars(
            select(ExceptionItemRow.business_key).where(ExceptionItemRow.status == OPEN)
        )
        return {key for key in keys if key}


ORDER_KINDS = (DocType.PURCHASE_ORDER.value, DocType.MARKETPLACE_ORDER.value)


def orders_seen(store: Store) -> set[str]:
    """Every order (buyer PO, marketplace order id) a step linked to anything: booked, sent or shipped."""
    with store.db.read() as s:
        a = s.scalars(select(DocumentLinkRow.a_id).where(DocumentLinkRow.a_type.in_(ORDER_KINDS)))
        b = s.scalars(select(DocumentLinkRow.b_id).where(DocumentLinkRow.b_type.in_(ORDER_KINDS)))
        return {*a, *b}


def parked_orders(store: Store) -> set[str]:
    """Orders an order step parked and that are still waiting for a person (their open items' keys)."""
    with store.db.read() as s:
        keys = s.scalars(select(ExceptionItemRow.business_key).where(
            ExceptionItemRow.status == OPEN, ExceptionItemRow.actor.like("orders.%")))  # fmt: skip
        return {key for key in keys if key}
