"""The kinds of expected document, each read from what the store already holds: the outbox (what was
sent, when it was delivered) and the document links (what came back). No bookkeeping of its own.

A kind is data (name, owner, wording, default deadline in :mod:`.deadlines`) plus one finder: a query
for the documents sent in a time window that have no link to the document expected after them. A new
kind (an 855's 997 when 855s are sent, the invoice after a shipment once invoices are linked) is one
entry in :data:`KINDS` and, when no existing finder fits, one small function.

Links are stored with the smaller document type first (:meth:`DocumentLinks.link`), so a hop from
one type to another reads one known side of ``document_links`` (:class:`_Hop`), which its indexes serve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from crossdock.canonical.lifecycle import OrderState
from crossdock.errors import Owner
from crossdock.store.links import DocRef, DocType
from crossdock.store.models import DocumentLinkRow, OutboxDeliveryRow, OutboxRow
from crossdock.store.order_rows import OrderStateRow

OUTBOX = "outbox"
"""An outbox row in the links (``outbox:<id>``), written by the step that records it."""
ERP_SHIPMENT = "erp_shipment"
"""The ERP's posting of a shipment, linked to the shipment by ``shipments.to_erp``."""
MARKETPLACE_ACK = "marketplace_ack"
"""An order acknowledged to its marketplace (``<channel>:<order id>``), linked to the marketplace order
by ``orders.acknowledge``."""
ORDERS = (DocType.PURCHASE_ORDER.value, DocType.MARKETPLACE_ORDER.value)
_BATCH = 500
KEY_PREFERENCE = ("warehouse_order", "shipment", "invoice", "order")
"""Which of an outbox row's business keys names it, first found."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """A document sent that has no answer yet: who it went to (partner or channel), the document the
    answer will be linked to, its business key, and when it was sent."""

    party: str
    subject: DocRef
    key: str
    sent_at: datetime
    detail: Mapping[str, str] = field(default_factory=dict)


Finder = Callable[[Session, datetime, datetime], list[Waiting]]
"""``(session, since, until)``: documents sent in ``[since, until)`` still waiting, oldest first."""


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    sent: str
    """What was sent, as people say it (``940``, ``shipment``)."""
    expected: str
    owner: Owner
    error_class: str
    message: str
    """The work item's text: a format string over ``party``, ``key``, ``sent`` and the detail."""
    find: Finder
    by_channel: bool = False
    """The party is a marketplace channel (else a trading partner)."""

    @property
    def code(self) -> str:
        """The code of the work items opened for it (``overdue:940-997``)."""
        return f"overdue:{self.name}"


class _Hop:
    """One link from a document of a ``source`` type to one of a ``target`` type."""

    def __init__(self, source: tuple[str, ...], target: tuple[str, ...]) -> None:
        if max(source) >= min(target) and min(source) <= max(target):
            raise ValueError(f"a hop {source} -> {target} must keep one side of the links")
        self.link = aliased(DocumentLinkRow)
        ends = (self.link.a_type, self.link.a_id, self.link.b_type, self.link.b_id)
        if max(source) > min(target):  # the target type sorts first: it is stored as ``a``
            ends = (ends[2], ends[3], ends[0], ends[1])
        self.source_type, self.source_id, self.target_type, self.target_id = ends
        self.where = and_(self.source_type.in_(source), self.target_type.in_(target))

    def after(self, previous: _Hop) -> ColumnElement[bool]:
        """Continue from ``previous``'s target."""
        return and_(self.where, self.source_type == previous.target_type, self.source_id == previous.target_id)

    def at(self, source_id: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool]:
        return and_(self.where, self.source_id == source_id)

    def sources(self) -> Select[Any]:
        """The ids of every source document that has such a link: the answered ones, for a ``NOT IN``.
        Not correlated, so the database computes it once and hashes it, whatever its statistics say (a
        correlated ``NOT EXISTS`` on a table not analysed yet is planned as a nested loop: seconds)."""
        return select(self.source_id).where(self.where)


def _delivered(set_id: str, since: datetime, until: datetime, *, step: str | None = None) -> list[ColumnElement[bool]]:
    sent = OutboxDeliveryRow.delivered_at
    where = [OutboxRow.set_id == set_id, sent >= since, sent < until]
    if step is not None:
        where.append(OutboxRow.step == step)
    return where


def _key(keys: Mapping[str, str] | None, fallback: str) -> str:
    keys = keys or {}
    return next((keys[k] for k in KEY_PREFERENCE if keys.get(k)), next(iter(keys.values()), fallback))


