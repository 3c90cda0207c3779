"""Read models for the ops console and its business metrics: what an operator's overview shows, as
the store knows it. Every function is a few bounded queries; none writes.

- :func:`open_items_by_owner`: open exception items per owner, with age buckets and the oldest.
- :func:`dead_letters_by_queue`: journaled dead letters not yet replayed or purged.
- :func:`oldest_unfinished`: per queue, the oldest message the journal saw start and not finish.
- :func:`orders_since`: orders first linked since a time, by channel and state.
- :func:`partner_activity`: per partner, the last file in, the last group out and its 997.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from crossdock.store.dead_letters import LetterStatus
from crossdock.store.engine import Database
from crossdock.store.journal import HopStatus
from crossdock.store.links import DocType
from crossdock.store.models import DeadLetterRow, DocumentLinkRow, ExceptionItemRow, JournalRow, RawPayloadRow
from crossdock.store.work_items import ItemStatus

AGE_BUCKETS = (("< 1 h", timedelta(hours=1)), ("< 24 h", timedelta(hours=24)), ("older", timedelta.max))
FINAL = (HopStatus.SUCCEEDED, HopStatus.PARKED, HopStatus.DEAD_LETTERED, HopStatus.DUPLICATE, HopStatus.IGNORED)
MAX_ROWS = 10_000
_MESSAGE_BODY_NAME = re.compile(r"[0-9a-f]{32}")
"""Raw payloads named by a message id are message bodies the journal kept, not partner files."""


@dataclass(frozen=True, slots=True)
class OwnerItems:
    owner: str
    count: int
    oldest: datetime | None
    by_age: dict[str, int]


@dataclass(frozen=True, slots=True)
class OrderCount:
    channel: str
    state: str
    count: int


@dataclass(slots=True)
class PartnerActivity:
    partner: str
    last_in: datetime | None = None
    last_in_name: str | None = None
    files_in: int = 0
    last_out: datetime | None = None
    last_out_group: str | None = None
    groups_out: int = 0
    ack_status: str | None = None
    """The last group's 997: ``A`` accepted, ``E`` with errors, ``R`` rejected, ``None`` none yet."""
    unacknowledged: int = 0
    groups: list[tuple[str, datetime, str | None]] = field(default_factory=list)
    """Recent groups out, newest first: (group control number, sent at, 997 status)."""
    files: list[tuple[int, str, datetime, str | None]] = field(default_factory=list)
    """Recent files in, newest first: (raw payload id, name, received at, ISA13)."""


def open_items_by_owner(db: Database, *, now: datetime) -> list[OwnerItems]:
    """Open exception items per owner (sorted by owner), counted by age."""
    query = (
        select(ExceptionItemRow.owner, ExceptionItemRow.created_at)
        .where(ExceptionItemRow.status == ItemStatus.OPEN.value)
        .limit(MAX_ROWS)
    )
    ages: dict[str, list[datetime]] = defaultdict(list)
    with db.read() as s:
        for owner, created in s.execute(query):
            ages[owner].append(created)
    found = []
    for owner, opened in sorted(ages.items()):
        buckets: Counter[str] = Counter()
        for at in opened:
            age = now - at
            buckets[next(name for name, limit in AGE_BUCKETS if age < limit)] += 1
        found.append(OwnerItems(owner, len(opened), min(opened), {name: buckets[name] for name, _ in AGE_BUCKETS}))
    return found


def dead_letters_by_queue(db: Database) -> dict[str, int]:
    query = (
        select(DeadLetterRow.queue, func.count())
        .where(DeadLetterRow.status == LetterStatus.DEAD.value)
        .group_by(DeadLetterRow.queue)
    )
    with db.read() as s:
        return {queue: int(count) for queue, count in s.execute(query)}


