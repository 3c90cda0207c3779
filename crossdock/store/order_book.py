"""The order book: each order's lifecycle status (stage, per-line quantities, the version applied, its
last whole version) and its timeline. The rules are pure (:mod:`crossdock.canonical.lifecycle`); the
steps load an order locked (``FOR UPDATE`` on PostgreSQL; SQLite's write lock serialises anyway), decide,
do their effects and save the new status with one timeline entry, in the step's transaction.

``record_invoiced`` is what an invoice step calls once an ERP invoice is posted (docs/lifecycle.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from crossdock.canonical.lifecycle import LineStatus, OrderState, OrderStatus, Stage, invoice
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.order_rows import OrderEventRow, OrderLineStateRow, OrderStateRow

E4 = Decimal(10_000)


def _e4(value: Decimal) -> int:
    return int((value * E4).to_integral_value())


def _dec(value: int) -> Decimal:
    return (Decimal(value) / E4).normalize()


@dataclass(frozen=True, slots=True)
class HeldOrder:
    channel: str
    external_id: str
    status: OrderStatus
    erp_order_no: str | None
    document: dict[str, Any] | None
    """The last whole version (canonical Order JSON), ``None`` when only a cancellation was seen."""

    @property
    def state(self) -> OrderState:
        return self.status.state


@dataclass(frozen=True, slots=True)
class Transition:
    at: datetime
    event: str
    from_state: str | None
    to_state: str
    step: str | None
    message_id: str | None
    note: str | None


class OrderBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self, session: Session, channel: str, external_id: str, *, lock: bool = True) -> HeldOrder | None:
        """The order as held, its row locked for the rest of ``session``'s transaction when ``lock``."""
        query = select(OrderStateRow).where(OrderStateRow.channel == channel, OrderStateRow.external_id == external_id)
        row = session.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            return None
        lines = session.scalars(
            select(OrderLineStateRow)
            .where(OrderLineStateRow.channel == channel, OrderLineStateRow.external_id == external_id)
            .order_by(OrderLineStateRow.position)
        ).all()
        quantities = (
            LineStatus(x.line_number, x.sku, *map(_dec, (x.ordered_e4, x.cancelled_e4, x.shipped_e4, x.invoiced_e4)))
            for x in lines
        )
        status = OrderStatus(Stage(row.stage), tuple(quantities), row.version, row.received_at)
        return HeldOrder(channel, external_id, status, row.erp_order_no, row.document)

    def save(
        self,
        session: Session,
        channel: str,
        external_id: str,
        status: OrderStatus,
        *,
        event: str,
        before: HeldOrder | None,
        step: str | None,
        message_id: str | None,
        note: str | None = None,
        document: dict[str, Any] | None = None,
        erp_order_no: str | None = None,
        ref: str | None = None,
    ) -> None:
        """Write ``status`` (and, when given, the order's whole version and ERP order number) and one
        timeline entry ``event`` from ``before``'s state."""
        now = utcnow()
        values = {"channel": channel, "external_id": external_id, "stage": status.stage.value,
                  "state": status.state.value, "version": status.version, "received_at": status.received_at,
                  "erp_order_no": erp_order_no, "document": document, "created_at": now, "updated_at": now}  # fmt: skip
        # an order loaded in this session is in its identity map: updating it costs no extra query
        if before is not None or not insert_ignore(session, OrderStateRow, values):
            row = session.get(OrderStateRow, (channel, external_id))
            assert row is not None
            row.stage, row.state, row.version = status.stage.value, status.state.value, status.version
            row.received_at, row.updated_at = status.received_at, now
            row.erp_order_no = erp_order_no or row.erp_order_no
            row.document = document if document is not None else row.document
        if before is None or before.status.lines != status.lines:
            where = (OrderLineStateRow.channel == channel, OrderLineStateRow.external_id == external_id)
            session.execute(delete(OrderLineStateRow).where(*where))
            session.add_all(
                OrderLineStateRow(channel=channel, external_id=external_id, line_number=line.line_number,
                                  position=i, sku=line.sku, ordered_e4=_e4(line.ordered),
                                  cancelled_e4=_e4(line.cancelled), shipped_e4=_e4(line.shipped),
                                  invoiced_e4=_e4(line.invoiced))
                for i, line in enumerate(status.lines)
            )  # fmt: skip
        self.note(session, channel, external_id, event, before.state if before else None, status.state,
                  step=step, message_id=message_id, note=note, at=now, ref=ref)  # fmt: skip
        session.flush()

    def note(
        self,
        session: Session,
        channel: str,
        external_id: str,
        event: str,
        from_state: OrderState | None,
        to_state: OrderState,
        *,
        step: str | None,
        message_id: str | None,
        note: str | None = None,
        at: datetime | None = None,
        ref: str | None = None,
    ) -> None:
        """One timeline entry (an event recorded without a change: ``stale``, ``ignored`` ...)."""
        session.add(OrderEventRow(channel=channel, external_id=external_id, at=at or utcnow(), event=event,
                                  from_state=from_state.value if from_state else None, to_state=to_state.value,
                                  step=step, message_id=message_id, ref=ref,
                                  note=(note or None) and note[:2000]))  # fmt: skip

    def counted(self, session: Session, channel: str, external_id: str, ref: str) -> bool:
        """Whether ``ref`` (``shipment:<id>``) was already applied to the order (a replay adds nothing)."""
        rows = OrderEventRow
        query = select(rows.id).where(rows.channel == channel, rows.external_id == external_id, rows.ref == ref)
        return session.execute(query.limit(1)).first() is not None

    def record_invoiced(
        self,
        channel: str,
        external_id: str,
        quantities: Mapping[str, Decimal],
        *,
        step: str,
        message_id: str | None,
        invoice_no: str,
        note: str | None = None,
        session: Session | None = None,
    ) -> OrderState | None:
        """Add invoiced quantities (line number -> units) to an order and record the transition; the
        invoice step calls it in its transaction once the ERP invoice ``invoice_no`` is posted (an invoice
        already counted adds nothing). Returns the state after it, ``None`` for an order the book does
        not hold (nothing recorded)."""
        with self._db.write(session) as s:
            held = self.load(s, channel, external_id)
            if held is None:
                return None
            if self.counted(s, channel, external_id, f"invoice:{invoice_no}"):
                return held.state
            status = invoice(held.status, quantities)
            self.save(s, channel, external_id, status, event="invoiced", before=held, step=step, message_id=message_id,
                      note=note or f"invoice {invoice_no}", ref=f"invoice:{invoice_no}")  # fmt: skip
            return status.state

    def locate(self, session: Session, external_id: str) -> list[tuple[str, str]]:
        """``(channel, external id)`` of the orders with this id on any channel (a 945's PO or order ref)."""
        rows = OrderStateRow
        query = select(rows.channel, rows.external_id).where(rows.external_id == external_id)
        return [(c, e) for c, e in session.execute(query.order_by(rows.channel))]

    # -- reading -----------------------------------------------------------------------------------
    def find(self, key: str) -> list[tuple[str, str]]:
        """``(channel, external id)`` of the orders ``key`` names: ``channel:id`` or an id on any channel."""
        channel, sep, external_id = key.partition(":")
        with self._db.read() as s:
            rows = OrderStateRow
            if sep:
                query = select(rows.channel, rows.external_id).where(
                    or_(rows.external_id == key, (rows.channel == channel) & (rows.external_id == external_id)))
            else:
                query = select(rows.channel, rows.external_id).where(rows.external_id == key)
            return [(c, e) for c, e in s.execute(query.order_by(rows.channel))]

    def get(self, channel: str, external_id: str) -> HeldOrder | None:
        with self._db.read() as s:
            return self.load(s, channel, external_id, lock=False)

    def timeline(self, channel: str, external_id: str) -> list[Transition]:
        with self._db.read() as s:
            rows = s.scalars(
                select(OrderEventRow)
                .where(OrderEventRow.channel == channel, OrderEventRow.external_id == external_id)
                .order_by(OrderEventRow.id)
            ).all()
            return [Transition(r.at, r.event, r.from_state, r.to_state, r.step, r.message_id, r.note) for r in rows]