def acknowledgment_of(set_id: str) -> Finder:
    """Outbound groups of ``set_id`` delivered and without the partner's 997 (``group:<partner>:<GS06>``
    has no ``acknowledgment`` link; ``edi.inbound`` writes one for every 997, accepted or not)."""

    def find(session: Session, since: datetime, until: datetime) -> list[Waiting]:
        group_id = OutboxRow.partner + ":" + cast(OutboxRow.gs_control, String)
        ack = _Hop((DocType.GROUP.value,), (DocType.ACKNOWLEDGMENT.value,))
        query = (
            select(OutboxRow.id, OutboxRow.partner, OutboxRow.gs_control, OutboxRow.business_keys,
                   OutboxDeliveryRow.delivered_at)
            .join(OutboxDeliveryRow, OutboxDeliveryRow.outbox_id == OutboxRow.id)
            .where(*_delivered(set_id, since, until), OutboxRow.gs_control.is_not(None))
            .where(group_id.not_in(ack.sources()))
            .order_by(OutboxDeliveryRow.delivered_at, OutboxRow.id)
        )  # fmt: skip
        return [
            Waiting(partner, DocRef(DocType.GROUP, f"{partner}:{gs}"), _key(keys, f"group {gs}"), at,
                    {"set": set_id, "group_control_number": str(gs), "outbox_id": str(outbox_id)})
            for outbox_id, partner, gs, keys, at in session.execute(query)
        ]  # fmt: skip

    return find


def shipment_for_release(session: Session, since: datetime, until: datetime) -> list[Waiting]:
    """940s ``orders.to_warehouse`` delivered whose order has no shipment posted against its ERP order
    yet: outbox row → warehouse order → PO or marketplace order → ERP order → shipment (the link
    ``shipments.to_erp`` writes once the 945 is posted). An order the order book holds as cancelled
    waits for no 945 (its 940 cancel waits for its 997 like any 940)."""
    released = _Hop((OUTBOX,), (DocType.WAREHOUSE_ORDER.value,))
    order = _Hop((DocType.WAREHOUSE_ORDER.value,), ORDERS)
    booked = _Hop(ORDERS, (DocType.ERP_ORDER.value,))
    shipped = _Hop((DocType.ERP_ORDER.value,), (DocType.SHIPMENT.value,))
    # not correlated: computed once and hashed (see _Hop.sources)
    shipped_orders = (
        select(order.source_id)
        .select_from(order.link)
        .join(booked.link, booked.after(order))
        .join(shipped.link, shipped.after(booked))
        .where(order.where)
    )
    query = (
        select(OutboxRow.id, OutboxRow.partner, released.target_id, OutboxDeliveryRow.delivered_at,
               OutboxRow.business_keys)
        .join(OutboxDeliveryRow, OutboxDeliveryRow.outbox_id == OutboxRow.id)
        .join(released.link, released.at(cast(OutboxRow.id, String)))
        .where(*_delivered("940", since, until, step="orders.to_warehouse"))
        .where(released.target_id.not_in(shipped_orders))
        .order_by(OutboxDeliveryRow.delivered_at, OutboxRow.id)
    )  # fmt: skip
    rows = session.execute(query).all()
    keys = [((k or {}).get("channel", ""), (k or {}).get("order", "")) for *_, k in rows]
    cancelled = _cancelled(session, keys)
    return [
        Waiting(partner, DocRef(DocType.WAREHOUSE_ORDER, order_ref), order_ref, at, {"outbox_id": str(outbox_id)})
        for (outbox_id, partner, order_ref, at, _), key in zip(rows, keys, strict=True)
        if key not in cancelled
    ]


