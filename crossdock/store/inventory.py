"""The inventory repository: versioned inputs, the ledger of a set of SKUs, and per channel what was
computed and what the channel was last told.

Inputs are written with ``INSERT ... ON CONFLICT DO UPDATE ... WHERE <held version is older>`` (both
backends), the SQL form of :func:`crossdock.canonical.availability.supersedes`: a late update never
overwrites a newer one, a repeated one changes nothing, and two workers applying updates of the same
SKU concurrently serialise on the row. ``RETURNING`` tells which updates were applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crossdock.canonical.availability import Ledger, ReservationUpdate, StockUpdate
from crossdock.canonical.inventory import StockAdjustment
from crossdock.store.base import utcnow
from crossdock.store.engine import Database
from crossdock.store.insert_ignore import insert_ignore_many
from crossdock.store.inventory_rows import (
    InventoryChannelRow,
    InventoryReservationRow,
    InventoryStockRow,
    StockAdjustmentRow,
)

Update = StockUpdate | ReservationUpdate
CHUNK = 500


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: str
    sku: str
    computed: int
    computed_at: datetime
    told: int | None
    told_at: datetime | None
    pushes: int

    @property
    def owed(self) -> bool:
        return self.told != self.computed

    def to_dict(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "sku": self.sku,
            "computed": self.computed,
            "computed_at": self.computed_at.isoformat(),
            "told": self.told,
            "told_at": self.told_at.isoformat() if self.told_at else None,
            "pushes": self.pushes,
        }


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    """The newest on-hand figures applied from one source (``erp``, ``846:<partner>``)."""

    source: str
    applied_at: datetime
    """When the newest figure from it was applied."""
    as_of: datetime
    """The newest as-of among its figures held (how current the source's stock is)."""
    figures: int
    """SKU and location pairs whose figure held is the source's."""


@dataclass(frozen=True, slots=True)
class PushLag:
    """Per channel: SKUs whose latest quantity it was not told yet, and since when the oldest waits."""

    channel: str
    owed: int
    oldest: datetime | None


def _when(value: object) -> datetime:
    """An aggregate's datetime (SQLite returns its text without the column's type)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def source_of(text: str) -> str:
    """``846:northstar-3pl:ADV-7`` → ``846:northstar-3pl``; ``erp`` stays ``erp``."""
    return ":".join(text.split(":")[:2])


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _newer(table: Table, excluded: Any, quantity: str) -> Any:
    """The held row's version is older than the incoming one (or equal, with a larger quantity)."""
    held, new = table.c, excluded
    return or_(
        held.as_of < new.as_of,
        and_(held.as_of == new.as_of, held.sequence < new.sequence),
        and_(held.as_of == new.as_of, held.sequence == new.sequence, held[quantity] > new[quantity]),
    )


def _reservation(r: InventoryReservationRow) -> ReservationUpdate:
    return ReservationUpdate(r.order_ref, r.line, r.sku, r.location, r.quantity, r.as_of, r.sequence, r.shipped)


class InventoryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- inputs ----------------------------------------------------------------------------------
    def lock_skus(self, session: Session, skus: Iterable[str]) -> None:
        """Serialise recomputations of the same SKUs: a transaction lock per SKU (PostgreSQL advisory
        locks, in sorted order, so two steps never deadlock), held until ``session`` ends. Two steps
        applying different inputs of one SKU (a reservation, an 846) then compute one after the other,
        the second seeing the first's inputs. SQLite needs none: it has one writer at a time."""
        if session.get_bind().dialect.name != "postgresql":
            return
        for sku in sorted(set(skus)):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"inventory:{sku}"})

    def apply(self, session: Session, updates: Iterable[Update]) -> list[Update]:
        """Write each update that supersedes what is held; returns those applied."""
        applied: list[Update] = []
        now = utcnow()
        # rows are locked in key order, so two steps applying overlapping updates never deadlock
        for item in sorted(updates, key=lambda u: (isinstance(u, ReservationUpdate), u.key)):
            if isinstance(item, StockUpdate):
                table = InventoryStockRow.__table__
                values: dict[str, Any] = {"sku": item.sku, "location": item.location, "on_hand": item.on_hand,
                                          "as_of": item.as_of, "sequence": item.sequence,
                                          "source": item.source[:200], "updated_at": now}  # fmt: skip
                keys, quantity = ["sku", "location"], "on_hand"
            else:
                table = InventoryReservationRow.__table__
                values = {"order_ref": item.order_ref, "line": item.line, "sku": item.sku, "location": item.location,
                          "quantity": item.quantity, "shipped": item.shipped, "as_of": item.as_of,
                          "sequence": item.sequence, "updated_at": now}  # fmt: skip
                keys, quantity = ["order_ref", "line"], "quantity"
            assert isinstance(table, Table)
            stmt = _insert(session, table).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=keys,
                set_={name: stmt.excluded[name] for name in values if name not in keys},
                where=_newer(table, stmt.excluded, quantity),
            ).returning(table.c[keys[0]])
            if session.execute(stmt).first() is not None:
                applied.append(item)
        return applied

    def adjust(self, session: Session, adjustments: Iterable[StockAdjustment]) -> list[StockUpdate]:
        """Apply each 947 adjustment line not applied before (by key, SKU and location) on top of the
        on-hand figure held (0 when none): the new figure's version is just above the held one (or the
        adjustment's as-of when later), so it replaces it, and a newer balance (846, ERP) later replaces
        the adjusted figure. The caller holds the SKUs' locks (:meth:`lock_skus`). Returns the figures
        written."""
        written: list[Update] = []
        table = StockAdjustmentRow.__table__
        assert isinstance(table, Table)
        for item in sorted(adjustments, key=lambda a: (a.sku, a.location, a.key)):
            delta = int(item.delta)
            # read afresh: an earlier line of this call may have just written this SKU's figure
            held = session.get(InventoryStockRow, (item.sku, item.location), populate_existing=True)
            base = held.on_hand if held is not None else 0
            row = {"key": item.key[:200], "sku": item.sku, "location": item.location, "delta": delta,
                   "reason": item.reason[:8], "on_hand": base + delta, "applied_at": utcnow()}  # fmt: skip
            stmt = _insert(session, table).values(row).on_conflict_do_nothing().returning(table.c.key)
            if session.execute(stmt).first() is None:
                continue  # applied before: a replay changes nothing
            if held is None or item.as_of > held.as_of:
                as_of, sequence = item.as_of, 0
            else:
                as_of, sequence = held.as_of, held.sequence + 1
            update_ = StockUpdate(item.sku, item.location, base + delta, as_of, sequence, item.key)
            written += self.apply(session, [update_])
        return [u for u in written if isinstance(u, StockUpdate)]

    def adjustments_of(self, sku: str) -> list[StockAdjustmentRow]:
        """The 947 adjustments applied to ``sku``, oldest first (operators)."""
        query = select(StockAdjustmentRow).where(StockAdjustmentRow.sku == sku)
        with self._db.read() as session:
            return list(session.scalars(query.order_by(StockAdjustmentRow.applied_at)))

    def ledger(self, skus: Iterable[str], *, session: Session | None = None) -> Ledger:
        """The inputs of ``skus`` (stock and reservations) as a :class:`Ledger`."""
        wanted = sorted(set(skus))
        if session is None:
            with self._db.read() as own:
                return self._ledger(own, wanted)
        return self._ledger(session, wanted)

    def _ledger(self, session: Session, skus: list[str]) -> Ledger:
        ledger = Ledger()
        for start in range(0, len(skus), CHUNK):
            chunk = skus[start : start + CHUNK]
            for s in session.scalars(select(InventoryStockRow).where(InventoryStockRow.sku.in_(chunk))):
                ledger.apply(StockUpdate(s.sku, s.location, s.on_hand, s.as_of, s.sequence, s.source))
            query = select(InventoryReservationRow).where(InventoryReservationRow.sku.in_(chunk))
            for r in session.scalars(query):
                ledger.apply(_reservation(r))
        return ledger

    def reservations_of(self, order_ref: str, *, session: Session | None = None) -> list[ReservationUpdate]:
        """The reservation lines of one order (``<channel>:<external id>``), released ones included."""
        query = select(InventoryReservationRow).where(InventoryReservationRow.order_ref == order_ref)

        def read(own: Session) -> list[ReservationUpdate]:
            return [_reservation(r) for r in own.scalars(query.order_by(InventoryReservationRow.line))]

        if session is not None:
            return read(session)
        with self._db.read() as own:
            return read(own)

    def skus(self) -> list[str]:
        """Every SKU with an input."""
        with self._db.read() as session:
            stock = set(session.scalars(select(InventoryStockRow.sku).distinct()))
            held = set(session.scalars(select(InventoryReservationRow.sku).distinct()))
        return sorted(stock | held)

    # --- channels --------------------------------------------------------------------------------
    def record_computed(
        self, session: Session, channel: str, quantities: Mapping[str, int], *, at: datetime | None = None
    ) -> list[str]:
        """Store what ``channel`` should be offered; returns the SKUs whose quantity is owed to it
        (changed, or never told). The rows are read and locked in one query (``FOR UPDATE`` on
        PostgreSQL), then new rows inserted and changed ones updated, each in one statement."""
        at = at or utcnow()
        skus = sorted(quantities)
        held: dict[str, tuple[int, int | None]] = {}
        for start in range(0, len(skus), CHUNK):
            query = (
                select(InventoryChannelRow.sku, InventoryChannelRow.computed, InventoryChannelRow.told)
                .where(InventoryChannelRow.channel == channel, InventoryChannelRow.sku.in_(skus[start : start + CHUNK]))
                .order_by(InventoryChannelRow.sku)
                .with_for_update()
            )
            held.update((sku, (computed, told)) for sku, computed, told in session.execute(query))
        fresh = [{"channel": channel, "sku": sku, "computed": quantities[sku], "computed_at": at, "told": None,
                  "told_at": None, "pushes": 0} for sku in skus if sku not in held]  # fmt: skip
        changed = [{"c": channel, "s": sku, "q": quantities[sku], "at": at}
                   for sku in skus if sku in held and held[sku][0] != quantities[sku]]  # fmt: skip
        if fresh:
            insert_ignore_many(session, InventoryChannelRow, fresh)
        if changed:
            table = InventoryChannelRow.__table__
            assert isinstance(table, Table)
            stmt = (
                update(table)
                .where(table.c.channel == bindparam("c"), table.c.sku == bindparam("s"))
                .values(computed=bindparam("q"), computed_at=bindparam("at"))
            )
            session.connection().execute(stmt, changed)
        return [sku for sku in skus if sku not in held or held[sku][1] != quantities[sku]]

    def owed(self, channel: str, skus: Sequence[str], *, session: Session | None = None) -> dict[str, int]:
        """Of ``skus``, those whose computed quantity the channel was not told yet, with that quantity."""
        query = select(InventoryChannelRow).where(
            InventoryChannelRow.channel == channel, InventoryChannelRow.sku.in_(list(skus))
        )
        if session is not None:
            rows = session.scalars(query).all()
        else:
            with self._db.read() as own:
                rows = own.scalars(query).all()
        return {row.sku: row.computed for row in rows if row.told != row.computed}

    def states(self, channel: str, skus: Sequence[str]) -> dict[str, ChannelState]:
        """The committed state of ``skus`` for ``channel`` (a fresh read)."""
        query = select(InventoryChannelRow).where(
            InventoryChannelRow.channel == channel, InventoryChannelRow.sku.in_(list(skus))
        )
        with self._db.read() as session:
            return {
                r.sku: ChannelState(r.channel, r.sku, r.computed, r.computed_at, r.told, r.told_at, r.pushes)
                for r in session.scalars(query)
            }

    def record_told(
        self, channel: str, told: Mapping[str, int], *, at: datetime | None = None, session: Session | None = None
    ) -> list[str]:
        """Remember what ``channel`` was told (in ``session``, else in a transaction of its own); returns
        the SKUs whose computed quantity changed meanwhile (still owed: the caller pushes them again)."""
        if session is not None:
            return self._record_told(session, channel, told, at or utcnow())
        with self._db.write() as own:
            return self._record_told(own, channel, told, at or utcnow())

    def _record_told(self, session: Session, channel: str, told: Mapping[str, int], at: datetime) -> list[str]:
        for sku, quantity in sorted(told.items()):
            session.execute(
                update(InventoryChannelRow)
                .where(InventoryChannelRow.channel == channel, InventoryChannelRow.sku == sku)
                .values(told=quantity, told_at=at, pushes=InventoryChannelRow.pushes + 1)
            )
        query = select(InventoryChannelRow.sku, InventoryChannelRow.computed).where(
            InventoryChannelRow.channel == channel, InventoryChannelRow.sku.in_(list(told))
        )
        return sorted(sku for sku, computed in session.execute(query) if computed != told[sku])

    def channel_states(self, sku: str | None = None, *, channel: str | None = None) -> list[ChannelState]:
        query = select(InventoryChannelRow).order_by(InventoryChannelRow.sku, InventoryChannelRow.channel)
        if sku is not None:
            query = query.where(InventoryChannelRow.sku == sku)
        if channel is not None:
            query = query.where(InventoryChannelRow.channel == channel)
        with self._db.read() as session:
            return [
                ChannelState(r.channel, r.sku, r.computed, r.computed_at, r.told, r.told_at, r.pushes)
                for r in session.scalars(query)
            ]

    def owed_counts(self) -> dict[str, int]:
        """Per channel, how many SKUs have a quantity it was not told yet."""
        query = (
            select(InventoryChannelRow.channel, func.count())
            .where(or_(InventoryChannelRow.told.is_(None), InventoryChannelRow.told != InventoryChannelRow.computed))
            .group_by(InventoryChannelRow.channel)
        )
        with self._db.read() as session:
            return {channel: int(count) for channel, count in session.execute(query)}

    def freshness(self) -> list[SourceFreshness]:
        """Per source, the newest on-hand figure applied and its as-of: inventory input lag."""
        row = InventoryStockRow
        query = select(row.source, func.max(row.updated_at), func.max(row.as_of), func.count()).group_by(row.source)
        merged: dict[str, SourceFreshness] = {}
        with self._db.read() as session:
            for source, applied, as_of, count in session.execute(query):
                name, applied, as_of = source_of(source), _when(applied), _when(as_of)
                held = merged.get(name)
                if held is not None:
                    applied, as_of, count = max(applied, held.applied_at), max(as_of, held.as_of), count + held.figures
                merged[name] = SourceFreshness(name, applied, as_of, int(count))
        return [merged[name] for name in sorted(merged)]

    def push_lag(self) -> list[PushLag]:
        """Per channel with SKUs computed: how many are owed and the oldest owed one's computed time."""
        row = InventoryChannelRow
        owed = or_(row.told.is_(None), row.told != row.computed)
        query = select(row.channel, func.count(), func.min(row.computed_at)).where(owed).group_by(row.channel)
        with self._db.read() as session:
            waiting = {c: (int(n), _when(oldest)) for c, n, oldest in session.execute(query)}
            channels = sorted(session.scalars(select(row.channel).distinct()))
        return [PushLag(c, *waiting.get(c, (0, None))) for c in channels]

    def lag_seconds(self, *, now: datetime | None = None) -> float:
        """How long the oldest owed quantity has waited for its push (0 when none is owed): inventory lag."""
        now = now or utcnow()
        query = select(func.min(InventoryChannelRow.computed_at)).where(
            or_(InventoryChannelRow.told.is_(None), InventoryChannelRow.told != InventoryChannelRow.computed)
        )
        with self._db.read() as session:
            oldest = session.scalar(query)
        if oldest is None:
            return 0.0
        if not isinstance(oldest, datetime) or oldest.tzinfo is None:  # an aggregate skips the type on SQLite
            oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=UTC)
        return max(0.0, (now - oldest).total_seconds())