def oldest_unfinished(db: Database, *, now: datetime, within: timedelta = timedelta(days=2)) -> dict[str, datetime]:
    """Per queue, when the oldest message that started in the last ``within`` and has no final hop
    (succeeded, parked, dead-lettered, duplicate) started: a stuck or slow lane."""
    final = func.sum(case((JournalRow.status.in_([s.value for s in FINAL]), 1), else_=0))
    per_message = (
        select(JournalRow.queue, JournalRow.message_id, func.min(JournalRow.started_at).label("started"))
        .where(JournalRow.started_at >= now - within)
        .group_by(JournalRow.queue, JournalRow.message_id)
        .having(final == 0)
        .subquery()
    )
    query = select(per_message.c.queue, func.min(per_message.c.started)).group_by(per_message.c.queue)
    with db.read() as s:
        return {queue: started for queue, started in s.execute(query) if started is not None}


ORDER_TYPES = (DocType.PURCHASE_ORDER.value, DocType.MARKETPLACE_ORDER.value)
FURTHER = (DocType.ERP_ORDER.value, DocType.WAREHOUSE_ORDER.value)
STATES = (  # the furthest document an order is linked to names its state
    (DocType.SHIPMENT.value, "shipped"),
    (DocType.WAREHOUSE_ORDER.value, "sent to warehouse"),
    (DocType.ERP_ORDER.value, "booked"),
)


def _orders_linked_since(s: Session, since: datetime) -> set[tuple[str, str]]:
    rows = DocumentLinkRow
    query = (
        select(rows.a_type, rows.a_id, rows.b_type, rows.b_id)
        .where(rows.created_at >= since, or_(rows.a_type.in_(ORDER_TYPES), rows.b_type.in_(ORDER_TYPES)))
        .limit(MAX_ROWS)
    )
    orders: set[tuple[str, str]] = set()
    for a_type, a_id, b_type, b_id in s.execute(query):
        orders |= {(t, i) for t, i in ((a_type, a_id), (b_type, b_id)) if t in ORDER_TYPES}
    return orders


def orders_since(db: Database, since: datetime) -> list[OrderCount]:
    """Orders (purchase orders from EDI buyers, marketplace orders) first seen since ``since``, by
    channel and state: ``parked`` (an open exception item names it), ``shipped``, ``sent to
    warehouse``, ``booked`` in the ERP, or ``received``. Parked orders that no step linked yet (an
    order refused at intake) count under their item's channel."""
    with db.read() as s:
        orders = _orders_linked_since(s, since)
        ids = sorted({i for _, i in orders})
        neighbours: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for start in range(0, len(ids), 500):
            neighbours.update(_neighbours(s, ids[start : start + 500]))
        # a shipment is linked to the ERP order and the warehouse order, one hop further
        further = sorted({i for linked in neighbours.values() for t, i in linked if t in FURTHER} - set(ids))
        for start in range(0, len(further), 500):
            neighbours.update(_neighbours(s, further[start : start + 500]))
        open_items = list(
            s.execute(
                select(ExceptionItemRow.business_key, ExceptionItemRow.channel, ExceptionItemRow.created_at)
                .where(ExceptionItemRow.status == ItemStatus.OPEN.value)
                .limit(MAX_ROWS)
            )
        )
    parked_keys = {_bare_key(k) for k, _, _ in open_items if k}
    counts: Counter[tuple[str, str]] = Counter()
    for doc_type, doc_id in orders:
        linked = set(neighbours[doc_id])
        for t, i in list(linked):
            if t in FURTHER:
                linked |= neighbours.get(i, set())
        channel = next((i.partition(":")[0] for t, i in linked if t == DocType.CHANNEL_ORDER.value), None)
        channel = channel or ("edi" if doc_type == DocType.PURCHASE_ORDER.value else "marketplace")
        counts[(channel, _state(doc_id, {t for t, _ in linked}, parked_keys))] += 1
    known = {i for _, i in orders}
    for key, channel, created in open_items:
        if created >= since and key and _bare_key(key) not in known:
            counts[(channel or "unknown", "parked")] += 1
    return [OrderCount(channel, state, n) for (channel, state), n in sorted(counts.items())]


