"""Returns: each return's state row (read for update, so concurrent events of one return apply one
after the other) and the inventory adjustments returns cause (once per return, SKU and location)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossdock.canonical.finance.returns_flow import ReturnState, dump, load
from crossdock.store.base import utcnow
from crossdock.store.finance_rows import InventoryAdjustmentRow, ReturnRow
from crossdock.store.insert_ignore import insert_ignore, insert_ignore_many
from crossdock.store.settlements import from_e4, to_e4


@dataclass(frozen=True)
class ReturnRecord:
    """One return as the store has it (for ``crossdock returns``)."""

    channel: str
    rma_number: str
    order_id: str | None
    status: str
    updated_at: datetime
    state: ReturnState


class ReturnsBook:
    @staticmethod
    def load_for_update(s: Session, channel: str, rma_number: str) -> ReturnState | None:
        """The return's state, its row locked until the transaction ends (created empty if absent)."""
        values = {
            "channel": channel, "rma_number": rma_number, "order_id": None, "status": "new",
            "state": dump(ReturnState(rma_number)), "updated_at": utcnow(),
        }  # fmt: skip
        insert_ignore(s, ReturnRow, values)  # so that there is a row to lock, even for the first event
        rows = ReturnRow
        query = select(rows.state).where(rows.channel == channel, rows.rma_number == rma_number).with_for_update()
        data = s.scalar(query)
        return None if data is None else load(data)

    @staticmethod
    def save(s: Session, channel: str, state: ReturnState) -> None:
        row = s.scalars(
            select(ReturnRow).where(ReturnRow.channel == channel, ReturnRow.rma_number == state.rma_number)
        ).one()
        row.state = dump(state)
        row.status = state.status
        row.updated_at = utcnow()
        if state.authorization is not None:
            row.order_id = state.authorization.order_external_id

    @staticmethod
    def add_adjustments(s: Session, source: str, moves: Sequence[tuple[str, Decimal, str]]) -> int:
        now = utcnow()
        rows = [
            {"source": source, "sku": sku, "location": where, "quantity_e4": to_e4(quantity), "created_at": now}
            for sku, quantity, where in moves
        ]
        return insert_ignore_many(s, InventoryAdjustmentRow, rows) if rows else 0

    @staticmethod
    def adjustments(s: Session, source: str) -> list[tuple[str, str, Decimal]]:
        rows = InventoryAdjustmentRow
        query = select(rows.sku, rows.location, rows.quantity_e4).where(rows.source == source).order_by(rows.id)
        return [(sku, where, from_e4(quantity)) for sku, where, quantity in s.execute(query)]

    @staticmethod
    def records(
        s: Session, *, channel: str | None = None, status: str | None = None, rma_number: str | None = None,
        limit: int = 1000,
    ) -> list[ReturnRecord]:  # fmt: skip
        """Returns, most recently changed first."""
        query = select(ReturnRow).order_by(ReturnRow.updated_at.desc(), ReturnRow.id.desc()).limit(limit)
        if channel is not None:
            query = query.where(ReturnRow.channel == channel)
        if status is not None:
            query = query.where(ReturnRow.status == status)
        if rma_number is not None:
            query = query.where(ReturnRow.rma_number == rma_number)
        return [ReturnRecord(row.channel, row.rma_number, row.order_id, row.status, row.updated_at, load(row.state))
                for row in s.scalars(query)]  # fmt: skip
