"""Which expected documents are overdue, and one work item for each, once.

:func:`overdue_documents` asks every kind (:data:`~.kinds.KINDS`) for what it sent within the
lookback and still waits for, and keeps what is past its deadline (:class:`~.deadlines.Deadlines`, per
partner or channel). :func:`open_work_items` opens one work item per overdue document for the kind's
owner and links it to the document: the next run sees the link and opens none. A document whose
work item a person resolved or ignored is settled: it is not listed again (its answer may still come;
if it does, nothing changes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crossdock.store.links import DocRef, DocType
from crossdock.store.models import DocumentLinkRow, ExceptionItemRow
from crossdock.store.sla.deadlines import Deadlines
from crossdock.store.sla.kinds import KINDS, Kind, Waiting
from crossdock.store.store import Store
from crossdock.store.work_items import ItemStatus

ACTOR = "sla.overdue"
LEASE = "crossdock sla work items"
"""Held while items are opened, so two runs (the scheduler's, an operator's) never open two for one document."""
LEGACY_CODE = "AcknowledgmentOverdue"
"""The code of the items ``acks overdue`` opened before the kinds existed (a group's 997)."""
_BATCH = 200


@dataclass(frozen=True, slots=True)
class Overdue:
    kind: Kind
    waiting: Waiting
    due_at: datetime
    work_item: int | None
    """The open work item about it, if one was opened."""

    @property
    def party(self) -> str:
        return self.waiting.party

    def describe(self, now: datetime) -> str:
        w = self.waiting
        what = self.kind.message.format(party=w.party, key=w.key, sent=self.kind.sent, **w.detail)
        hours = (now - w.sent_at).total_seconds() / 3600
        return (f"{what}: sent {w.sent_at.isoformat(timespec='seconds')}, due "
                f"{self.due_at.isoformat(timespec='seconds')}, {hours:.1f} h ago")  # fmt: skip

    def to_dict(self, now: datetime) -> dict[str, object]:
        w = self.waiting
        return {
            "kind": self.kind.name,
            "expected": self.kind.expected,
            "party": w.party,
            "key": w.key,
            "document": str(w.subject),
            "sent_at": w.sent_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "hours_waiting": round((now - w.sent_at).total_seconds() / 3600, 1),
            "owner": self.kind.owner.value,
            "work_item": self.work_item,
            **w.detail,
        }


def overdue_documents(
    store: Store,
    deadlines: Deadlines,
    *,
    now: datetime,
    kinds: Iterable[str] | None = None,
    party: str | None = None,
    limit: int = 1000,
) -> list[Overdue]:
    """Documents past their deadline without what should have followed, oldest first (only ``kinds``
    and ``party``'s when given)."""
    names = list(KINDS) if kinds is None else [k for k in KINDS if k in set(kinds)]
    found: list[Overdue] = []
    with store.db.read() as session:
        for name in names:
            kind = KINDS[name]
            shortest = deadlines.shortest(name)
            if shortest is None:
                continue
            late = []
            for waiting in kind.find(session, now - deadlines.lookback, now - shortest):
                deadline = deadlines.of(name, waiting.party)
                if deadline is None or (party is not None and waiting.party != party):
                    continue
                if waiting.sent_at + deadline <= now:
                    late.append((waiting, waiting.sent_at + deadline))
            items = _items_about(session, [w.subject for w, _ in late])
            for waiting, due in late:
                mine = [(i, status) for i, status, code in items.get(waiting.subject, ()) if _of_kind(code, kind)]
                if any(status != ItemStatus.OPEN.value for _, status in mine):
                    continue  # a person settled it
                found.append(Overdue(kind, waiting, due, mine[0][0] if mine else None))
    found.sort(key=lambda o: (o.waiting.sent_at, o.kind.name, o.waiting.subject))
    return found[:limit]


def open_work_items(store: Store, overdue: Sequence[Overdue], *, now: datetime) -> list[int]:
    """One work item per overdue document that has none yet (for its kind's owner, linked to the
    document); returns the new items' ids. Another run opening items at the same moment makes this
    one open none (the next run sees that run's items)."""
    opened: list[int] = []
    with store.locks.hold(LEASE) as held:
        if not held:
            return opened
        with store.db.read() as session:
            items = _items_about(session, [o.waiting.subject for o in overdue])
        for entry in overdue:
            about = items.get(entry.waiting.subject, ())
            if entry.work_item is not None or any(_of_kind(code, entry.kind) for _, _, code in about):
                continue
            channel = entry.party if entry.kind.by_channel else None
            with store.db.write() as session:
                item = store.exceptions.open(
                    owner=entry.kind.owner,
                    error_class=entry.kind.error_class,
                    error_message=entry.describe(now),
                    business_key=entry.waiting.key,
                    actor=ACTOR,
                    code=entry.kind.code,
                    channel=channel,
                    session=session,
                )
                store.links.link(entry.waiting.subject, DocRef(DocType.WORK_ITEM, str(item)), session=session)
            opened.append(item)
    return opened


def _of_kind(code: str | None, kind: Kind) -> bool:
    return code == kind.code or (code == LEGACY_CODE and kind.expected == "997")


def _items_about(session: Session, subjects: list[DocRef]) -> dict[DocRef, list[tuple[int, str, str | None]]]:
    """The work items linked to each of ``subjects``: (id, status, code)."""
    linked: dict[DocRef, list[int]] = defaultdict(list)
    link = DocumentLinkRow
    work = DocType.WORK_ITEM.value
    for i in range(0, len(subjects), _BATCH):
        batch = subjects[i : i + _BATCH]
        ids = sorted({s.doc_id for s in batch})
        query = select(link.a_type, link.a_id, link.b_type, link.b_id).where(
            or_(
                (link.b_type == work) & link.a_id.in_(ids),
                (link.a_type == work) & link.b_id.in_(ids),
            )
        )
        wanted = set(batch)
        for a_type, a_id, b_type, b_id in session.execute(query):
            subject, item = (DocRef(a_type, a_id), b_id) if b_type == work else (DocRef(b_type, b_id), a_id)
            if subject in wanted and item.isdigit():
                linked[subject].append(int(item))
    every = sorted({i for items in linked.values() for i in items})
    status: dict[int, tuple[str, str | None]] = {}
    for i in range(0, len(every), _BATCH):
        rows = select(ExceptionItemRow.id, ExceptionItemRow.status, ExceptionItemRow.code)
        for item_id, item_status, code in session.execute(rows.where(ExceptionItemRow.id.in_(every[i : i + _BATCH]))):
            status[item_id] = (item_status, code)
    return {subject: [(i, *status[i]) for i in sorted(items) if i in status] for subject, items in linked.items()}
