"""What the store holds, counted: the figures a run of the flows is checked against (the lifecycle demo's
summary, tests). Every figure is a query of what the steps recorded (outbox, links, journal, exception
items), never a count kept beside them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

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
from crossdock.store.order_rows import OrderLineStateRow, OrderStateRow
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


@dataclass(frozen=True, slots=True)
class BookedOrder:
    state: str
    cancelled: bool
    """Some of it was cancelled (a line, a quantity, or all of it)."""


def order_book(store: Store) -> dict[tuple[str, str], BookedOrder]:
    """Every order the order book holds, by (channel, external id): its state, and whether any of it was
    cancelled."""
    with store.db.read() as s:
        states = s.execute(select(OrderStateRow.channel, OrderStateRow.external_id, OrderStateRow.state)).all()
        cut = {(str(channel), str(order)) for channel, order in s.execute(
            select(OrderLineStateRow.channel, OrderLineStateRow.external_id)
            .where(OrderLineStateRow.cancelled_e4 > 0).distinct())}  # fmt: skip
    held = {(str(channel), str(order)): str(state) for channel, order, state in states}
    return {key: BookedOrder(state, key in cut or state == "cancelled") for key, state in held.items()}


def step_timings(store: Store, since: datetime) -> dict[str, dict[str, float]]:
    """p50 / p99 / count of every step's successful hops since ``since``, from the journal."""
    with store.db.read() as s:
        rows = s.execute(select(JournalRow.actor, JournalRow.duration_ms).where(
            JournalRow.status == HopStatus.SUCCEEDED.value, JournalRow.started_at >= since,
            JournalRow.duration_ms.is_not(None))).all()  # fmt: skip
    per: dict[str, list[float]] = {}
    for actor, duration in rows:
        if duration is not None:  # filtered above; the column is nullable
            per.setdefault(str(actor), []).append(float(duration))
    return {actor: {"p50_ms": round(_quantile(v, 0.5), 1), "p99_ms": round(_quantile(v, 0.99), 1), "n": len(v)}
            for actor, v in sorted(per.items())}  # fmt: skip


def hop_statuses(store: Store, since: datetime) -> dict[str, int]:
    """How many hops ended in each status since ``since`` (``retried``: the outage's waits among them)."""
    with store.db.read() as s:
        rows = s.execute(select(JournalRow.status, func.count()).where(JournalRow.started_at >= since)
                         .group_by(JournalRow.status)).all()  # fmt: skip
    return {str(status): int(n) for status, n in sorted(rows)}


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
