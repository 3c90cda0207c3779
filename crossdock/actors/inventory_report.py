"""What ``crossdock inventory show`` and ``crossdock inventory drift`` report, as plain data.

``show``: one SKU's inputs with their as-of times and sources, its reservations, available to sell per
channel (and per location), and per channel what was computed and what the channel was last told.
``drift``: each pushed channel's quantity as the marketplace shows it, read through its adapter, against
the computed quantity; the SKUs where they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crossdock.actors.handlers.inventory_ports import InventoryPorts
from crossdock.canonical.availability import AvailabilityRules, available_to_sell
from crossdock.store import Store


def show(store: Store, rules: AvailabilityRules, sku: str) -> dict[str, Any]:
    load = {sku, *rules.kits.get(sku, {}), *rules.kits_using(sku)}
    ledger = store.inventory.ledger(load)
    ats = available_to_sell(ledger, rules, sku)
    totals = ats.totals()
    stock = [
        {"location": s.location, "on_hand": s.on_hand, "as_of": s.as_of.isoformat(), "sequence": s.sequence,
         "source": s.source}
        for s in ledger.stock(sku).values()
    ]  # fmt: skip
    held = [
        {"order_ref": r.order_ref, "line": r.line, "location": r.location, "quantity": r.quantity,
         "shipped": r.shipped, "as_of": r.as_of.isoformat()}
        for r in sorted(ledger.reservations(sku), key=lambda r: (r.order_ref, r.line))
    ]  # fmt: skip
    adjusted = [
        {"key": a.key, "location": a.location, "delta": a.delta, "reason": a.reason, "on_hand": a.on_hand,
         "applied_at": a.applied_at.isoformat()}
        for a in store.inventory.adjustments_of(sku)
    ]  # fmt: skip
    return {
        "sku": sku,
        "kit": rules.kits.get(sku),
        "stock": stock,
        "reservations": held,
        "adjustments": adjusted,
        "free": ats.free,
        "available_to_sell": {channel: totals.get(channel, 0) for channel in rules.channels},
        "by_location": ats.by_location,
        "channels": [state.to_dict() for state in store.inventory.channel_states(sku)],
    }


def drift(store: Store, inventory: InventoryPorts, *, channels: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Per pushed channel: how many SKUs were compared, and those whose shown quantity differs."""
    report: dict[str, Any] = {"channels": {}, "differences": 0}
    adapters = channels if channels is not None else inventory.channels
    for channel, adapter in sorted(adapters.items()):
        states = {s.sku: s for s in store.inventory.channel_states(channel=channel)}
        shown = adapter.read_quantities(sorted(states)) if states else {}
        differences = [
            {"sku": sku, "computed": state.computed, "told": state.told, "shown": shown.get(sku)}
            for sku, state in sorted(states.items())
            if sku in shown and shown[sku] != state.computed
        ]
        report["channels"][channel] = {"compared": len(shown), "differences": differences}
        report["differences"] += len(differences)
    return report