def _cancelled(session: Session, orders: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of ``(channel, order id)``, those the order book holds as cancelled (``orders.amend``): a 940
    whose order was cancelled waits for no 945."""
    found: set[tuple[str, str]] = set()
    wanted = set(orders)
    ids = sorted({external_id for _, external_id in wanted if external_id})
    row = OrderStateRow
    for i in range(0, len(ids), _BATCH):
        query = select(row.channel, row.external_id).where(
            row.external_id.in_(ids[i : i + _BATCH]), row.state == OrderState.CANCELLED.value
        )
        found.update((channel, external_id) for channel, external_id in session.execute(query))
    return found & wanted


def _linked(session: Session, source: str, ids: list[str], target: str) -> dict[str, list[str]]:
    """For each of ``ids`` (documents of type ``source``), the ids of the ``target`` documents linked to
    it, in batches: one scan per batch whatever the planner thinks of the table (a join between two
    aliases of the links is planned as a nested loop when the table has no statistics yet)."""
    hop = _Hop((source,), (target,))
    found: dict[str, list[str]] = {}
    unique = sorted(set(ids))
    for i in range(0, len(unique), _BATCH):
        query = select(hop.source_id, hop.target_id).where(hop.where, hop.source_id.in_(unique[i : i + _BATCH]))
        for source_id, target_id in session.execute(query):
            found.setdefault(source_id, []).append(target_id)
    return found


def _first(rows: Iterable[Any]) -> dict[str, datetime]:
    """Each document's first time, from ``(id, time)`` rows oldest first, in that order."""
    first: dict[str, datetime] = {}
    for doc_id, at in rows:
        first.setdefault(doc_id, at)
    return first


def _channels(session: Session, marketplace_orders: list[str]) -> dict[str, str]:
    """The channel of each marketplace order (its ``channel_order:<channel>:<id>`` link)."""
    linked = _linked(session, DocType.MARKETPLACE_ORDER.value, marketplace_orders, DocType.CHANNEL_ORDER.value)
    return {order: sorted(refs)[0].partition(":")[0] for order, refs in linked.items()}


def _posted_shipments(
    session: Session, since: datetime, until: datetime, answer: str, *, marketplace_only: bool
) -> list[Waiting]:
    """Shipments posted to the ERP in the window with no link to a document of type ``answer``; the
    party is the channel of the marketplace order shipped (``edi`` for a buyer's PO)."""
    posted = _Hop((DocType.SHIPMENT.value,), (ERP_SHIPMENT,))
    answered = _Hop((DocType.SHIPMENT.value,), (answer,))
    at = posted.link.created_at
    query = (
        select(posted.source_id, at)
        .where(posted.where, at >= since, at < until, posted.source_id.not_in(answered.sources()))
        .order_by(at, posted.source_id)
    )
    waiting = _first(session.execute(query))
    erp_orders = _linked(session, DocType.SHIPMENT.value, list(waiting), DocType.ERP_ORDER.value)
    orders = _linked(session, DocType.ERP_ORDER.value, [e for es in erp_orders.values() for e in es],
                     DocType.MARKETPLACE_ORDER.value)  # fmt: skip
    channels = _channels(session, [o for os in orders.values() for o in os])
    found = []
    for shipment, posted_at in waiting.items():
        shipped = [o for e in erp_orders.get(shipment, ()) for o in orders.get(e, ())]
        party = next((channels[o] for o in sorted(shipped) if o in channels), None)
        if party is None and marketplace_only:
            continue  # a buyer's PO: no marketplace to confirm to
        found.append(Waiting(party or "edi", DocRef(DocType.SHIPMENT, shipment), shipment, posted_at))
    return found


def confirmation_of_shipment(session: Session, since: datetime, until: datetime) -> list[Waiting]:
    """Shipments of marketplace orders posted to the ERP and not confirmed to the marketplace
    (``shipments.to_marketplace`` links the marketplace's fulfillment to the shipment)."""
    return _posted_shipments(session, since, until, DocType.MARKETPLACE_FULFILLMENT.value, marketplace_only=True)


def invoice_of_shipment(session: Session, since: datetime, until: datetime) -> list[Waiting]:
    """Shipments posted to the ERP without an ``invoice`` linked to them."""
    return _posted_shipments(session, since, until, DocType.INVOICE.value, marketplace_only=False)


def acknowledgment_of_order(session: Session, since: datetime, until: datetime) -> list[Waiting]:
    """Marketplace orders booked in the ERP (``marketplace_order`` ↔ ``erp_order``, written by
    ``orders.to_erp``) without the marketplace's acknowledgment linked; the party is the channel."""
    booked = _Hop((DocType.MARKETPLACE_ORDER.value,), (DocType.ERP_ORDER.value,))
    acknowledged = _Hop((DocType.MARKETPLACE_ORDER.value,), (MARKETPLACE_ACK,))
    at = booked.link.created_at
    query = (
        select(booked.source_id, at)
        .where(booked.where, at >= since, at < until, booked.source_id.not_in(acknowledged.sources()))
        .order_by(at, booked.source_id)
    )
    waiting = list(_first(session.execute(query)).items())
    channels = _channels(session, [order for order, _ in waiting])
    return [
        Waiting(channels[order], DocRef(DocType.MARKETPLACE_ORDER, order), order, booked_at)
        for order, booked_at in waiting
        if order in channels
    ]


def _ack_kind(set_id: str) -> Kind:
    return Kind(f"{set_id}-997", set_id, "997", Owner.INTEGRATION, "AcknowledgmentOverdue",
                "no 997 from {party} for our group {group_control_number} ({sent} {key})",
                acknowledgment_of(set_id))  # fmt: skip


_ALL = (
    _ack_kind("940"),
    _ack_kind("856"),
    _ack_kind("855"),
    _ack_kind("810"),
    Kind("940-945", "940", "945", Owner.WAREHOUSE, "ShipmentOverdue",
         "no 945 from {party} for our 940 of warehouse order {key}", shipment_for_release),
    Kind("945-confirmation", "shipment", "marketplace confirmation", Owner.INTEGRATION, "ConfirmationOverdue",
         "shipment {key} not confirmed to {party}", confirmation_of_shipment, by_channel=True),
    Kind("shipment-invoice", "shipment", "invoice", Owner.FINANCE, "InvoiceOverdue",
         "no invoice for shipment {key} ({party})", invoice_of_shipment, by_channel=True),
    Kind("order-acknowledgment", "order booked", "marketplace acknowledgment", Owner.INTEGRATION,
         "OrderAcknowledgmentOverdue", "{party} order {key} booked and not acknowledged to {party}",
         acknowledgment_of_order, by_channel=True),
)  # fmt: skip
KINDS: Mapping[str, Kind] = {kind.name: kind for kind in _ALL}
"""Every kind, by name (the names flows.yaml's ``sla:`` uses)."""
