"""The settlement book: settlements and their lines (with lineage), per-order results, postings, and
crossdock's record of order amounts. Queries only; the import, matching and posting steps live in
:mod:`crossdock.actors.handlers.settlements`.

Idempotency: a line is unique per (channel, settlement id, line id), so importing a file again adds
nothing; a posting is unique per reference, and a line records the reference it was posted under, so
a line is posted once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crossdock.canonical.finance import OrderRecord
from crossdock.canonical.settlement import SettlementKind, SettlementSummary
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.finance_rows import (
    FinanceOrderRow,
    SettlementLineRow,
    SettlementOrderRow,
    SettlementPostingRow,
    SettlementRow,
)
from crossdock.store.insert_ignore import insert_ignore
from crossdock.store.links import DocType
from crossdock.store.models import DocumentLinkRow, ExceptionItemRow

E4 = Decimal(10_000)
_IN_CHUNK = 500


def to_e4(value: Decimal) -> int:
    return int((value * E4).to_integral_value())


def from_e4(value: int | None) -> Decimal:
    return (Decimal(value or 0) / E4).quantize(Decimal("0.01"))


def business_key(channel: str, settlement_id: str) -> str:
    """The exception items' business key for a settlement (``settlement:amazon:12345``)."""
    return f"settlement:{channel}:{settlement_id}"


@dataclass(frozen=True, slots=True)
class SettlementTotals:
    """One settlement as ``crossdock settle report`` shows it."""

    channel: str
    settlement_id: str
    currency: str
    deposit_date: str | None
    gross: Decimal
    fees: Decimal
    refunds: Decimal
    other: Decimal
    expected_net: Decimal
    paid_net: Decimal
    lines: int
    matched_lines: int
    posted_lines: int
    open_exceptions: int

    @property
    def difference(self) -> Decimal:
        return self.paid_net - self.expected_net

    @property
    def matched_pct(self) -> float:
        return round(100.0 * self.matched_lines / self.lines, 2) if self.lines else 100.0


GROSS = (SettlementKind.PRINCIPAL, SettlementKind.SHIPPING, SettlementKind.TAX)
FEES = (SettlementKind.COMMISSION, SettlementKind.FULFILLMENT_FEE)


class SettlementBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- crossdock's record of orders ---------------------------------------------------------
    def record_order(self, record: OrderRecord, *, session: Session | None = None) -> bool:
        """Remember what an order was worth (first record wins); ``False`` when already recorded."""
        values = {
            "channel": record.channel,
            "order_id": record.order_id,
            "currency": record.currency,
            "principal_e4": to_e4(record.principal),
            "shipping_e4": to_e4(record.shipping),
            "tax_e4": to_e4(record.tax),
            "units_e4": to_e4(record.units),
            "recorded_at": utcnow(),
        }
        with self._db.write(session) as s:
            return insert_ignore(s, FinanceOrderRow, values)

    def order_records(self, s: Session, channel: str, order_ids: Collection[str]) -> dict[str, OrderRecord]:
        rows = FinanceOrderRow
        found: dict[str, OrderRecord] = {}
        columns = (rows.order_id, rows.currency, rows.principal_e4, rows.shipping_e4, rows.tax_e4, rows.units_e4)
        for chunk in _chunks(sorted(order_ids)):
            query = select(*columns).where(rows.channel == channel, rows.order_id.in_(chunk))
            for order_id, currency, principal, shipping, tax, units in s.execute(query):
                found[order_id] = OrderRecord(
                    channel,
                    order_id,
                    currency,
                    from_e4(principal),
                    from_e4(shipping),
                    from_e4(tax),
                    Decimal(units) / E4,
                )
        return found

    # -- cross-references ---------------------------------------------------------------------
    @staticmethod
    def known_orders(s: Session, channel: str, order_ids: Collection[str]) -> set[str]:
        """The orders among ``order_ids`` crossdock has a ``channel_order`` cross-reference for."""
        links = DocumentLinkRow
        wanted = {f"{channel}:{order_id}": order_id for order_id in order_ids}
        known: set[str] = set()
        for chunk in _chunks(sorted(wanted)):
            query = (
                select(links.a_id)
                .where(links.a_type == DocType.CHANNEL_ORDER, links.a_id.in_(chunk))
                .union(select(links.b_id).where(links.b_type == DocType.CHANNEL_ORDER, links.b_id.in_(chunk)))
            )
            known.update(wanted[ref] for ref in s.scalars(query))
        return known

    @staticmethod
    def orders_with_returns(s: Session, channel: str, order_ids: Collection[str]) -> set[str]:
        """The orders among ``order_ids`` linked to a return (through the marketplace order or the
        channel order)."""
        links = DocumentLinkRow
        ids = {order_id: order_id for order_id in order_ids} | {f"{channel}:{o}": o for o in order_ids}
        types = (DocType.MARKETPLACE_ORDER, DocType.CHANNEL_ORDER)
        found: set[str] = set()
        for chunk in _chunks(sorted(ids)):
            a_side = select(links.a_id).where(links.a_type.in_(types), links.a_id.in_(chunk))
            b_side = select(links.b_id).where(links.b_type.in_(types), links.b_id.in_(chunk))
            query = a_side.where(links.b_type == DocType.RETURN).union(b_side.where(links.a_type == DocType.RETURN))
            found.update(ids[ref] for ref in s.scalars(query))
        return found

    # -- import -------------------------------------------------------------------------------
    @staticmethod
    def save_summary(s: Session, summary: SettlementSummary, source: str) -> bool:
        values = {
            "channel": summary.channel.value,
            "settlement_id": summary.settlement_id,
            "currency": summary.currency,
            "total_e4": to_e4(summary.total_amount),
            "start_date": summary.start_date,
            "end_date": summary.end_date,
            "deposit_date": summary.deposit_date,
            "source": source[:500],
            "imported_at": utcnow(),
        }
        return insert_ignore(s, SettlementRow, values)

    @staticmethod
    def add_lines(s: Session, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the lines not yet in the book (one executemany; a line already there is skipped)."""
        if rows:
            table = SettlementLineRow.__table__
            dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
            s.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))

    @staticmethod
    def line_count(s: Session, channel: str, settlement_id: str) -> int:
        rows = SettlementLineRow
        query = select(func.count()).where(rows.channel == channel, rows.settlement_id == settlement_id)
        return int(s.scalar(query) or 0)

    @staticmethod
    def order_sums(
        s: Session, channel: str, settlement_id: str, *, after: str, limit: int
    ) -> dict[str, dict[str, int]]:
        """The next ``limit`` matched orders of a settlement after ``after`` (keyset paging, so no
        cursor stays open across transactions), each with its sum of amounts (e4) per kind."""
        rows = SettlementLineRow
        mine = and_(rows.channel == channel, rows.settlement_id == settlement_id, rows.matched.is_(True))
        page = select(rows.order_id).where(mine, rows.order_id > after).distinct().order_by(rows.order_id).limit(limit)
        ids = [str(order_id) for order_id in s.scalars(page)]
        sums: dict[str, dict[str, int]] = {order_id: {} for order_id in ids}
        if ids:
            query = (
                select(rows.order_id, rows.kind, func.sum(rows.amount_e4))
                .where(mine, rows.order_id >= ids[0], rows.order_id <= ids[-1])
                .group_by(rows.order_id, rows.kind)
            )
            for order_id, kind, total in s.execute(query):
                sums[str(order_id)][str(kind)] = int(total or 0)
        return sums

    @staticmethod
    def replace_results(s: Session, channel: str, settlement_id: str, results: Sequence[dict[str, Any]]) -> None:
        rows = SettlementOrderRow
        ids = [r["order_id"] for r in results]
        for chunk in _chunks(ids):
            mine = and_(rows.channel == channel, rows.settlement_id == settlement_id)
            s.execute(delete(rows).where(mine, rows.order_id.in_(chunk)))
        if results:
            s.execute(rows.__table__.insert(), list(results))  # type: ignore[attr-defined]

    @staticmethod
    def line_total_e4(s: Session, channel: str, settlement_id: str) -> int:
        rows = SettlementLineRow
        query = select(func.coalesce(func.sum(rows.amount_e4), 0)).where(
            rows.channel == channel, rows.settlement_id == settlement_id
        )
        return int(s.scalar(query) or 0)

    def settlement(self, channel: str, settlement_id: str) -> SettlementRow | None:
        with self._db.read() as s:
            rows = SettlementRow
            return s.scalars(select(rows).where(rows.channel == channel, rows.settlement_id == settlement_id)).first()

    # -- posting ------------------------------------------------------------------------------
    def unposted(self, channel: str, settlement_id: str) -> tuple[list[str], dict[SettlementKind, Decimal]]:
        """The ids of the lines not posted yet, and their sums per kind."""
        rows = SettlementLineRow
        where = and_(rows.channel == channel, rows.settlement_id == settlement_id, rows.posting_ref.is_(None))
        with self._db.read() as s:
            line_ids = list(s.scalars(select(rows.line_id).where(where)))
            by_kind = select(rows.kind, func.sum(rows.amount_e4)).where(where).group_by(rows.kind)
            sums = {SettlementKind(kind): from_e4(total) for kind, total in s.execute(by_kind)}
        return line_ids, sums

    def mark_posted(
        self, channel: str, settlement_id: str, reference: str, document_no: str, line_ids: Sequence[str], net: Decimal
    ) -> int:
        """Record the posting and mark its lines; returns how many lines were marked (0: another
        process recorded it first)."""
        rows = SettlementLineRow
        with self._db.write() as s:
            insert_ignore(s, SettlementPostingRow, {
                "channel": channel, "settlement_id": settlement_id, "reference": reference,
                "document_no": document_no[:40], "net_e4": to_e4(net), "line_count": len(line_ids),
                "posted_at": utcnow(),
            })  # fmt: skip
            marked = 0
            for chunk in _chunks(list(line_ids)):
                result = s.execute(
                    update(rows)
                    .where(rows.channel == channel, rows.settlement_id == settlement_id)
                    .where(rows.line_id.in_(chunk), rows.posting_ref.is_(None))
                    .values(posting_ref=reference)
                )
                marked += int(getattr(result, "rowcount", 0) or 0)
            return marked

    def postings(self, channel: str, settlement_id: str) -> list[SettlementPostingRow]:
        rows = SettlementPostingRow
        with self._db.read() as s:
            query = select(rows).where(rows.channel == channel, rows.settlement_id == settlement_id).order_by(rows.id)
            return list(s.scalars(query))

    # -- report -------------------------------------------------------------------------------
    def report(self, settlement_id: str | None = None, channel: str | None = None) -> list[SettlementTotals]:
        """Per settlement: gross, fees, refunds, expected and paid net, matched lines, open exceptions."""
        lines, orders, items = SettlementLineRow, SettlementOrderRow, ExceptionItemRow
        query = select(SettlementRow).order_by(SettlementRow.imported_at, SettlementRow.id)
        if settlement_id is not None:
            query = query.where(SettlementRow.settlement_id == settlement_id)
        if channel is not None:
            query = query.where(SettlementRow.channel == channel)
        found: list[SettlementTotals] = []
        with self._db.read() as s:
            for st in s.scalars(query):
                mine = and_(lines.channel == st.channel, lines.settlement_id == st.settlement_id)
                kind_sums = select(lines.kind, func.sum(lines.amount_e4)).where(mine).group_by(lines.kind)
                by_kind: dict[str, int] = {kind: int(total or 0) for kind, total in s.execute(kind_sums)}
                counts = s.execute(
                    select(
                        func.count(),
                        func.sum(case((lines.matched.is_(True), 1), else_=0)),
                        func.sum(case((lines.posting_ref.is_not(None), 1), else_=0)),
                    ).where(mine)
                ).one()
                order_level = select(func.coalesce(func.sum(lines.amount_e4), 0)).where(
                    mine, lines.order_id.is_not(None)
                )
                expected = s.scalar(
                    select(func.coalesce(func.sum(orders.expected_e4), 0)).where(
                        orders.channel == st.channel, orders.settlement_id == st.settlement_id
                    )
                )
                settlement_level = sum(by_kind.values()) - int(s.scalar(order_level) or 0)
                open_items = s.scalar(
                    select(func.count()).where(
                        items.business_key == business_key(st.channel, st.settlement_id),
                        items.status == "open",
                    )
                )

                def total(kinds: Sequence[SettlementKind], values: dict[str, int] = by_kind) -> Decimal:
                    return from_e4(sum(int(values.get(k.value) or 0) for k in kinds))

                known = {*GROSS, *FEES, SettlementKind.REFUND}
                found.append(
                    SettlementTotals(
                        channel=st.channel, settlement_id=st.settlement_id, currency=st.currency,
                        deposit_date=st.deposit_date.isoformat() if st.deposit_date else None,
                        gross=total(GROSS), fees=total(FEES), refunds=total((SettlementKind.REFUND,)),
                        other=total([k for k in SettlementKind if k not in known]),
                        expected_net=from_e4(int(expected or 0) + settlement_level), paid_net=from_e4(st.total_e4),
                        lines=int(counts[0] or 0), matched_lines=int(counts[1] or 0), posted_lines=int(counts[2] or 0),
                        open_exceptions=int(open_items or 0),
                    )
                )  # fmt: skip
        return found


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _IN_CHUNK):
        yield values[i : i + _IN_CHUNK]


__all__ = ["SettlementBook", "SettlementTotals", "business_key", "from_e4", "to_e4"]
