"""Stock on hand per item and location (846, 947, ERP GetInventoryLevels, marketplace inventory feeds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field

from crossdock.canonical.base import CanonicalModel, Gtin, NonEmptyStr, Quantity, UnitOfMeasure


class InventoryLevel(CanonicalModel):
    sku: NonEmptyStr
    gtin: Gtin | None = None
    location: NonEmptyStr = Field(description="Warehouse or location code.")
    on_hand: Quantity
    available: Quantity = Field(description="On hand less allocated and held.")
    allocated: Quantity | None = None
    on_order: Quantity | None = None
    unit_of_measure: UnitOfMeasure = "EA"
    as_of: AwareDatetime


class InventoryAdviceLine(CanonicalModel):
    sku: NonEmptyStr
    gtin: Gtin | None = None
    description: str | None = None
    on_hand: Quantity
    available: Quantity | None = Field(default=None, description="What the warehouse says it can ship.")
    unit_of_measure: UnitOfMeasure = "EA"


class InventoryAdvice(CanonicalModel):
    """A warehouse's stock report (X12 846): on hand per item at one location, as of one moment.
    ``location`` is ``None`` when the sender did not name it (the receiver knows the partner's location)."""

    advice_id: NonEmptyStr = Field(description="The report's reference number (BIA03).")
    as_of: AwareDatetime
    location: str | None = None
    report_type: str = "MM"
    lines: list[InventoryAdviceLine] = Field(min_length=1)

    def levels(self, location: str) -> list[InventoryLevel]:
        """The lines as inventory levels at ``self.location`` (else ``location``)."""
        where = self.location or location
        return [
            InventoryLevel(
                sku=line.sku,
                gtin=line.gtin,
                location=where,
                on_hand=line.on_hand,
                available=line.on_hand if line.available is None else line.available,
                unit_of_measure=line.unit_of_measure,
                as_of=self.as_of,
            )
            for line in self.lines
        ]


SignedQuantity = Annotated[Decimal, Field(max_digits=15, decimal_places=4, allow_inf_nan=False)]
"""A quantity that may be negative (an adjustment's debit)."""


class InventoryAdjustmentLine(CanonicalModel):
    sku: NonEmptyStr
    gtin: Gtin | None = None
    quantity: SignedQuantity = Field(description="Units added (positive) or taken off (negative) (W1902).")
    reason: NonEmptyStr = Field(description="Adjustment reason code (W1901: 05 damaged, AA physical count ...).")
    unit_of_measure: UnitOfMeasure = "EA"
    lot: str | None = None


class InventoryAdjustment(CanonicalModel):
    """A warehouse's inventory adjustment advice (X12 947): changes of on hand per item at one location
    (deltas, not balances). ``location`` is ``None`` when the sender did not name it."""

    adjustment_id: NonEmptyStr = Field(description="The adjustment number (W1502).")
    as_of: AwareDatetime = Field(description="The adjustment date (W1501), at midnight UTC.")
    location: str | None = None
    lines: list[InventoryAdjustmentLine] = Field(min_length=1)


class StockAdjustment(CanonicalModel):
    """A change of on hand (``delta`` units) for one SKU and location, applied once per ``key`` on top of
    the figure held (``inventory.apply``; docs/inventory.md)."""

    key: NonEmptyStr = Field(description="947:<partner>:<interchange>:<set control number>:<line>")
    sku: NonEmptyStr
    location: NonEmptyStr
    delta: SignedQuantity
    reason: NonEmptyStr
    as_of: AwareDatetime


class StockReservation(CanonicalModel):
    """Units of a SKU held for one order line; ``quantity`` 0 releases them (shipped, cancelled)."""

    order_ref: NonEmptyStr
    line: NonEmptyStr
    sku: NonEmptyStr
    location: NonEmptyStr
    quantity: Quantity
    as_of: AwareDatetime
    sequence: int = 0
    shipped: Quantity = Field(default=Decimal(0), description="Units of the line shipped by as_of (availability).")


class InventoryChange(CanonicalModel):
    """New inputs for availability (``inventory.apply``): on-hand levels from the ERP or a 3PL's 846,
    adjustments from a 3PL's 947, and reservations from the order flow. ``sequence`` orders updates of
    the same ``as_of`` (an 846's interchange control number)."""

    source: NonEmptyStr = Field(description="erp, 846:<partner>:<advice id>, order:<order ref> ...")
    sequence: int = 0
    levels: list[InventoryLevel] = Field(default_factory=list)
    reservations: list[StockReservation] = Field(default_factory=list)
    adjustments: list[StockAdjustment] = Field(default_factory=list)


class InventoryPush(CanonicalModel):
    """SKUs whose quantity is owed to a channel (``inventory.push``). The push sends the quantities the
    store holds when it runs, so a late message never sends an old figure; ``expected`` (what the sender
    computed, at ``computed_at``) lets it wait until the sender's transaction is visible."""

    channel: NonEmptyStr
    skus: list[NonEmptyStr] = Field(min_length=1)
    expected: dict[str, int] = Field(default_factory=dict)
    computed_at: AwareDatetime | None = None
