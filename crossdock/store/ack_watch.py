"""Outbound X12 groups still waiting for the partner's 997.

Every group crossdock sends that expects an acknowledgment (the 940s to the 3PL, the 856s and 855s to
buyers) is linked as ``group:<partner>:<GS06>`` when it is delivered; the partner's 997 links an
``acknowledgment`` to it when it arrives (accepted, or rejected, which also opens a work item). A group
with no acknowledgment after the partner's usual turnaround is *overdue*: the partner did not get it,
could not read it, or its 997 went astray. :func:`overdue_groups` lists them; :func:`open_work_items`
opens one integration work item per overdue group, once (the group is linked to its item, so the next
run does not open a second one, whether the first is still open or was resolved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crossdock.errors import Owner
from crossdock.store.links import DocRef, DocType
from crossdock.store.store import Store

WATCH_ACTOR = "acks.overdue"
CARRIED = (DocType.WAREHOUSE_ORDER, DocType.SHIPMENT, DocType.PURCHASE_ORDER)
"""What an outbound group carries, as linked by the steps that send it."""


@dataclass(frozen=True, slots=True)
class OverdueGroup:
    partner: str
    group_control_number: str
    sent_at: datetime
    documents: tuple[DocRef, ...]
    """What the group carried (warehouse order, shipment)."""
    work_item: int | None
    """The work item already opened about it, if any."""

    @property
    def ref(self) -> DocRef:
        return DocRef(DocType.GROUP, f"{self.partner}:{self.group_control_number}")

    def to_dict(self, now: datetime) -> dict[str, object]:
        return {
            "partner": self.partner,
            "group_control_number": self.group_control_number,
            "sent_at": self.sent_at.isoformat(),
            "hours_waiting": round((now - self.sent_at).total_seconds() / 3600, 1),
            "documents": [str(d) for d in self.documents],
            "work_item": self.work_item,
        }


def overdue_groups(
    store: Store, *, now: datetime, after: timedelta, partner: str | None = None, limit: int = 1000
) -> list[OverdueGroup]:
    """Groups sent more than ``after`` before ``now`` without a 997, oldest first (only ``partner``'s
    when given)."""
    waiting = store.links.without(DocType.GROUP, DocType.ACKNOWLEDGMENT, linked_before=now - after, limit=limit)
    found = []
    for ref, sent_at in waiting:
        name, _, group = ref.doc_id.rpartition(":")
        if not name or (partner is not None and name != partner):
            continue
        neighbours = store.links.neighbours(ref)
        items = [int(d.doc_id) for d in neighbours if d.doc_type == DocType.WORK_ITEM and d.doc_id.isdigit()]
        documents = tuple(d for d in neighbours if d.doc_type in CARRIED)
        found.append(OverdueGroup(name, group, sent_at, documents, items[0] if items else None))
    return found


def open_work_items(store: Store, groups: list[OverdueGroup], *, now: datetime) -> list[int]:
    """One integration work item per overdue group that has none yet; returns the new items' ids."""
    opened = []
    for group in groups:
        if group.work_item is not None:
            continue
        carried = ", ".join(str(d) for d in group.documents) or "nothing linked"
        hours = (now - group.sent_at).total_seconds() / 3600
        with store.db.write() as session:
            item = store.exceptions.open(
                owner=Owner.INTEGRATION,
                error_class="AcknowledgmentOverdue",
                error_message=(
                    f"no 997 from {group.partner} for our group {group.group_control_number} "
                    f"({carried}), sent {group.sent_at.isoformat(timespec='seconds')}, {hours:.1f} h ago"
                ),
                business_key=group.documents[0].doc_id if group.documents else group.ref.doc_id,
                actor=WATCH_ACTOR,
                session=session,
            )
            store.links.link(group.ref, DocRef(DocType.WORK_ITEM, str(item)), session=session)
        opened.append(item)
    return opened