def _neighbours(s: Session, ids: list[str]) -> dict[str, set[tuple[str, str]]]:
    rows = DocumentLinkRow
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    query = select(rows.a_type, rows.a_id, rows.b_type, rows.b_id).where(or_(rows.a_id.in_(ids), rows.b_id.in_(ids)))
    for a_type, a_id, b_type, b_id in s.execute(query):
        found[a_id].add((b_type, b_id))
        found[b_id].add((a_type, a_id))
    return found


def _bare_key(key: str) -> str:
    """``external_id=PO-1`` → ``PO-1`` (work items name their order as ``field=value``)."""
    return key.partition("=")[2] if "=" in key else key


def _state(order_id: str, linked: set[str], parked: set[str]) -> str:
    if order_id in parked:
        return "parked"
    return next((state for doc_type, state in STATES if doc_type in linked), "received")


def _ack_status(ack_id: str) -> str:
    return ack_id.rpartition(":")[2] or "?"


def partner_activity(db: Database, *, limit: int = 2000, groups_per_partner: int = 20) -> list[PartnerActivity]:
    """Per partner (SFTP partners, marketplace channels): the last file received, the last X12 group
    sent and its 997 status (``A``, ``E``, ``R`` or none yet), from the last ``limit`` of each."""
    partners: dict[str, PartnerActivity] = {}

    def partner(name: str) -> PartnerActivity:
        return partners.setdefault(name, PartnerActivity(name))

    raw = RawPayloadRow
    links = DocumentLinkRow
    with db.read() as s:
        inbound = s.execute(
            select(raw.id, raw.source, raw.name, raw.received_at, raw.interchange_control)
            .where(or_(raw.source.like("sftp:%"), raw.source.like("webhook:%"), raw.source.like("poll:%")))
            .order_by(raw.id.desc())
            .limit(limit)
        )
        for payload_id, source, name, received, isa13 in inbound:
            if _MESSAGE_BODY_NAME.fullmatch(name):
                continue
            p = partner(source.partition(":")[2] or source)
            p.files_in += 1
            if len(p.files) < groups_per_partner:
                p.files.append((payload_id, name, received, isa13))
            if p.last_in is None or received > p.last_in:
                p.last_in, p.last_in_name = received, name
        group_rows = s.execute(
            select(links.a_type, links.a_id, links.b_type, links.b_id, links.created_at)
            .where(or_(links.a_type == DocType.GROUP.value, links.b_type == DocType.GROUP.value))
            .order_by(links.id.desc())
            .limit(limit)
        )
        sent: dict[str, datetime] = {}
        acks: dict[str, str] = {}
        for a_type, a_id, b_type, b_id, created in group_rows:
            is_a = a_type == DocType.GROUP.value
            group, other_type, other_id = (a_id, b_type, b_id) if is_a else (b_id, a_type, a_id)
            sent[group] = min(created, sent.get(group, created))
            if other_type == DocType.ACKNOWLEDGMENT.value:
                acks[group] = _ack_status(other_id)
    for group, at in sorted(sent.items(), key=lambda kv: kv[1], reverse=True):
        name, _, number = group.rpartition(":")
        p = partner(name or group)
        p.groups_out += 1
        status = acks.get(group)
        p.unacknowledged += status is None
        if len(p.groups) < groups_per_partner:
            p.groups.append((number, at, status))
        if p.last_out is None:
            p.last_out, p.last_out_group, p.ack_status = at, number, status
    return sorted(partners.values(), key=lambda p: p.partner)


def correlations_of_payload(db: Database, payload_id: int, *, limit: int = 50) -> list[str]:
    """The correlations whose journal names raw payload ``payload_id`` (the message body it kept)."""
    query = select(JournalRow.correlation_id).where(JournalRow.raw_payload_id == payload_id).distinct().limit(limit)
    with db.read() as s:
        return sorted(s.scalars(query))
