"""The outbox: outbound X12 documents recorded where their control numbers are taken, delivered later.

A step that sends a partner a document records it with :meth:`Outbox.record` in the step's own
transaction, the same one that takes its ISA/GS/ST numbers (:mod:`crossdock.store.control_numbers`)
and writes its links. Nothing leaves before that transaction commits; if it rolls back, the numbers,
the row and the links go with it and no file exists that holds them. After the commit the document
is delivered from its row (the bytes as recorded, under the file name recorded), as often as it
takes: delivery is idempotent on the row, and :meth:`mark_delivered` writes one
``outbox_deliveries`` row once the file is in place. A row without one is pending.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import OutboxDeliveryRow, OutboxRow


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row, with its delivery when it was delivered."""

    id: int
    created_at: datetime
    partner: str
    set_id: str
    isa_control: int
    gs_control: int | None
    st_control: int | None
    file_name: str
    size: int
    sha256: str
    business_keys: Mapping[str, str]
    step: str | None
    message_id: str | None
    held: str | None
    delivered_at: datetime | None
    location: str | None

    @property
    def status(self) -> str:
        """``delivered``, ``held`` (a person must look) or ``pending``."""
        if self.delivered_at is not None:
            return "delivered"
        return "held" if self.held else "pending"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "partner": self.partner,
            "set": self.set_id,
            "isa": self.isa_control,
            "gs": self.gs_control,
            "st": self.st_control,
            "file_name": self.file_name,
            "size": self.size,
            "sha256": self.sha256,
            "business_keys": dict(self.business_keys),
            "step": self.step,
            "message_id": self.message_id,
            "held": self.held,
            "delivered_at": None if self.delivered_at is None else self.delivered_at.isoformat(),
            "location": self.location,
        }


NameFor = Callable[[int], str]
"""Renders the file name of a document from its outbox id."""


