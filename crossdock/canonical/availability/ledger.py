"""The inputs held for availability: on hand per SKU and location, reservations per order line.

Every update goes through :func:`~crossdock.canonical.availability.inputs.supersedes`, so the ledger's
content depends only on the set of updates it was given, never on their order or on repeats: the
property the store keeps too (its upserts apply the same rule) and the tests check with shuffled and
duplicated event streams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from crossdock.canonical.availability.inputs import ReservationUpdate, StockUpdate, Update, supersedes


class Ledger:
    def __init__(self, updates: Iterable[Update] = ()) -> None:
        self._stock: dict[tuple[str, str], StockUpdate] = {}
        self._locations: dict[str, set[str]] = defaultdict(set)
        self._reservations: dict[tuple[str, str], ReservationUpdate] = {}
        self._reserved: dict[tuple[str, str], int] = defaultdict(int)
        self._reserved_at: dict[str, set[str]] = defaultdict(set)
        self._shipped: dict[tuple[str, str], dict[tuple[str, str], ReservationUpdate]] = defaultdict(dict)
        for update in updates:
            self.apply(update)

    def apply(self, update: Update) -> bool:
        """Apply ``update`` if it supersedes what is held for its key; returns whether it did."""
        if isinstance(update, StockUpdate):
            if not supersedes(update, self._stock.get(update.key)):
                return False
            self._stock[update.key] = update
            self._locations[update.sku].add(update.location)
            return True
        held = self._reservations.get(update.key)
        if not supersedes(update, held):
            return False
        if held is not None:
            self._reserved[(held.sku, held.location)] -= held.quantity
            self._shipped[(held.sku, held.location)].pop(held.key, None)
        self._reservations[update.key] = update
        self._reserved[(update.sku, update.location)] += update.quantity
        self._reserved_at[update.sku].add(update.location)
        if update.shipped:
            self._shipped[(update.sku, update.location)][update.key] = update
        return True

    def stock(self, sku: str) -> dict[str, StockUpdate]:
        """The on-hand balances of ``sku`` by location."""
        locations = self._locations.get(sku)
        if not locations:
            return {}
        return {location: self._stock[(sku, location)] for location in sorted(locations)}

    def reserved(self, sku: str, location: str) -> int:
        return self._reserved.get((sku, location), 0)

    def shipped_since(self, sku: str, location: str, as_of: datetime | None) -> int:
        """Units of ``sku`` shipped from ``location`` after ``as_of`` (all when ``None``): still in an
        on-hand figure as of ``as_of``."""
        lines = self._shipped.get((sku, location))
        if not lines:
            return 0
        return sum(r.shipped for r in lines.values() if as_of is None or r.as_of > as_of)

    def reserved_locations(self, sku: str) -> set[str]:
        at = self._reserved_at.get(sku)
        if not at:
            return set()
        return {loc for loc in at if self._reserved.get((sku, loc))}

    def reservations(self, sku: str | None = None) -> list[ReservationUpdate]:
        """The reservations held (releases included, with quantity 0), of ``sku`` when given."""
        return [r for r in self._reservations.values() if sku is None or r.sku == sku]

    def skus(self) -> set[str]:
        return set(self._locations) | set(self._reserved_at)

    def snapshot(self) -> tuple[dict[tuple[str, str], StockUpdate], dict[tuple[str, str], ReservationUpdate]]:
        """What is held, for comparing two ledgers."""
        return dict(self._stock), dict(self._reservations)
