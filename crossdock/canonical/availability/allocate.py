"""Available to sell per SKU, location and channel, from a :class:`Ledger` and the :class:`AvailabilityRules`.

Pure and deterministic: the same ledger content and rules give the same quantities. See
:mod:`crossdock.canonical.availability.rules` for the allocation semantics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from crossdock.canonical.availability.ledger import Ledger
from crossdock.canonical.availability.rules import AvailabilityRules, Plan


@dataclass(frozen=True, slots=True)
class ChannelQuantities:
    """What each channel is offered of one SKU, per location (and in total)."""

    sku: str
    by_location: dict[str, dict[str, int]] = field(default_factory=dict)
    free: dict[str, int] = field(default_factory=dict)
    """Per location: on hand - reserved - safety stock (for kits: complete kits)."""

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for per_channel in self.by_location.values():
            for channel, qty in per_channel.items():
                out[channel] = out.get(channel, 0) + qty
        return out


def allocate(free: int, rules: AvailabilityRules | Plan) -> dict[str, int]:
    """Split ``free`` units among the configured channels (fixed first by priority, then shares of the rest)."""
    plan = rules.plan if isinstance(rules, AvailabilityRules) else rules
    offers: dict[str, int] = {}
    rest = free if free > 0 else 0
    for channel, fixed, safety in plan.fixed:
        taken = fixed if fixed < rest else rest
        rest -= taken
        offers[channel] = taken - safety if taken > safety else 0
    for channel, share, safety in plan.shares:
        offered = rest if share >= 1.0 else math.floor(rest * share + 1e-9)
        offers[channel] = offered - safety if offered > safety else 0
    for channel in plan.off:
        offers[channel] = 0
    return offers


def reserved_for(ledger: Ledger, plan: Plan, sku: str, location: str, as_of: datetime | None = None) -> int:
    """Units of ``sku`` held at ``location``: its own reservations and those of kits made of it, and the
    units shipped after ``as_of`` (the on-hand figure's time: that figure still includes them)."""
    held = ledger.reserved(sku, location) + ledger.shipped_since(sku, location, as_of)
    for kit in plan.used_in.get(sku, ()):
        units = plan.kits[kit][sku]
        held += (ledger.reserved(kit, location) + ledger.shipped_since(kit, location, as_of)) * units
    return held


def free_stock(ledger: Ledger, rules: AvailabilityRules | Plan, sku: str) -> dict[str, int]:
    """Per offered location: on hand - reserved (and shipped since the on-hand figure) - safety stock,
    never below 0."""
    plan = rules.plan if isinstance(rules, AvailabilityRules) else rules
    stock = ledger.stock(sku)
    locations = stock.keys() | ledger.reserved_locations(sku)
    out: dict[str, int] = {}
    for location in sorted(locations):
        if plan.locations and location not in plan.locations:
            continue
        figure = stock.get(location)
        on_hand = figure.on_hand if figure is not None else 0
        held = reserved_for(ledger, plan, sku, location, figure.as_of if figure is not None else None)
        left = on_hand - held - plan.safety_stock
        out[location] = left if left > 0 else 0
    return out


def available_to_sell(ledger: Ledger, rules: AvailabilityRules, sku: str) -> ChannelQuantities:
    """What each channel is offered of ``sku``; a kit is the minimum over its components of
    ``component free / units per kit``, then allocated like any SKU."""
    plan = rules.plan
    parts = plan.kits.get(sku)
    if parts is None:
        free = free_stock(ledger, plan, sku)
    else:
        per_part = {part: free_stock(ledger, plan, part) for part in parts}
        locations = set().union(*(set(f) for f in per_part.values()))
        free = {
            loc: min(per_part[part].get(loc, 0) // units for part, units in parts.items()) for loc in sorted(locations)
        }
    return ChannelQuantities(sku, {loc: allocate(qty, plan) for loc, qty in free.items()}, free)


def affected_skus(rules: AvailabilityRules, skus: set[str]) -> set[str]:
    """``skus`` and every kit made of one of them: what to recompute after their inputs changed."""
    out = set(skus)
    for sku in skus:
        out.update(rules.kits_using(sku))
    return out