class Outbox:
    """``record`` in a step's transaction; ``get``, ``pending``, ``list``, ``content``; ``mark_delivered``,
    ``hold``, ``release``, ``sweep`` in short transactions of their own."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        session: Session,
        *,
        partner: str,
        set_id: str,
        controls: tuple[int, int | None, int | None],
        content: bytes,
        name_for: NameFor,
        business_keys: Mapping[str, str] | None = None,
        step: str | None = None,
        message_id: str | None = None,
    ) -> OutboxEntry:
        """Add the document in ``session`` (the step's transaction: nothing is committed here) and
        return it; its file name is ``name_for(id)``, so it carries something unique to the document."""
        isa, gs, st = controls
        row = OutboxRow(
            created_at=utcnow(),
            partner=partner,
            set_id=set_id,
            isa_control=isa,
            gs_control=gs,
            st_control=st,
            file_name=f"pending-{uuid.uuid4().hex}",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            business_keys=dict(business_keys or {}),
            step=step,
            message_id=message_id,
        )
        session.add(row)
        session.flush()
        row.file_name = name_for(row.id)
        session.flush()
        return _entry(row, None)

    def get(self, outbox_id: int) -> OutboxEntry | None:
        with self._db.read() as s:
            found = s.execute(_query().where(OutboxRow.id == outbox_id)).first()
            return None if found is None else _entry(found[0], found[1])

    def content(self, outbox_id: int) -> bytes | None:
        with self._db.read() as s:
            return s.scalars(select(OutboxRow.content).where(OutboxRow.id == outbox_id)).first()

    def list(
        self,
        *,
        status: str | None = None,
        partner: str | None = None,
        set_id: str | None = None,
        older_than_s: float = 0.0,
        limit: int = 1000,
    ) -> list[OutboxEntry]:
        """Rows oldest first; ``status``: ``pending`` (not delivered, not held), ``held``, ``delivered``
        or ``all`` (``None``)."""
        query = _query()
        if status in (None, "all"):
            pass
        elif status == "delivered":
            query = query.where(OutboxDeliveryRow.outbox_id.is_not(None))
        elif status == "pending":
            query = query.where(OutboxDeliveryRow.outbox_id.is_(None), OutboxRow.held.is_(None))
        elif status == "held":
            query = query.where(OutboxDeliveryRow.outbox_id.is_(None), OutboxRow.held.is_not(None))
        else:
            raise ValueError(f"unknown outbox status {status!r} (pending, held, delivered, all)")
        if partner is not None:
            query = query.where(OutboxRow.partner == partner)
        if set_id is not None:
            query = query.where(OutboxRow.set_id == set_id)
        if older_than_s > 0:
            query = query.where(OutboxRow.created_at <= utcnow() - timedelta(seconds=older_than_s))
        with self._db.read() as s:
            rows = s.execute(query.order_by(OutboxRow.id).limit(limit)).all()
            return [_entry(row, delivery) for row, delivery in rows]

    def counts(self) -> dict[str, int]:
        """How many rows are pending, held and delivered."""
        delivered = OutboxDeliveryRow.outbox_id.is_not(None)
        query = (
            select(delivered.label("delivered"), OutboxRow.held.is_not(None).label("held"), func.count())
            .select_from(OutboxRow)
            .outerjoin(OutboxDeliveryRow, OutboxDeliveryRow.outbox_id == OutboxRow.id)
            .group_by(delivered, OutboxRow.held.is_not(None))
        )
        counts = {"pending": 0, "held": 0, "delivered": 0}
        with self._db.read() as s:
            for is_delivered, is_held, count in s.execute(query):
                counts["delivered" if is_delivered else "held" if is_held else "pending"] += count
        return counts

    def mark_delivered(self, outbox_id: int, location: str) -> bool:
        """Record the delivery (once); ``False`` when it was recorded already."""
        with self._db.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == outbox_id, OutboxRow.held.is_not(None)).values(held=None))
            return insert_ignore(
                s, OutboxDeliveryRow, {"outbox_id": outbox_id, "delivered_at": utcnow(), "location": location}
            )

    def hold(self, outbox_id: int, reason: str) -> None:
        """Stop sweeping the row until a person released it (another file is under its name)."""
        with self._db.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(held=reason))

    def release(self, outbox_id: int) -> None:
        with self._db.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(held=None, swept_at=None))

    def sweep(self, *, older_than_s: float, limit: int = 500) -> list[int]:
        """Take the pending rows older than ``older_than_s`` that no sweeper took in that time, mark
        them swept now and return their ids: several sweepers running at once never take a row twice
        within ``older_than_s``."""
        cutoff = utcnow() - timedelta(seconds=older_than_s)
        undelivered = ~select(OutboxDeliveryRow.outbox_id).where(OutboxDeliveryRow.outbox_id == OutboxRow.id).exists()
        with self._db.write() as s:
            ids = list(
                s.scalars(
                    select(OutboxRow.id)
                    .where(
                        undelivered,
                        OutboxRow.held.is_(None),
                        OutboxRow.created_at <= cutoff,
                        or_(OutboxRow.swept_at.is_(None), OutboxRow.swept_at <= cutoff),
                    )
                    .order_by(OutboxRow.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                s.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(swept_at=utcnow()))
            return ids


def _query():  # type: ignore[no-untyped-def]
    return select(OutboxRow, OutboxDeliveryRow).outerjoin(
        OutboxDeliveryRow, OutboxDeliveryRow.outbox_id == OutboxRow.id
    )


def _entry(row: OutboxRow, delivery: OutboxDeliveryRow | None) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        created_at=row.created_at,
        partner=row.partner,
        set_id=row.set_id,
        isa_control=row.isa_control,
        gs_control=row.gs_control,
        st_control=row.st_control,
        file_name=row.file_name,
        size=row.size,
        sha256=row.sha256,
        business_keys=dict(row.business_keys or {}),
        step=row.step,
        message_id=row.message_id,
        held=row.held,
        delivered_at=None if delivery is None else delivery.delivered_at,
        location=None if delivery is None else delivery.location,
    )
