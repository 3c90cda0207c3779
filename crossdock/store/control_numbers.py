"""Persistent X12 control numbers (ISA13, GS06, ST02) per trading partner and kind.

Implements :class:`crossdock.edi.control.ControlNumberAllocator`. Each call is one short write
transaction: on PostgreSQL the counter row is locked with ``SELECT ... FOR UPDATE``; on SQLite the
transaction starts with ``BEGIN IMMEDIATE`` (the database write lock). So numbers are unique across
threads and processes, gap-free (a number is handed out only when its transaction commits), survive
restarts, and wrap from 999,999,999 back to 1.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.edi.control import MAX_CONTROL_NUMBER, ControlKind
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.models import ControlNumberRow


class ControlNumbers:
    """``next(partner, kind)``: the persistent :class:`~crossdock.edi.control.ControlNumberAllocator`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def next(self, partner: str, kind: ControlKind, *, session: Session | None = None) -> int:
        """The next number. Given ``session`` (a step's open transaction), the number is taken in it:
        it is only used up if that transaction commits, and on SQLite the step does not wait on the
        write lock its own transaction holds. On PostgreSQL the counter row then stays locked until
        that commit, so other steps for the same partner and kind wait: keep such steps short."""
        kind = ControlKind(kind)
        with self._db.write(session) as s:
            insert_ignore(
                s, ControlNumberRow, {"partner": partner, "kind": kind.value, "last_value": 0, "updated_at": utcnow()}
            )
            row = s.scalars(
                select(ControlNumberRow)
                .where(ControlNumberRow.partner == partner, ControlNumberRow.kind == kind.value)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).one()
            value = 1 if row.last_value >= MAX_CONTROL_NUMBER else row.last_value + 1
            row.last_value, row.updated_at = value, utcnow()
            return value

    def last(self, partner: str, kind: ControlKind) -> int | None:
        """The last number handed out, or ``None`` before the first."""
        with self._db.read() as s:
            return s.scalars(
                select(ControlNumberRow.last_value).where(
                    ControlNumberRow.partner == partner, ControlNumberRow.kind == ControlKind(kind).value
                )
            ).first()

    def set_last(self, partner: str, kind: ControlKind, last_value: int) -> None:
        """Continue a partner's existing sequence: the next number will be ``last_value + 1``."""
        if not 0 <= last_value <= MAX_CONTROL_NUMBER:
            raise ValueError(f"control number {last_value} outside 0..{MAX_CONTROL_NUMBER}")
        kind = ControlKind(kind)
        with self._db.write() as s:
            row = s.get(ControlNumberRow, (partner, kind.value))
            if row is None:
                s.add(ControlNumberRow(partner=partner, kind=kind.value, last_value=last_value, updated_at=utcnow()))
            else:
                row.last_value, row.updated_at = last_value, utcnow()
