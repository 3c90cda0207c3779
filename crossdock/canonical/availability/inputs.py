"""The inputs of availability, each carrying its version.

An on-hand balance (ERP ``GetInventoryLevels``, a 3PL's 846, a 947 adjustment turned into a balance) is
keyed by SKU and location; a reservation by order and line. Each carries ``as_of`` (when the source says
the figure was true) and ``sequence`` (the source's ordering among updates of the same instant: an 846's
control number, an ERP ledger entry). :func:`supersedes` is the one rule: an update replaces what is held
only when its version is newer, so an update that arrives late never overwrites a newer one, and the
same update twice changes nothing. Two different figures with the same version (a source that reused
one) resolve to the lower quantity (then to a fixed order of the other fields), whatever order they came
in: the choice that cannot oversell.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import datetime

Version = tuple[datetime, int]
"""(as_of, sequence), compared in that order."""


@dataclass(frozen=True, slots=True)
class StockUpdate:
    """On hand for ``sku`` at ``location`` as of ``as_of`` (whole units)."""

    sku: str
    location: str
    on_hand: int
    as_of: datetime
    sequence: int = 0
    source: str = ""
    """Where the figure came from (``erp``, ``846:<partner>:<control>``), for operators."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.sku, self.location)

    @property
    def version(self) -> Version:
        return (self.as_of, self.sequence)

    @property
    def quantity(self) -> int:
        return self.on_hand


@dataclass(frozen=True, slots=True)
class ReservationUpdate:
    """Units of ``sku`` held at ``location`` for one order line; ``quantity`` 0 releases it (shipped,
    cancelled), a changed order line sends its new quantity with a newer version. ``shipped``: units of
    the line that left with shipments by ``as_of``; they still count against on-hand figures older than
    ``as_of`` (which still include them), so a shipment never makes stock look free before the warehouse
    or the ERP reports it gone."""

    order_ref: str
    line: str
    sku: str
    location: str
    quantity: int
    as_of: datetime
    sequence: int = 0
    shipped: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.order_ref, self.line)

    @property
    def version(self) -> Version:
        return (self.as_of, self.sequence)


Update = StockUpdate | ReservationUpdate


def supersedes(incoming: Update, held: Update | None) -> bool:
    """Whether ``incoming`` replaces ``held`` (the update of the same key applied so far)."""
    if held is None:
        return True
    if incoming.version != held.version:
        return incoming.version > held.version
    return _tiebreak(incoming) < _tiebreak(held)


def _tiebreak(update: Update) -> tuple[object, ...]:
    """Orders two updates of the same version: the lower quantity first, then field by field, so the
    winner never depends on which came first."""
    return (update.quantity, *(str(value) for value in astuple(update)))
