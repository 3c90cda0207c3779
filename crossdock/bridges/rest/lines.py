"""Shipment lines as a marketplace numbers them: a 945 that does not echo the marketplace's line ids
(no N9*LI) carries the ERP's line numbers; each such line gets the marketplace's line id of the one
order line with its SKU."""

from __future__ import annotations

from collections.abc import Iterable

from crossdock.canonical.shipment import Shipment, ShipmentLine


def renumber_by_sku(shipment: Shipment, lines: Iterable[tuple[str, str | None]]) -> Shipment:
    """``shipment`` (one order) with ``line_number`` set to the marketplace's line id for each line whose
    number the marketplace does not know, found by SKU when exactly one of the order's ``lines``
    (marketplace line id, SKU) has it; other lines are left as they are (the mapping then names them)."""
    known: set[str] = set()
    by_sku: dict[str, list[str]] = {}
    for line_id, sku in lines:
        known.add(line_id)
        if sku:
            by_sku.setdefault(sku, []).append(line_id)

    def numbered(line: ShipmentLine) -> ShipmentLine:
        ids = by_sku.get(line.sku or "", [])
        if line.line_number in known or len(ids) != 1:
            return line
        return line.model_copy(update={"line_number": ids[0]})

    shipped = shipment.orders[0]
    packages = [p.model_copy(update={"lines": [numbered(line) for line in p.lines]}) for p in shipped.packages]
    shipped = shipped.model_copy(update={"lines": [numbered(line) for line in shipped.lines], "packages": packages})
    return shipment.model_copy(update={"orders": [shipped]})
