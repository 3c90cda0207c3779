"""Stock on hand per item and location (846, ERP GetInventoryLevels, marketplace inventory feeds)."""

from __future__ import annotations

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
